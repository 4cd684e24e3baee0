"""Recency, frequency, monetary value, and classic RFM scoring with named groups.

Scores are quintiles among buyers (1 = worst, 5 = best) computed with PERCENT_RANK, so tied
users always get the same score (NTILE would split ties arbitrarily); a value every buyer
shares scores 3, the middle (a one-day data set has no recency to rank). Users without a
purchase get no score and the group "No purchase yet".
Groups follow the usual R x F map.
"""

from __future__ import annotations

from seamline.features._sql import epoch_s
from seamline.features.base import Context

# (group, rule over r and f scores), first match wins; the usual R x F segment map.
GROUPS: tuple[tuple[str, str], ...] = (
    ("Champions", "r = 5 AND f >= 4"),
    ("Loyal", "r >= 3 AND f >= 4"),
    ("Potential loyalist", "r >= 4 AND f BETWEEN 2 AND 3"),
    ("New customers", "r = 5 AND f = 1"),
    ("Promising", "r = 4 AND f = 1"),
    ("Need attention", "r = 3 AND f = 3"),
    ("About to sleep", "r = 3 AND f <= 2"),
    ("Cannot lose them", "r <= 2 AND f = 5"),
    ("At risk", "r <= 2 AND f >= 3"),
    ("Hibernating", "r <= 2 AND f <= 2"),
)
NO_PURCHASE = "No purchase yet"
RFM_GROUPS: tuple[str, ...] = (*(g for g, _ in GROUPS), NO_PURCHASE)

DESCRIPTIONS = {
    "recency_days": "days from the last purchase to the reference date",
    "days_since_active": "days from the last event of any kind to the reference date",
    "tenure_days": "days from the first event to the reference date",
    "frequency": "orders: distinct sessions (else days) with a purchase or enrolment",
    "purchases": "purchase and enrolment events",
    "monetary": "value paid, net of returns",
    "avg_order_value": "monetary / frequency",
    "rfm_r": "recency quintile among buyers (5 = most recent)",
    "rfm_f": "frequency quintile among buyers (5 = most orders)",
    "rfm_m": "monetary quintile among buyers (5 = highest)",
    "rfm_group": "classic RFM group from the R and F scores",
}


def _score(expr: str, ascending: bool) -> str:
    buyers = "PARTITION BY frequency > 0"
    rank = f"PERCENT_RANK() OVER ({buyers} ORDER BY {expr} {'ASC' if ascending else 'DESC'})"
    flat = f"min({expr}) OVER ({buyers}) = max({expr}) OVER ({buyers})"
    return (
        f"CASE WHEN frequency = 0 THEN NULL WHEN {flat} THEN 3 "
        f"ELSE LEAST(5, 1 + CAST(FLOOR(5 * {rank}) AS INTEGER)) END"
    )


def sql(ctx: Context) -> str:
    as_of = epoch_s(ctx.as_of)
    day = 86400.0
    group_case = " ".join(f"WHEN {rule} THEN '{name}'" for name, rule in GROUPS)
    return f"""
WITH u AS (
    SELECT user_id,
           min(ts) AS first_ts, max(ts) AS last_ts,
           max(CASE WHEN is_buy THEN ts END) AS last_buy,
           count(DISTINCT CASE WHEN is_buy
                 THEN COALESCE(session_id, CAST(day_local AS VARCHAR)) END) AS frequency,
           sum(CASE WHEN is_buy THEN 1 ELSE 0 END) AS purchases,
           COALESCE(sum(CASE WHEN is_buy OR is_return THEN value END), 0) AS monetary
    FROM fe_events
    GROUP BY user_id
),
m AS (
    SELECT user_id, frequency, purchases, monetary,
           ({as_of} - {epoch_s("last_buy")}) / {day} AS recency_days,
           ({as_of} - {epoch_s("last_ts")}) / {day} AS days_since_active,
           ({as_of} - {epoch_s("first_ts")}) / {day} AS tenure_days
    FROM u
),
s AS (
    SELECT *,
           {_score("recency_days", ascending=False)} AS r,
           {_score("frequency", ascending=True)} AS f,
           {_score("monetary", ascending=True)} AS mm
    FROM m
)
SELECT user_id, recency_days, days_since_active, tenure_days, frequency, purchases,
       monetary,
       CASE WHEN frequency > 0 THEN monetary / frequency END AS avg_order_value,
       r AS rfm_r, f AS rfm_f, mm AS rfm_m,
       CASE WHEN frequency = 0 THEN '{NO_PURCHASE}' {group_case} ELSE 'Other' END AS rfm_group
FROM s
"""
