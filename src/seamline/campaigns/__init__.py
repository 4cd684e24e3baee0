"""Campaigns: coupon campaigns measured against their control groups (ROI, incremental
revenue day by day) and the marketing overview built on the experiments' KPIs."""
