"""The prepared event view every feature family reads, and the context its SQL needs.

`fe_events` is the events table with each item's category, brand and reference price
attached (the catalog price, else the median unit price paid for it), the item's price
index (log of its reference price over its category's median), the local hour and day,
and a buy flag. Families aggregate it per user; nothing else touches the raw tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from pydantic import Field, field_validator

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError
from seamline.features._sql import BUY_TYPES, RETURN_TYPES, in_list, iso_weekday, median

FAMILIES: tuple[str, ...] = (
    "rfm",
    "engagement",
    "cross_domain",
    "preferences",
    "habits",
    "wtp",
    "demographics",
    "text",
)


class FeatureConfig(SeamlineConfig):
    """Options of `build_features`; validated when constructed."""

    what: ClassVar[str] = "feature config"

    families: tuple[str, ...] = FAMILIES
    utc_offset_hours: float = Field(0.0, ge=-12, le=14)  # local time for time-of-day features
    as_of: datetime | None = None  # "now" for recency; default: the last event
    max_categories: int = Field(40, ge=1, le=500)  # categories beyond the top N -> cat_other
    max_brands: int = Field(20, ge=0, le=500)
    max_channels: int = Field(8, ge=0, le=50)
    embedding_dim: int = Field(16, ge=0, le=256)  # 0: no text embedding
    embedding_max_features: int = Field(20_000, ge=100)
    seed: int = Field(0, ge=0)
    keep_versions: int = Field(3, ge=0)  # older user_features_v<N> tables kept

    @field_validator("families")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [f for f in v if f not in FAMILIES]
        if bad:
            raise ConfigError(f"unknown feature families {bad}; allowed: {', '.join(FAMILIES)}")
        if "rfm" not in v:
            raise ConfigError("the 'rfm' family is required (it defines the user rows)")
        return tuple(dict.fromkeys(v))


@dataclass
class Context:
    """Values the family SQL is built from (looked up once per run)."""

    config: FeatureConfig
    as_of: str  # SQL timestamp literal
    categories: list[tuple[str, str]] = field(default_factory=list)  # (domain, category)
    brands: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    has_clock: bool = True  # False when every timestamp is a bare date (no time of day)


BUY = in_list(BUY_TYPES)
RETURNS = in_list(RETURN_TYPES)


def base_sql(offset_hours: float) -> str:
    """SELECT of the prepared events (see module docstring)."""
    minutes = round(offset_hours * 60)
    return f"""
WITH paid AS (
    SELECT item_id, domain,
           {median("abs(value) / COALESCE(NULLIF(quantity, 0), 1)")} AS unit_paid
    FROM events
    WHERE value IS NOT NULL AND event_type IN {BUY}
    GROUP BY item_id, domain
),
ref AS (
    SELECT COALESCE(i.item_id, p.item_id) AS item_id, COALESCE(i.domain, p.domain) AS domain,
           COALESCE(i.category, '(none)') AS category, i.brand,
           COALESCE(i.price, p.unit_paid) AS ref_price
    FROM items i FULL OUTER JOIN paid p ON i.item_id = p.item_id AND i.domain = p.domain
),
cat AS (
    SELECT domain, category, {median("ref_price")} AS median_price
    FROM ref WHERE ref_price > 0
    GROUP BY domain, category
),
ev AS (
    SELECT e.*, e."timestamp" + INTERVAL '{minutes}' MINUTE AS ts_local
    FROM events e
)
SELECT e.user_id, e.item_id, e.domain, e.event_type, e."timestamp" AS ts,
       e.value, e.quantity, e.session_id, e.channel, e.rating,
       e.coupon_id IS NOT NULL AS with_coupon,
       e.event_type IN {BUY} AS is_buy,
       e.event_type IN {RETURNS} AS is_return,
       COALESCE(r.category, '(none)') AS category, r.brand, r.ref_price,
       CASE WHEN r.ref_price > 0 AND c.median_price > 0
            THEN ln(r.ref_price / c.median_price) END AS price_index,
       CASE WHEN e.value IS NOT NULL AND c.median_price > 0
            THEN abs(e.value) / COALESCE(NULLIF(e.quantity, 0), 1) / c.median_price
            END AS paid_ratio,
       hour(e.ts_local) AS hour_local,
       CAST(e.ts_local AS DATE) AS day_local,
       {iso_weekday("e.ts_local")} >= 6 AS weekend
FROM ev e
LEFT JOIN ref r ON r.item_id = e.item_id AND r.domain = e.domain
LEFT JOIN cat c ON c.domain = r.domain AND c.category = r.category
"""
