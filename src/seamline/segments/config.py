"""Configuration of a segmentation run, validated when constructed."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError

METHODS = ("kmeans", "hierarchical")

# Feature presets: glob patterns over `user_features` columns. "behaviour" is what people
# do (domain mix, categories, channels, time of day, price level, coupon use, activity,
# recency) plus age and gender. Spend and RFM stay out so segments are not just spend
# tiers (the profiles describe them); tenure stays out so sign-up date does not split
# otherwise alike users.
PRESETS: dict[str, tuple[str, ...]] = {
    "behaviour": (
        "share_*", "cat_*", "channel_*", "tod_*", "hour_sin", "hour_cos", "band_*",
        "price_index_view", "coupon_share", "events", "active_days", "days_since_active",
        "age", "female",
    ),
    "spend": ("recency_days", "frequency", "monetary", "avg_order_value", "paid_ratio",
              "price_index_buy", "coupon_share", "days_since_active"),
    "all": ("*",),
}  # fmt: skip


class SegmentConfig(SeamlineConfig):
    """How to segment users: method, k, features and their scaling, evaluation budget."""

    what: ClassVar[str] = "segment config"

    method: Literal["kmeans", "hierarchical"] = "kmeans"
    k: int | Literal["auto"] = "auto"
    k_min: int = Field(2, ge=2)
    k_max: int = Field(10, ge=2, le=50)
    selection: Literal["vote", "silhouette", "calinski_harabasz", "davies_bouldin"] = "vote"
    features: str | tuple[str, ...] = "behaviour"  # a preset name or column patterns
    scaling: Literal["standard", "robust", "minmax", "none"] = "standard"
    log_counts: bool = True  # log1p of non-negative columns that are not shares
    shrink: float = Field(2.0, ge=0)  # pseudo-events pulling per-event shares to the mean
    min_events: int = Field(1, ge=0)  # users with fewer events are left out (and counted)
    n_init: int = Field(5, ge=1)
    select_sample: int = Field(10_000, ge=100)  # k is chosen on a seeded sample this big
    minibatch_above: int = Field(500_000, ge=1)  # final fit: MiniBatchKMeans above this
    hierarchical_sample: int = Field(6_000, ge=50, le=20_000)  # Ward is O(n^2) in memory
    metric_sample: int = Field(5_000, ge=100, le=20_000)  # silhouette: a seeded sample
    bootstrap: int = Field(3, ge=0, le=100)  # stability rounds (0: skip)
    bootstrap_sample: int = Field(5_000, ge=100)
    projection_points: int = Field(2_000, ge=0)
    seed: int = Field(0, ge=0)
    # The final K-means fit over every user: scikit-learn here, or Spark MLlib.
    engine: Literal["sklearn", "spark"] = "sklearn"

    @field_validator("k", mode="before")
    @classmethod
    def _k(cls, v: object) -> object:
        if isinstance(v, str) and v != "auto":
            try:
                return int(v)
            except ValueError:
                raise ConfigError(f"k must be 'auto' or a whole number >= 2, got {v!r}") from None
        return v

    @field_validator("features")
    @classmethod
    def _features(cls, v: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(v, str) and v not in PRESETS:
            raise ConfigError(
                f"unknown feature preset {v!r}; allowed: {', '.join(PRESETS)} "
                "or a list of column names / patterns"
            )
        if not isinstance(v, str) and not v:
            raise ConfigError("features must name at least one column or pattern")
        return v

    @model_validator(mode="after")
    def _range(self) -> SegmentConfig:
        if self.k != "auto" and self.k < 2:
            raise ConfigError(f"k must be at least 2, got {self.k}")
        if self.k_min > self.k_max:
            raise ConfigError(f"k_min ({self.k_min}) must not exceed k_max ({self.k_max})")
        return self

    @property
    def patterns(self) -> tuple[str, ...]:
        return PRESETS[self.features] if isinstance(self.features, str) else self.features
