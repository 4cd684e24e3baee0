"""A randomised campaign with a known heterogeneous effect, for uplift and allocation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def campaign_frame(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Half treated; the offer lifts conversion by 0.25 for `tier == gold` with `age` above
    40 and not at all otherwise; `city` is noise, `spend` follows conversion."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 70, n)
    tier = rng.choice(["gold", "silver", "bronze"], n)
    city = rng.choice(["Shanghai", "Beijing", "Hangzhou"], n)
    treated = rng.random(n) < 0.5
    base = 0.10 + 0.002 * (age - 18)
    lift = np.where((tier == "gold") & (age > 40), 0.25, 0.0)
    conv = (rng.random(n) < base + treated * lift).astype(int)
    return pd.DataFrame(
        {
            "age": age.round(1),
            "tier": tier,
            "city": city,
            "arm": np.where(treated, "coupon", "none"),
            "converted": conv,
            "spend": (conv * rng.gamma(4, 20, n)).round(2),
        }
    )


def true_lift(frame: pd.DataFrame) -> np.ndarray:
    return np.where((frame["tier"] == "gold") & (frame["age"] > 40), 0.25, 0.0)


def band_campaign(n: int, seed: int, lift: float) -> tuple[np.ndarray, ...]:
    """Half treated; the offer lifts conversion by `lift` for ages 40-55 only: a band no
    linear model of age can rank, a tree model can."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 70, n)
    noise = rng.normal(size=(n, 2))
    t = (rng.random(n) < 0.5).astype(int)
    p = 0.2 + t * np.where((age > 40) & (age < 55), lift, 0.0)
    y = (rng.random(n) < p).astype(float)
    return np.column_stack([age, noise]), t, y
