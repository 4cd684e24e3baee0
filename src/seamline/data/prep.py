"""How events become interaction weights: `InteractionsConfig` and the default weights.

Each event counts with the weight of its type (view < click < cart < purchase) times an
optional time decay, ``0.5 ** (age / half_life_days)`` with the age measured back from the
latest event. Repeated events of one pair add up (`aggregate="sum"`), count once at their
strongest (`"max"`: a purchase after three views weighs as a purchase, not as the funnel's
sum) or count once whatever their type (`"binary"`, time decay kept).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from seamline.config import SeamlineConfig

# Stronger intent weighs more. A rating records that the item was consumed (its value
# stays in `rating`), so it counts like a view: MovieLens then gives a 0/1 matrix.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "rate": 1.0,
    "click": 2.0,
    "review": 2.0,
    "cart": 3.0,
    "purchase": 4.0,
    "enroll": 4.0,
    "complete": 4.0,
}
UNLISTED_WEIGHT = 1.0  # an event type missing from the weights counts like a view

# A half-life (days or events): a finite number above zero, or None for no decay.
HalfLife = Annotated[float, Field(gt=0, allow_inf_nan=False)] | None
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class InteractionsConfig(SeamlineConfig):
    """Data preparation: event-type weights (None: the defaults), time decay, aggregation."""

    what: ClassVar[str] = "interactions config"

    event_weights: dict[str, Weight] | None = None
    half_life_days: HalfLife = None
    aggregate: Literal["sum", "max", "binary"] = "sum"
    # Events on items the catalog does not hold (`orphan_items` in `seamline quality`):
    # true leaves them out of training and so out of recommendations.
    exclude_orphan_items: bool = False

    def weights(self) -> dict[str, float]:
        """The event-type weights in force (the defaults when none are given)."""
        return dict(DEFAULT_EVENT_WEIGHTS if self.event_weights is None else self.event_weights)
