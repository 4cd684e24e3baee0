"""Cross-domain affinity: share of activity and of purchases per domain, cross-buyer flag."""

from __future__ import annotations

from seamline.features._sql import quote, share, slug
from seamline.features.base import Context

DESCRIPTIONS = {
    "domains_active": "domains with any event",
    "domains_bought": "domains with a purchase or enrolment",
    "cross_buyer": "1 when the user bought in two or more domains",
}


def columns(ctx: Context) -> list[str]:
    return [f"share_{slug(d)}" for d in ctx.domains] + [f"buy_share_{slug(d)}" for d in ctx.domains]


def sql(ctx: Context) -> str:
    parts = []
    for d in ctx.domains:
        hit = f"sum(CASE WHEN domain = {quote(d)} THEN 1 ELSE 0 END)"
        buy = f"sum(CASE WHEN is_buy AND domain = {quote(d)} THEN 1 ELSE 0 END)"
        parts.append(f"{share(hit, 'count(*)')} AS share_{slug(d)}")
        parts.append(
            f"{share(buy, 'sum(CASE WHEN is_buy THEN 1 ELSE 0 END)')} AS buy_share_{slug(d)}"
        )
    cols = "".join(f"       {p},\n" for p in parts)
    return f"""
SELECT user_id,
{cols}       count(DISTINCT domain) AS domains_active,
       count(DISTINCT CASE WHEN is_buy THEN domain END) AS domains_bought,
       CASE WHEN count(DISTINCT CASE WHEN is_buy THEN domain END) >= 2 THEN 1 ELSE 0 END
           AS cross_buyer
FROM fe_events
GROUP BY user_id
"""
