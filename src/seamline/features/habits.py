"""Consumption habits: purchase cadence, channel mix, time of day, weekend share.

Hours are local (`FeatureConfig.utc_offset_hours`). The mean hour is kept as a point on the
24-hour circle (`hour_sin`, `hour_cos`) so 23:00 and 01:00 sit close together.
"""

from __future__ import annotations

from seamline.features._sql import epoch_s, quote, share, unique_names
from seamline.features.base import Context

# Local-time bands: [start, end) hours.
DAYPARTS: dict[str, tuple[int, int]] = {
    "tod_night": (0, 6),
    "tod_morning": (6, 12),
    "tod_afternoon": (12, 18),
    "tod_evening": (18, 24),
}

DESCRIPTIONS = {
    "purchase_cadence_days": "mean days between purchase days (two or more needed)",
    "buy_days": "distinct days with a purchase or enrolment",
    "tod_night": "share of events 00-06 local time",
    "tod_morning": "share of events 06-12 local time",
    "tod_afternoon": "share of events 12-18 local time",
    "tod_evening": "share of events 18-24 local time",
    "hour_sin": "mean of sin(2 pi hour / 24)",
    "hour_cos": "mean of cos(2 pi hour / 24)",
    "weekend_share": "share of events on Saturday or Sunday",
    "channel_other": "share of events on channels outside the top N",
}


def channel_columns(ctx: Context) -> list[str]:
    return unique_names("channel", ctx.channels)


def sql(ctx: Context) -> str:
    parts = []
    # Date-only data (every event at midnight) has no time of day to describe.
    for name, (lo, hi) in DAYPARTS.items() if ctx.has_clock else ():
        hit = f"sum(CASE WHEN hour_local >= {lo} AND hour_local < {hi} THEN 1 ELSE 0 END)"
        parts.append(f"{share(hit, 'count(*)')} AS {name}")
    if ctx.has_clock:
        angle = "2 * pi() * (hour_local + 0.5) / 24"
        parts.append(f"avg(sin({angle})) AS hour_sin")
        parts.append(f"avg(cos({angle})) AS hour_cos")
    parts.append(
        f"{share('sum(CASE WHEN weekend THEN 1 ELSE 0 END)', 'count(*)')} AS weekend_share"
    )
    if ctx.channels:
        with_channel = "sum(CASE WHEN channel IS NOT NULL THEN 1 ELSE 0 END)"
        for ch, name in zip(ctx.channels, channel_columns(ctx), strict=True):
            hit = f"sum(CASE WHEN channel = {quote(ch)} THEN 1 ELSE 0 END)"
            parts.append(f"{share(hit, with_channel)} AS {name}")
        listed = ", ".join(quote(c) for c in ctx.channels)
        rest = f"sum(CASE WHEN channel IS NOT NULL AND channel NOT IN ({listed}) THEN 1 ELSE 0 END)"
        parts.append(f"{share(rest, with_channel)} AS channel_other")
    cols = ",\n".join(f"       {p}" for p in parts)
    buy_day = "CASE WHEN is_buy THEN day_local END"
    span = (
        f"({epoch_s('max(CASE WHEN is_buy THEN ts END)')} - "
        f"{epoch_s('min(CASE WHEN is_buy THEN ts END)')}) / 86400.0"
    )
    return f"""
SELECT user_id,
{cols},
       count(DISTINCT {buy_day}) AS buy_days,
       CASE WHEN count(DISTINCT {buy_day}) > 1
            THEN {span} / (count(DISTINCT {buy_day}) - 1) END AS purchase_cadence_days
FROM fe_events
GROUP BY user_id
"""
