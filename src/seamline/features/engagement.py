"""Engagement: activity volume, sessions, funnel conversion rates, course completion."""

from __future__ import annotations

from seamline.features._sql import share
from seamline.features.base import BUY, Context

DESCRIPTIONS = {
    "events": "events of any type",
    "active_days": "distinct local days with an event",
    "sessions": "distinct sessions (else days)",
    "events_per_session": "events / sessions",
    "items_seen": "distinct items interacted with",
    "click_rate": "clicks / views",
    "cart_rate": "carts / clicks",
    "buy_rate": "purchases and enrolments / views",
    "enrolments": "course enrolments",
    "completion_rate": "completions / enrolments",
    "ratings": "rate and review events",
    "mean_rating": "mean rating given",
}


def sql(ctx: Context) -> str:
    def n(types: str) -> str:
        return f"sum(CASE WHEN event_type IN {types} THEN 1 ELSE 0 END)"

    return f"""
SELECT user_id,
       count(*) AS events,
       count(DISTINCT day_local) AS active_days,
       count(DISTINCT COALESCE(session_id, CAST(day_local AS VARCHAR))) AS sessions,
       {share("count(*)", "count(DISTINCT COALESCE(session_id, CAST(day_local AS VARCHAR)))")}
           AS events_per_session,
       count(DISTINCT item_id) AS items_seen,
       {share(n("('click')"), n("('view')"))} AS click_rate,
       {share(n("('cart')"), n("('click')"))} AS cart_rate,
       {share(n(BUY), n("('view')"))} AS buy_rate,
       {n("('enroll')")} AS enrolments,
       {share(n("('complete')"), n("('enroll')"))} AS completion_rate,
       {n("('rate', 'review')")} AS ratings,
       avg(rating) AS mean_rating
FROM fe_events
GROUP BY user_id
"""
