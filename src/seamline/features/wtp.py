"""Willingness to pay: price paid against the category median, coupon use, sensitivity.

`price_sensitivity` compares what a user buys with what they look at: the mean price index
of viewed items minus that of bought items. Positive means they buy cheaper than they
browse (price-sensitive); negative means they trade up when buying.
"""

from __future__ import annotations

from seamline.features._sql import share
from seamline.features.base import Context

DESCRIPTIONS = {
    "paid_ratio": "mean unit price paid / category median price",
    "price_index_buy": "mean log(price / category median) of bought items",
    "price_sensitivity": "price index viewed minus price index bought",
    "full_price_share": "share of purchases without a coupon",
    "coupon_share": "share of purchases with a coupon",
    "high_price_buy_share": "share of purchases over 1.33x the category median",
}


def sql(ctx: Context) -> str:
    buys = "sum(CASE WHEN is_buy THEN 1 ELSE 0 END)"
    coupon = "sum(CASE WHEN is_buy AND with_coupon THEN 1 ELSE 0 END)"
    high = "sum(CASE WHEN is_buy AND price_index > ln(1.33) THEN 1 ELSE 0 END)"
    priced = "sum(CASE WHEN is_buy AND price_index IS NOT NULL THEN 1 ELSE 0 END)"
    return f"""
SELECT user_id,
       avg(CASE WHEN is_buy THEN paid_ratio END) AS paid_ratio,
       avg(CASE WHEN is_buy THEN price_index END) AS price_index_buy,
       avg(CASE WHEN NOT is_buy THEN price_index END)
           - avg(CASE WHEN is_buy THEN price_index END) AS price_sensitivity,
       1 - {share(coupon, buys)} AS full_price_share,
       {share(coupon, buys)} AS coupon_share,
       {share(high, priced)} AS high_price_buy_share
FROM fe_events
GROUP BY user_id
"""
