"""The world's true response to a future campaign, per user and offer (truth/).

While the world is simulated, `Propensity` records each user's funnel per domain: how
many final steps (cart -> purchase, click -> enroll) their views are expected to reach per
active day, their mean chance to buy there, and the order value. A new campaign in the
days after the window continues that funnel: over `days` days a user reaches the final
step a Poisson(`m`) number of times, `m = rate * days`, and buys at each with `q0`, so
`p0 = 1 - exp(-m q0)`; segments that lapse are inactive by then. An offer moves users the
way the past coupon did (`offer_effect`): one logit shift, growing with the offer's
strength, with price sensitivity for discounts (coupons, bundles) and, for bundles, free
lessons and content, with the user's cross-domain affinity (their taste for styling
courses), of their mean click-through `c` (`click_<domain>`) and affordability `a` (read
back from `q0 = base + slope x a`). More clicks and, in fashion, more carts give
`m1 = m x c1/c0 (x a1/a0)`, and `p1 = 1 - exp(-m1 q1)`: price-sensitive users gain a
multiple of their low base rate, users who barely care about price gain little.
`response_probabilities` is that model; `truth/user_propensity.csv` its per-user inputs
and `truth/offer_response.json` its constants. Analyses never read them: simulation and
benchmarks do.
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
from seamline.data.synthetic.offer_effect import (
    DEAL_PULL,
    PROB_EPS,
    discount_shift,
    shifted,
)
from seamline.data.synthetic.personas import SEGMENTS, seg_array
from seamline.data.synthetic.users import Users, user_ids
from seamline.data.synthetic.vocab import COURSE_CATEGORIES, FASHION, KNOWLEDGE
from seamline.data.synthetic.window import WINDOW_DAYS

# A free first lesson moves users like this share off; content alone like a small one.
FREE_LESSON_STRENGTH = 0.1
CONTENT_STRENGTH = 0.02
# Bundles, free lessons and content reach further with users who like styling courses.
AFFINITY_WEIGHT = {"coupon": 0.0, "bundle": 0.6, "free_lesson": 0.5, "content": 0.8}
STYLING = COURSE_CATEGORIES.index("fashion_design")
DOMAINS = {"knowledge": KNOWLEDGE, "fashion": FASHION}
COLUMNS = (
    "user_id", "segment", "price_sensitivity", "styling_affinity",
    "rate_knowledge", "q0_knowledge", "order_value_knowledge", "click_knowledge",
    "rate_fashion", "q0_fashion", "order_value_fashion", "click_fashion",
)  # fmt: skip


class Propensity:
    """Per user and domain, over the whole window: the expected number of final-step
    chances (each view's chance to be clicked, and carted for fashion), and the chance-
    weighted buy probability and order value there (filled chunk by chunk)."""

    def __init__(self, n: int) -> None:
        self.chances = np.zeros((n, 2))
        self.p0 = np.zeros((n, 2))
        self.value = np.zeros((n, 2))
        self.clicks = np.zeros((n, 2))  # summed click probabilities of the views
        self.views = np.zeros((n, 2))

    def add(self, v: Views, d: Decision) -> None:
        fashion = v.domain == FASHION
        base = np.where(fashion, BUY_BASE[FASHION], BUY_BASE[KNOWLEDGE])
        slope = np.where(fashion, BUY_AFFORD[FASHION], BUY_AFFORD[KNOWLEDGE])
        afford = (d.p0 - base) / slope  # the funnel's affordability of this view's item
        click = CLICK_BASE + CLICK_MATCH * v.match
        chance = click * np.where(fashion, CART_RATE * afford, 1)
        idx = v.user * 2 + v.domain  # domains are 0 and 1
        size = self.chances.size
        self.clicks += np.bincount(idx, weights=click, minlength=size).reshape(-1, 2)
        self.views += np.bincount(idx, minlength=size).reshape(-1, 2)
        self.chances += np.bincount(idx, weights=chance, minlength=size).reshape(-1, 2)
        self.p0 += np.bincount(idx, weights=chance * d.p0, minlength=size).reshape(-1, 2)
        self.value += np.bincount(idx, weights=chance * d.gross, minlength=size).reshape(-1, 2)

    def table(self, u: Users) -> pa.Table:
        n = self.chances.shape[0]
        seen = np.maximum(self.chances, 1e-12)
        # Users without a chance in a domain would buy like its average when they come.
        q0 = np.where(self.chances > 0, self.p0 / seen, _mean(self.p0, self.chances))
        value = np.where(self.chances > 0, self.value / seen, _mean(self.value, self.chances))
        viewed = np.maximum(self.views, 1)
        click = np.where(self.views > 0, self.clicks / viewed, _mean(self.clicks, self.views))
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
            cols[f"click_{name}"] = np.round(click[:, d], 6)
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


def offer_shift(kind: str, offer_strength: float, sens: Floats, aff: Floats) -> Floats:
    """The offer's logit shift of affordability per user (`offer_effect`): a discount pulls
    with the user's price sensitivity, a free lesson or a message like a discount felt by a
    user of sensitivity 1; bundles, lessons and messages pull harder with users who like
    styling courses."""
    price = sens if kind in ("coupon", "bundle") else np.ones_like(sens)
    reach = 1.0 + AFFINITY_WEIGHT[kind] * (2 * aff - 1)
    return np.asarray(discount_shift(price, offer_strength) * reach)


def response_probabilities(
    truth: dict[str, Floats | Ints],
    domain: str,
    kind: str,
    offer_strength: float,
    days: float,
) -> tuple[Floats, Floats]:
    """True P(buy in `domain` within `days`) without and with the offer, per user row of
    `truth` (the columns of user_propensity.csv as arrays)."""
    d = DOMAINS[domain]
    m = np.asarray(truth[f"rate_{domain}"], dtype=np.float64) * days
    q0 = np.asarray(truth[f"q0_{domain}"], dtype=np.float64)
    sens = np.asarray(truth["price_sensitivity"], dtype=np.float64)
    aff = np.asarray(truth["styling_affinity"], dtype=np.float64)
    c0 = np.clip(np.asarray(truth[f"click_{domain}"], dtype=np.float64), PROB_EPS, 1 - PROB_EPS)
    a0 = np.clip((q0 - BUY_BASE[d]) / BUY_AFFORD[d], PROB_EPS, 1 - PROB_EPS)
    shift = offer_shift(kind, offer_strength, sens, aff)
    a1, c1 = shifted(a0, shift), shifted(c0, shift)
    q1 = BUY_BASE[d] + BUY_AFFORD[d] * a1
    # More clicks, and in fashion more carts as affordability grows.
    m1 = m * (c1 / c0) * (a1 / a0 if d == FASHION else 1.0)
    return 1 - np.exp(-m * q0), 1 - np.exp(-m1 * q1)


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
        "afford": "a0 = (q0_<domain> - buy_base) / buy_afford (the user's mean affordability)",
        "shift": "deal_pull x strength x (price_sensitivity for coupon and bundle, else 1) x "
        "(1 + affinity_weight[kind] x (2 x styling_affinity - 1))",
        "a1, c1": "sigmoid(logit(a0) + shift), sigmoid(logit(click_<domain>) + shift)",
        "p1": "1 - exp(-m1 q1), q1 = buy_base + buy_afford x a1, m1 = m x c1 / c0 x a1 / a0 "
        "in fashion (more clicks, carts grow with affordability), m x c1 / c0 in knowledge",
        "buy_base": dict(zip(("knowledge", "fashion"), BUY_BASE, strict=True)),
        "buy_afford": dict(zip(("knowledge", "fashion"), BUY_AFFORD, strict=True)),
        "deal_pull": DEAL_PULL,
        "strength": {
            "coupon, bundle": "face_value / order_value",
            "free_lesson": FREE_LESSON_STRENGTH,
            "content": CONTENT_STRENGTH,
        },
        "affinity_weight": AFFINITY_WEIGHT,
        "styling_affinity": "min(1, 3 x the user's taste share of fashion_design courses)",
        "rate": "expected final-step chances per active day over the window "
        "(0 for segments that lapse)",
        "per_user_file": "truth/user_propensity.csv",
    }
