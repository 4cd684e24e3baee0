"""Fairness of exposure (items by brand/provider and domain) and of quality and coupons
across user groups; a re-ranker that bounds exposure disparity at a measured NDCG cost."""
