"""How an offer moves a user in the synthetic world: the past coupon and any future offer.

A discount draws the user in and makes items feel cheaper. Its pull is one logit shift,
`DEAL_PULL x sensitivity x strength` (`strength`: the discount as a share of the price, 0.2
for the past coupon; `sensitivity`: the user's price sensitivity), applied to the chance to
click a viewed item and to the user's affordability of it, which drives the next two steps:
the chance to cart it (fashion, `CART_RATE x afford`) and to buy or enrol
(`BUY_BASE + BUY_AFFORD x afford`).

The effect is heterogeneous: price-sensitive users, whose low click-through leaves room,
respond several times their (low) base rate, so a discount can pay for them; users who
barely care about price gain little, and their discount goes to buyers who would have
bought anyway. Steps that are already near certain (the affordability of cheap items)
saturate on the logit scale.
`DEAL_PULL` exceeds the textbook price effect (`-log(1 - strength)`, about `strength`):
a coupon in hand is salient beyond its face value.
"""

from __future__ import annotations

import numpy as np

from seamline.data.synthetic.arrays import Floats

DEAL_PULL = 4.0
PROB_EPS = 1e-6


def shifted(p: Floats, shift: Floats | float) -> Floats:
    """A probability after a logit shift (`shift` >= 0 raises it)."""
    a = np.clip(np.asarray(p, dtype=np.float64), PROB_EPS, 1 - PROB_EPS)
    return np.asarray(1.0 / (1.0 + np.exp(-(np.log(a / (1 - a)) + shift))))


def discount_shift(sensitivity: Floats | float, strength: float) -> Floats:
    """The logit shift of a discount of `strength` (a share of the price)."""
    return np.asarray(DEAL_PULL * np.asarray(sensitivity, dtype=np.float64) * strength)
