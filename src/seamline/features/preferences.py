"""Browsing preferences: share of a user's events per category, brand and price band.

Categories and brands are the most frequent ones overall (top N by events, see
`FeatureConfig`); the rest add up in `cat_other` / `brand_other`, so shares sum to one.
Price bands compare an item's reference price with its category's median: `low` below
0.75x, `high` above 1.33x.
"""

from __future__ import annotations

from seamline.features._sql import quote, share, unique_names
from seamline.features.base import Context

LOW, HIGH = 0.75, 1.33  # price-band cut points, as multiples of the category median

DESCRIPTIONS = {
    "cat_other": "share of events on categories outside the top N",
    "brand_other": "share of events on brands outside the top N",
    "band_low": "share of priced events on items under 0.75x their category median",
    "band_mid": "share of priced events on items within 0.75x-1.33x their category median",
    "band_high": "share of priced events on items over 1.33x their category median",
    "price_index_view": "mean log(price / category median) of items interacted with",
}


def category_columns(ctx: Context) -> list[str]:
    return unique_names("cat", [c for _, c in ctx.categories])


def brand_columns(ctx: Context) -> list[str]:
    return unique_names("brand", ctx.brands)


def sql(ctx: Context) -> str:
    parts = []
    cats = ctx.categories
    for (dom, cat), name in zip(cats, category_columns(ctx), strict=True):
        cond = f"domain = {quote(dom)} AND category = {quote(cat)}"
        parts.append(f"{share(f'sum(CASE WHEN {cond} THEN 1 ELSE 0 END)', 'count(*)')} AS {name}")
    if cats:
        known = " OR ".join(f"(domain = {quote(d)} AND category = {quote(c)})" for d, c in cats)
        other = f"sum(CASE WHEN NOT ({known}) THEN 1 ELSE 0 END)"
        parts.append(f"{share(other, 'count(*)')} AS cat_other")
    if ctx.brands:
        branded = "sum(CASE WHEN brand IS NOT NULL THEN 1 ELSE 0 END)"
        for brand, name in zip(ctx.brands, brand_columns(ctx), strict=True):
            hit = f"sum(CASE WHEN brand = {quote(brand)} THEN 1 ELSE 0 END)"
            parts.append(f"{share(hit, branded)} AS {name}")
        listed = (
            f"sum(CASE WHEN brand IN ({', '.join(quote(b) for b in ctx.brands)}) THEN 1 ELSE 0 END)"
        )
        parts.append(f"{share(f'{branded} - {listed}', branded)} AS brand_other")
    priced = "sum(CASE WHEN price_index IS NOT NULL THEN 1 ELSE 0 END)"
    bands = {
        "band_low": f"price_index < ln({LOW})",
        "band_mid": f"price_index BETWEEN ln({LOW}) AND ln({HIGH})",
        "band_high": f"price_index > ln({HIGH})",
    }
    for name, cond in bands.items():
        parts.append(f"{share(f'sum(CASE WHEN {cond} THEN 1 ELSE 0 END)', priced)} AS {name}")
    parts.append("avg(price_index) AS price_index_view")
    cols = ",\n".join(f"       {p}" for p in parts)
    return f"""
SELECT user_id,
{cols}
FROM fe_events
GROUP BY user_id
"""
