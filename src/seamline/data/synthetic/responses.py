"""The world's true response to a future campaign, per user and offer (truth/).

While the world is simulated, `Propensity` records each user's funnel per domain: how
many final steps (cart -> purchase, click -> enroll) their views are expected to reach per
active day, their mean chance to buy there, and the order value. A new campaign in the
days after the window continues that funnel: over `days` days a user reaches the final
step a Poisson(`m`) number of times, `m = rate * days`, and buys at each with `q0`, so
`p0 = 1 - exp(-m q0)`; segments that lapse are inactive by then. An offer raises `q0` the
way the past coupon did (`q1 = 1 - (1 - q0)(1 - lift)`), with a lift that grows with price
sensitivity and the offer's discount, and, for bundles, free lessons and content, with the
user's cross-domain affinity (their taste for styling courses). `response_probabilities`
is that model; `truth/user_propensity.csv` its per-user inputs and
`truth/offer_response.json` its constants. Analyses never read them: simulation and benchmarks do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from seamline.data.synthetic.arrays import Floats, Ints
from seamline.data.synthetic.behaviour import (
    BUY_AFFORD,
    BUY_BASE,
    CART_RATE,
    CLICK_BASE,
    CLICK_MATCH,
    Decision,
    Views,
)
from seamline.data.synthetic.personas import SEGMENTS, seg_array
from seamline.data.synthetic.users import Users, user_ids
from seamline.data.synthetic.vocab import COURSE_CATEGORIES, FASHION, KNOWLEDGE
from seamline.data.synthetic.window import (
    COUPON_DISCOUNT,
    LIFT_BASE,
    LIFT_MAX,
    LIFT_PER_SENSITIVITY,
    WINDOW_DAYS,
)

# A free first lesson moves users like this share off; content alone like a small one.
FREE_LESSON_STRENGTH = 0.25
CONTENT_STRENGTH = 0.06
# Bundles, free lessons and content reach further with users who like styling courses.
AFFINITY_WEIGHT = {"coupon": 0.0, "bundle": 0.6, "free_lesson": 0.5, "content": 0.8}
STYLING = COURSE_CATEGORIES.index("fashion_design")
DOMAINS = {"knowledge": KNOWLEDGE, "fashion": FASHION}
COLUMNS = (
    "user_id", "segment", "price_sensitivity", "styling_affinity",
    "rate_knowledge", "q0_knowledge", "order_value_knowledge",
    "rate_fashion", "q0_fashion", "order_value_fashion",
)  # fmt: skip


class Propensity:
    """Per user and domain, over the whole window: the expected number of final-step
    chances (each view's chance to be clicked, and carted for fashion), and the chance-
    weighted buy probability and order value there (filled chunk by chunk)."""

    def __init__(self, n: int) -> None:
        self.chances = np.zeros((n, 2))
        self.p0 = np.zeros((n, 2))
        self.value = np.zeros((n, 2))

    def add(self, v: Views, d: Decision) -> None:
        fashion = v.domain == FASHION
        base = np.where(fashion, BUY_BASE[FASHION], BUY_BASE[KNOWLEDGE])
        slope = np.where(fashion, BUY_AFFORD[FASHION], BUY_AFFORD[KNOWLEDGE])
        afford = (d.p0 - base) / slope  # the funnel's affordability of this view's item
        chance = (CLICK_BASE + CLICK_MATCH * v.match) * np.where(fashion, CART_RATE * afford, 1)
        idx = v.user * 2 + v.domain  # domains are 0 and 1
        size = self.chances.size
        self.chances += np.bincount(idx, weights=chance, minlength=size).reshape(-1, 2)
        self.p0 += np.bincount(idx, weights=chance * d.p0, minlength=size).reshape(-1, 2)
        self.value += np.bincount(idx, weights=chance * d.gross, minlength=size).reshape(-1, 2)

    def table(self, u: Users) -> pa.Table:
        n = self.chances.shape[0]
        seen = np.maximum(self.chances, 1e-12)
        # Users without a chance in a domain would buy like its average when they come.
        q0 = np.where(self.chances > 0, self.p0 / seen, _mean(self.p0, self.chances))
        value = np.where(self.chances > 0, self.value / seen, _mean(self.value, self.chances))
        # Chances per day while active; segments that lapse are gone by November.
        days = np.maximum(WINDOW_DAYS - u.first_day, 1).astype(np.float64)
        stays = seg_array("active_days")[u.segment] >= WINDOW_DAYS
        per_day = np.where(stays[:, None], self.chances / days[:, None], 0.0)
        cols: dict[str, Any] = {
            "user_id": user_ids(np.arange(1, n + 1), n),
            "segment": pa.array([SEGMENTS[s].key for s in u.segment]),
            "price_sensitivity": np.round(u.sensitivity, 6),
            "styling_affinity": np.round(affinity(u.taste[:, STYLING]), 6),
        }
        for name, d in DOMAINS.items():
            cols[f"rate_{name}"] = np.round(per_day[:, d], 6)
            cols[f"q0_{name}"] = np.round(q0[:, d], 6)
            cols[f"order_value_{name}"] = np.round(value[:, d], 2)
        return pa.table(cols).select(list(COLUMNS))


def _mean(total: Floats, count: Floats) -> Floats:
    return total.sum(axis=0) / np.maximum(count.sum(axis=0), 1)


def affinity(styling_taste: Floats) -> Floats:
    """0..1: how much a user likes styling courses (a third of their course taste: 1)."""
    return np.clip(np.asarray(styling_taste) * 3.0, 0.0, 1.0)


def strength(kind: str, face_value: float, order_value: float) -> float:
    """How strongly an offer moves buyers, as the discount share that would do the same."""
    if kind == "free_lesson":
        return FREE_LESSON_STRENGTH
    if kind == "content":
        return CONTENT_STRENGTH
    return face_value / order_value if order_value > 0 else 0.0


def response_probabilities(
    truth: dict[str, Floats | Ints],
    domain: str,
    kind: str,
    offer_strength: float,
    days: float,
) -> tuple[Floats, Floats]:
    """True P(buy in `domain` within `days`) without and with the offer, per user row of
    `truth` (the columns of user_propensity.csv as arrays)."""
    m = np.asarray(truth[f"rate_{domain}"], dtype=np.float64) * days
    q0 = np.asarray(truth[f"q0_{domain}"], dtype=np.float64)
    sens = np.asarray(truth["price_sensitivity"], dtype=np.float64)
    aff = np.asarray(truth["styling_affinity"], dtype=np.float64)
    base = LIFT_BASE + LIFT_PER_SENSITIVITY * sens
    lift = base * (offer_strength / COUPON_DISCOUNT) * (1.0 + AFFINITY_WEIGHT[kind] * (2 * aff - 1))
    lift = np.clip(lift, 0.0, LIFT_MAX)
    q1 = 1 - (1 - q0) * (1 - lift)
    return 1 - np.exp(-m * q0), 1 - np.exp(-m * q1)


def read_truth(world_dir: str | Path) -> dict[str, Any]:
    """`truth/user_propensity.csv` as arrays by column (user_id as strings)."""
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(Path(world_dir) / "truth" / "user_propensity.csv")
    return {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}


def response_truth() -> dict[str, Any]:
    """truth/offer_response.json: the model above in words and constants."""
    return {
        "campaign_window": "any days after the simulated window (November 2026 on)",
        "chances": "Poisson(m), m = rate_<domain> x days (final funnel steps reached)",
        "p0": "1 - exp(-m q0_<domain>)",
        "p1": "1 - exp(-m q1), q1 = 1 - (1 - q0)(1 - lift)",
        "lift": "min(max((lift_base + lift_per_sensitivity x price_sensitivity) x "
        "strength / past_coupon_discount x (1 + affinity_weight[kind] x "
        "(2 x styling_affinity - 1)), 0), lift_max)",
        "strength": {
            "coupon, bundle": "face_value / order_value",
            "free_lesson": FREE_LESSON_STRENGTH,
            "content": CONTENT_STRENGTH,
        },
        "lift_base": LIFT_BASE,
        "lift_per_sensitivity": LIFT_PER_SENSITIVITY,
        "lift_max": LIFT_MAX,
        "past_coupon_discount": COUPON_DISCOUNT,
        "affinity_weight": AFFINITY_WEIGHT,
        "styling_affinity": "min(1, 3 x the user's taste share of fashion_design courses)",
        "rate": "expected final-step chances per active day over the window "
        "(0 for segments that lapse)",
        "per_user_file": "truth/user_propensity.csv",
    }
