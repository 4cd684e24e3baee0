"""Users of the synthetic world: segment, campaign arm, demographics, tastes and activity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from seamline.data.columns import USER_COLUMNS
from seamline.data.synthetic.arrays import Bools, Floats, Ints, categorical, ids, iso, pick
from seamline.data.synthetic.personas import (
    ACTIVITY_SPREAD,
    SEGMENTS,
    SHARE_CONCENTRATION,
    TASTE_CONCENTRATION,
    seg_array,
    taste_matrix,
)
from seamline.data.synthetic.vocab import (
    AGE_BANDS,
    CITIES,
    CITY_WEIGHTS,
    N_COURSE_CATS,
    OCCUPATIONS,
)
from seamline.data.synthetic.window import DAY_S, LOCAL_OFFSET_S, WINDOW_DAYS, WINDOW_START_UTC

EVENTS_PER_VIEW = 1.56  # measured events per planned view; calibrates `events_per_user`


@dataclass
class Users:
    n: int
    segment: Ints
    coupon: Bools  # campaign arm: True = coupon
    first_day: Ints  # first window day (local) the user can be active
    signup_s: Ints  # signup time, UTC epoch seconds
    gender: Ints  # 0 female, 1 male
    age: Ints
    city: Ints
    occupation: Ints
    taste: Floats  # (n, len(CATEGORIES)); each domain's block sums to 1
    knowledge_share: Floats
    sensitivity: Floats
    views: Floats  # expected item views over the window


def make_users(n: int, events_per_user: float, rng: np.random.Generator) -> Users:
    shares = seg_array("share")
    segment = rng.choice(len(SEGMENTS), size=n, p=shares / shares.sum()).astype(np.int64)

    coupon = np.zeros(n, dtype=bool)
    coupon[rng.permutation(n)[: n // 2]] = True  # exactly half get the coupon

    # Most users signed up before the window; 15% join during it and act from the next day.
    # Segments that go quiet (dormant) are old accounts, never newcomers.
    lapses = seg_array("active_days")[segment] < WINDOW_DAYS
    joins_late = (rng.random(n) < 0.15) & ~lapses
    signup_day = np.where(joins_late, rng.integers(0, WINDOW_DAYS - 14, n), 0)
    first_day = np.where(joins_late, signup_day + 1, 0).astype(np.int64)
    early_start = int(np.datetime64("2021-01-01", "s").astype(np.int64)) - LOCAL_OFFSET_S
    early = rng.integers(early_start, WINDOW_START_UTC, n)
    late = WINDOW_START_UTC + signup_day * DAY_S + rng.integers(0, DAY_S, n)
    signup_s = np.where(joins_late, late, early).astype(np.int64)

    female = rng.random(n) < seg_array("female_share")[segment]
    age_draw = rng.normal(seg_array("age_mean")[segment], seg_array("age_sd")[segment])
    age = np.clip(np.rint(age_draw), 16, 75).astype(np.int64)
    city_w = np.array(list(CITY_WEIGHTS.values()), dtype=np.float64)
    city = rng.choice(len(CITIES), size=n, p=city_w / city_w.sum()).astype(np.int64)
    occ_w = np.array([[s.occupations.get(o, 0.0) for o in OCCUPATIONS] for s in SEGMENTS])
    occupation = categorical(rng, occ_w[segment])

    base = taste_matrix()[segment] * TASTE_CONCENTRATION
    g = rng.gamma(base)  # Dirichlet draws, one per domain block
    k, f = g[:, :N_COURSE_CATS], g[:, N_COURSE_CATS:]
    taste = np.hstack([k / k.sum(axis=1, keepdims=True), f / f.sum(axis=1, keepdims=True)])

    p = seg_array("knowledge_share")[segment]
    knowledge_share = rng.beta(p * SHARE_CONCENTRATION, (1 - p) * SHARE_CONCENTRATION)
    sensitivity = seg_array("price_sensitivity")[segment] * rng.lognormal(0.0, 0.25, n)

    activity = seg_array("activity")
    activity = activity / (activity @ (shares / shares.sum()))  # population mean = 1
    noise = rng.lognormal(-(ACTIVITY_SPREAD**2) / 2, ACTIVITY_SPREAD, n)  # mean 1
    views = events_per_user / EVENTS_PER_VIEW * activity[segment] * noise
    return Users(
        n=n,
        segment=segment,
        coupon=coupon,
        first_day=first_day,
        signup_s=signup_s,
        gender=(~female).astype(np.int64),
        age=age,
        city=city,
        occupation=occupation,
        taste=taste,
        knowledge_share=knowledge_share,
        sensitivity=sensitivity,
        views=views,
    )


def user_ids(numbers: Ints, n_users: int) -> pa.Array:
    return ids("U", numbers, max(7, len(str(n_users))))


def users_table(u: Users) -> pa.Table:
    bands = np.searchsorted([lo for lo, _ in AGE_BANDS], u.age, side="right") - 1
    return pa.table(
        {
            "user_id": user_ids(np.arange(1, u.n + 1), u.n),
            "gender": pick(("female", "male"), u.gender),
            "age": pa.array(u.age),
            "age_band": pick(tuple(b for _, b in AGE_BANDS), bands),
            "city": pick(CITIES, u.city),
            "occupation": pick(OCCUPATIONS, u.occupation),
            "signup_at": iso(u.signup_s),
        }
    ).select(list(USER_COLUMNS))


def truth_users_table(u: Users) -> pa.Table:
    return pa.table(
        {
            "user_id": user_ids(np.arange(1, u.n + 1), u.n),
            "segment": pick(tuple(s.key for s in SEGMENTS), u.segment),
        }
    )


def assignment_table(u: Users) -> pa.Table:
    return pa.table(
        {
            "user_id": user_ids(np.arange(1, u.n + 1), u.n),
            "arm": pick(("control", "coupon"), u.coupon.astype(np.int64)),
        }
    )
