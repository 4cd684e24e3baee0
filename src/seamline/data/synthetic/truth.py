"""The answers of the synthetic world (truth/): planted segments and the campaign's true effect."""

from __future__ import annotations

from typing import Any

import numpy as np

from seamline.data.synthetic.arrays import Bools, Floats, iso_one
from seamline.data.synthetic.behaviour import Decision, Views
from seamline.data.synthetic.offer_effect import DEAL_PULL, discount_shift
from seamline.data.synthetic.personas import (
    SEGMENTS,
    SHARE_CONCENTRATION,
    TASTE_CONCENTRATION,
    taste_matrix,
)
from seamline.data.synthetic.users import Users
from seamline.data.synthetic.vocab import (
    CHANNELS,
    COURSE_CATEGORIES,
    FASHION_CATEGORIES,
    N_COURSE_CATS,
)
from seamline.data.synthetic.window import (
    CAMPAIGN_DAYS,
    CAMPAIGN_FIRST_DAY,
    COUPON_DISCOUNT,
    COUPON_ID,
    DAY_S,
    WINDOW_START_UTC,
)


class Tally:
    """Per-user campaign outcomes, summed by (arm, segment) over all chunks.

    For every user both potential outcomes are known: the same uniform decides the last
    funnel step with and without the coupon. `e*` metrics are their model expectations.
    """

    def __init__(self) -> None:
        self.sums: dict[str, Floats] = {}

    def add(self, v: Views, u: Users, lo: int, hi: int, d: Decision) -> None:
        local = v.user - lo

        def per_user(weights: Floats | Bools) -> Floats:
            return np.bincount(local, weights=weights, minlength=hi - lo).astype(np.float64)

        def in_window(x: Floats | Bools | float) -> Floats:  # views in the campaign
            return np.where(v.in_campaign, x, 0.0)

        orders0, orders1 = per_user(in_window(d.buy0)), per_user(in_window(d.buy1))
        rev0, rev1 = per_user(in_window(d.buy0 * d.gross)), per_user(in_window(d.buy1 * d.paid1))
        coupon = u.coupon[lo:hi]
        metrics = {
            "users": np.ones(hi - lo),
            "active": per_user(v.in_campaign) > 0,
            "views": per_user(in_window(1.0)),
            "lift_sum": per_user(in_window(d.e1 - d.e0)),
            "conv0": orders0 > 0,
            "conv1": orders1 > 0,
            "rev0": rev0,
            "rev1": rev1,
            # P(at least one purchase) = 1 - product over the user's views of (1 - e).
            "econv0": 1 - np.exp(per_user(in_window(np.log1p(-d.e0)))),
            "econv1": 1 - np.exp(per_user(in_window(np.log1p(-d.e1)))),
            "erev0": per_user(in_window(d.e0 * d.gross)),
            "erev1": per_user(in_window(d.e1 * d.paid1)),
            # What the assigned arm actually showed.
            "orders": np.where(coupon, orders1, orders0),
            "converted": np.where(coupon, orders1, orders0) > 0,
            "revenue": np.where(coupon, rev1, rev0),
        }
        key = u.segment[lo:hi] + len(SEGMENTS) * coupon
        cells = 2 * len(SEGMENTS)
        for name, values in metrics.items():
            sums = np.bincount(key, weights=values, minlength=cells).astype(np.float64)
            self.sums[name] = self.sums.get(name, 0.0) + sums.reshape(2, len(SEGMENTS))

    def total(self, name: str, arm: int | None = None, seg: int | None = None) -> float:
        s = self.sums[name]
        s = s if arm is None else s[arm : arm + 1]
        s = s if seg is None else s[:, seg]
        return float(np.sum(s))


def _effects(t: Tally, seg: int | None = None) -> dict[str, dict[str, float]]:
    """True effects over all users (of one segment): model expectations and the sample's."""
    users = t.total("users", seg=seg)

    def per_user(name: str) -> float:
        return t.total(name, seg=seg) / users if users else 0.0

    out = {}
    for label, prefix in (("expected", "e"), ("sample", "")):
        c0, c1 = per_user(prefix + "conv0"), per_user(prefix + "conv1")
        r0, r1 = per_user(prefix + "rev0"), per_user(prefix + "rev1")
        out[label] = {
            "conversion_control": round(c0, 6),
            "conversion_coupon": round(c1, 6),
            "conversion_ate": round(c1 - c0, 6),
            "revenue_per_user_control": round(r0, 6),
            "revenue_per_user_coupon": round(r1, 6),
            "revenue_per_user_ate": round(r1 - r0, 6),
        }
    views = t.total("views", seg=seg)
    lift = t.total("lift_sum", seg=seg) / views if views else 0.0
    out["expected"]["buy_probability_lift_per_view"] = round(lift, 6)
    out["sample"]["users"] = int(users)
    return out


def _realised(t: Tally, arm: int) -> dict[str, float]:
    """What a difference in means between the arms sees."""
    users = int(t.total("users", arm=arm))
    orders = int(t.total("orders", arm=arm))
    converters, revenue = int(t.total("converted", arm=arm)), t.total("revenue", arm=arm)
    return {
        "users": users,
        "active_in_window": int(t.total("active", arm=arm)),
        "converters": converters,
        "conversion_rate": round(converters / users, 6) if users else 0.0,
        "orders": orders,
        "coupon_redemptions": orders if arm == 1 else 0,
        "revenue": round(revenue, 2),
        "revenue_per_user": round(revenue / users, 6) if users else 0.0,
    }


def campaign_truth(t: Tally, u: Users, seed: int) -> dict[str, Any]:
    start = WINDOW_START_UTC + CAMPAIGN_FIRST_DAY * DAY_S
    end = start + CAMPAIGN_DAYS * DAY_S
    coupon, control = _realised(t, 1), _realised(t, 0)
    effects = _effects(t)
    return {
        "name": "Golden September cross-domain coupon",
        "name_zh": "金九跨界优惠券",
        "coupon_id": COUPON_ID,
        "discount": COUPON_DISCOUNT,
        "window": {
            "start_local": "2026-09-01T00:00:00+08:00",
            "end_local": "2026-10-01T00:00:00+08:00",
            "start_utc": iso_one(start),
            "end_utc": iso_one(end),
        },
        "design": {
            "unit": "user",
            "assignment": "exactly half of all users, chosen uniformly at random (seeded)",
            "seed": seed,
            "assignment_file": "truth/campaign_assignment.csv",
        },
        "arms": [
            {
                "arm": "coupon",
                "users": int(u.coupon.sum()),
                "description": f"{COUPON_DISCOUNT:.0%} off every course enrolment and fashion "
                f"purchase in the window; those events carry coupon_id "
                f"{COUPON_ID} and the discounted value",
            },
            {"arm": "control", "users": int((~u.coupon).sum()), "description": "no coupon"},
        ],
        "effect_model": {
            "steps": "view -> click, click -> cart and cart -> purchase (fashion), "
            "view -> click and click -> enroll (knowledge)",
            "shift": "deal_pull x price_sensitivity x discount (logit scale)",
            "click_coupon": "sigmoid(logit(click) + shift)",
            "afford": "sigmoid(1.2 - price_sensitivity x log(price / reference price))",
            "afford_coupon": "sigmoid(logit(afford) + shift)",
            "cart": "0.65 x afford (fashion)",
            "buy": "0.35 + 0.45 x afford (fashion), 0.12 + 0.38 x afford (knowledge)",
            "deal_pull": DEAL_PULL,
            "note": "views are unaffected; price-sensitive users respond most; the coupon "
            "lowers the price paid, so its revenue effect can be negative for users who "
            "buy anyway",
        },
        "outcomes": {
            "conversion": "user made at least one purchase or enroll in the window",
            "revenue_per_user": "sum of value paid in the window / users (CNY)",
        },
        "true_effect": {
            **effects,
            "by_segment": {s.key: _effects(t, i)["sample"] for i, s in enumerate(SEGMENTS)},
            "note": "sample: both potential outcomes of every user (the same random draw "
            "decides the purchase with and without the coupon); expected: their "
            "model probabilities given the views",
        },
        "realised": {
            "coupon": coupon,
            "control": control,
            "difference": {
                "conversion_rate": round(coupon["conversion_rate"] - control["conversion_rate"], 6),
                "revenue_per_user": round(
                    coupon["revenue_per_user"] - control["revenue_per_user"], 6
                ),
            },
        },
    }


def segments_truth(u: Users) -> dict[str, Any]:
    counts = np.bincount(u.segment, minlength=len(SEGMENTS))
    base = taste_matrix()
    out = []
    for i, s in enumerate(SEGMENTS):
        occ_total = sum(s.occupations.values())
        out.append(
            {
                "key": s.key,
                "name_en": s.name_en,
                "name_zh": s.name_zh,
                "share": s.share,
                "users": int(counts[i]),
                "knowledge_share": s.knowledge_share,
                "course_taste": {
                    c: round(float(w), 4)
                    for c, w in zip(COURSE_CATEGORIES, base[i, :N_COURSE_CATS], strict=True)
                },
                "fashion_taste": {
                    c: round(float(w), 4)
                    for c, w in zip(FASHION_CATEGORIES, base[i, N_COURSE_CATS:], strict=True)
                },
                "price_sensitivity": s.price_sensitivity,
                "coupon_logit_shift": round(
                    float(discount_shift(s.price_sensitivity, COUPON_DISCOUNT)), 4
                ),
                "activity": s.activity,
                "views_per_session": s.session_depth,
                "channels": dict(zip(CHANNELS, s.channels, strict=True)),
                "peak_hour_local": s.peak_hour,
                "hour_spread": s.hour_spread,
                "female_share": s.female_share,
                "age_mean": s.age_mean,
                "age_sd": s.age_sd,
                "completion": s.completion,
                "occupations": {o: round(w / occ_total, 4) for o, w in s.occupations.items()},
            }
        )
    return {
        "segments": out,
        "user_variation": {
            "taste": f"Dirichlet(segment taste * {TASTE_CONCENTRATION}) per domain",
            "knowledge_share": f"Beta with concentration {SHARE_CONCENTRATION}",
            "price_sensitivity": "segment value * lognormal(0, 0.25)",
            "activity": "segment value (normalised to mean 1) * lognormal(sd 0.35)",
        },
    }


README = """\
# Ground truth of this synthetic world

Generated by `seamline.data.synthetic.generate_world`. The observable tables
(`../events.csv`, `../items.csv`, `../users.csv`) use Seamline's canonical columns; the
files here are the answers an analysis should recover. Never feed them to a model.

- `users.csv`: `user_id`, `segment`, the planted segment of every user.
- `segments.json`: each segment's English and Chinese name and its latent tastes: course
  and fashion category preferences, knowledge/fashion mix, price sensitivity (and so
  willingness to pay and coupon response), activity, channels, peak hour (local time, UTC+8),
  demographics; plus how users vary around their segment.
- `campaign.json`: the past randomised coupon campaign: arms, discount, window, the
  effect model, the true effects (expected and from per-user potential outcomes, overall
  and by segment) and the realised numbers per arm.
- `campaign_assignment.csv`: `user_id`, `arm` (`coupon` or `control`).
- `world.json`: seed, sizes and the simulated window.

How the world behaves:

- Users act on distinct local days between 2026-05-01 and 2026-10-31 (China time);
  timestamps are written in UTC. Each session is on one platform (domain) and channel.
  Dormant users visit only in their first 30 days; 15% of the others sign up during the
  window and act from the next day.
- Views pick a category from the user's taste, a price tier from their willingness to pay
  (the inverse of price sensitivity), then an item by popularity.
- Fashion funnel: view -> click -> cart -> purchase. Knowledge funnel: view -> click ->
  enroll -> complete. Purchases and completions may be followed by `rate`/`review`
  (ratings 1-5, higher when the item matches the user's taste).
- Clicks depend on taste match; carts, purchases and enrolments on price against the
  user's price sensitivity.
- Campaign: exactly half the users (seeded) got coupon `SEAMLINE-SEP20`, 20% off every
  purchase and enrolment in sessions starting in September 2026 (China time). It draws
  users in and makes items feel cheaper (one logit shift, growing with price sensitivity,
  of the click-through and of affordability), so it raises clicks, carts and buying, most
  for price-sensitive users, and cuts the price paid, so its revenue effect is negative
  where users would have bought anyway. Conversion = at
  least one purchase or enrolment in such sessions.
  `true_effect.sample` compares both potential outcomes of every user (exact for this
  world); `realised` is what a difference in means between the arms sees.
"""
