"""Offers a campaign can make and their per-user economics.

An offer raises a user's chance to buy; its cost is paid on redemption (the face value,
also to users who would have bought anyway) plus a fixed cost per user contacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError

OfferKind = Literal["coupon", "bundle", "free_lesson", "content"]


class Offer(SeamlineConfig):
    """One offer: what it gives, what it costs and how many users may get it."""

    what: ClassVar[str] = "offer"

    id: str = Field(min_length=1, max_length=64)
    kind: OfferKind = "coupon"
    face_value: float = Field(0.0, ge=0)  # CNY off an order (coupon, bundle discount)
    min_spend: float = Field(0.0, ge=0)  # the order value the face value needs
    contact_cost: float = Field(0.0, ge=0)  # CNY per user contacted (message, sample)
    margin: float = Field(0.3, gt=0, le=1)  # gross margin rate on the order value
    order_value: float = Field(300.0, gt=0)  # typical order value the offer applies to
    max_users: int | None = Field(None, ge=1)  # cap: users who may get the offer
    max_spend: float | None = Field(None, gt=0)  # cap: expected CNY spent on it
    # The assumed pull, as the discount share that moves buyers alike; unset: the
    # discount share (coupon, bundle) or the planner's default for a lesson or message.
    pull: float | None = Field(None, gt=0, le=1)
    # A bundle's parts (item ids, any domain); unset: the workspace's bundles per user.
    bundle_items: list[str] | None = Field(None, min_length=2, max_length=4)

    @model_validator(mode="after")
    def _check(self) -> Offer:
        if self.kind in ("coupon", "bundle") and self.face_value <= 0:
            raise ConfigError(f"offer {self.id!r}: a {self.kind} needs a face_value > 0")
        if self.bundle_items and self.kind != "bundle":
            raise ConfigError(f"offer {self.id!r}: bundle_items need kind bundle, not {self.kind}")
        if self.face_value >= max(self.order_value, self.min_spend):
            raise ConfigError(
                f"offer {self.id!r}: face_value {self.face_value} must be below the order "
                f"value {max(self.order_value, self.min_spend)}"
            )
        return self

    @property
    def strength(self) -> float:
        """The discount as a share of the order value (0 for content)."""
        return self.face_value / max(self.order_value, self.min_spend)

    @property
    def max_unit_cost(self) -> float:
        """The most one user can cost: contact plus a redeemed face value."""
        return self.contact_cost + self.face_value

    def expected_profit(self, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
        """Expected incremental profit per user: margin on the extra orders minus the
        expected cost, the face value going to every redeemer (also to those who would
        have bought anyway)."""
        value = max(self.order_value, self.min_spend)
        return (p1 - p0) * value * self.margin - self.expected_cost(p1)

    def expected_cost(self, p1: np.ndarray) -> np.ndarray:
        return self.contact_cost + p1 * self.face_value


@dataclass(frozen=True)
class OfferEconomics:
    """Per-user expected effects of one offer (arrays of one length)."""

    profit: np.ndarray  # expected incremental profit
    cost: np.ndarray  # expected cost (contact + discounts, anyway-buyers included)
    conversions: np.ndarray  # expected incremental conversions (the uplift)
    revenue: np.ndarray  # expected incremental revenue, net of the discounts


def economics(offer: Offer, base_rate: np.ndarray, uplift: np.ndarray) -> OfferEconomics:
    """Expected incremental profit, cost, conversions and revenue of sending `offer` to each
    user, from their conversion rate without it (`base_rate`) and the predicted `uplift`."""
    p0 = np.clip(np.asarray(base_rate, dtype=np.float64), 0.0, 1.0)
    up = np.asarray(uplift, dtype=np.float64)
    if p0.shape != up.shape:
        raise ValueError(f"base_rate has shape {p0.shape} but uplift has {up.shape}")
    # The treated rate stays a probability even where a model overshoots.
    p1 = np.clip(p0 + up, 0.0, 1.0)
    value = max(offer.order_value, offer.min_spend)
    return OfferEconomics(
        profit=offer.expected_profit(p0, p1),
        cost=offer.expected_cost(p1),
        conversions=p1 - p0,
        revenue=(p1 - p0) * value - p1 * offer.face_value,
    )


def offer_matrices(
    offers: Sequence[Offer], base_rate: np.ndarray, uplift: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`profit[u, o]` and `cost[u, o]` for the allocator from `uplift[u, o]` (one column per
    offer) and `base_rate[u]` (or `[u, o]` where the base rate depends on the offer)."""
    up = np.asarray(uplift, dtype=np.float64)
    if up.ndim != 2 or up.shape[1] != len(offers):
        raise ValueError(f"uplift must have one column per offer ({len(offers)}), got {up.shape}")
    base = np.asarray(base_rate, dtype=np.float64)
    base = np.broadcast_to(base[:, None] if base.ndim == 1 else base, up.shape)
    profit = np.empty_like(up)
    cost = np.empty_like(up)
    for j, offer in enumerate(offers):
        e = economics(offer, base[:, j], up[:, j])
        profit[:, j] = e.profit
        cost[:, j] = e.cost
    return profit, cost


def offer_caps(offers: Sequence[Offer]) -> tuple[np.ndarray, np.ndarray]:
    """Per-offer caps for the allocator: users (`max_users`) and expected money
    (`max_spend`), infinite where an offer has none."""
    users = np.array([o.max_users or np.inf for o in offers], dtype=np.float64)
    money = np.array([o.max_spend or np.inf for o in offers], dtype=np.float64)
    return users, money
