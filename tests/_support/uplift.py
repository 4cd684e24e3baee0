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
