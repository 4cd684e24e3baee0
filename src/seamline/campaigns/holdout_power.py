"""Can the plan's holdout measure its effect? The minimum detectable effect (MDE) of the
planned campaign-against-holdout comparison, beside the predicted effect.

The plan's experiment compares the conversion rate of the campaign arm with the holdout's
(a two-proportion test, alpha 0.05, power 0.8: `experiments.power`). Its baseline is the
planned users' predicted rate without the campaign. The MDE in incremental conversions is
the per-user MDE times the campaign users: a predicted effect below it will most likely
show an interval that spans zero, whatever the campaign really does. `users_needed` is how
many planned users (at the same holdout share and per-user effect) would reach it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from seamline.errors import ConfigError
from seamline.experiments.power import mde_proportions, sample_size_proportions

ALPHA, POWER = 0.05, 0.8


def holdout_power(base_rate: np.ndarray, uplift: np.ndarray, treated: np.ndarray) -> dict[str, Any]:
    """MDE of the plan's holdout test and whether the predicted effect reaches it, from
    the planned users' predicted base rates, their uplift with the planned offer and
    which of them are in the campaign arm."""
    treated = np.asarray(treated, dtype=bool)
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    baseline = float(np.mean(base_rate)) if len(base_rate) else 0.0
    predicted = float(np.sum(np.asarray(uplift)[treated]))
    out: dict[str, Any] = {
        "alpha": ALPHA,
        "power": POWER,
        "campaign_users": n_t,
        "holdout_users": n_c,
        "baseline_rate": round(baseline, 6),
        "predicted_conversions": round(predicted, 3),
        "mde_rate": None,
        "mde_conversions": None,
        "detectable": False,
        "users_needed": None,
    }
    if n_t == 0 or n_c == 0 or not 0 < baseline < 1:
        out["warning"] = "no holdout test possible (an empty arm or no base rate)"
        return out
    ratio = n_t / n_c
    mde = mde_proportions(baseline, n_c, alpha=ALPHA, power=POWER, ratio=ratio)
    per_user = predicted / n_t
    out["mde_rate"] = None if math.isnan(mde) else round(mde, 6)
    out["mde_conversions"] = None if math.isnan(mde) else round(mde * n_t, 2)
    out["detectable"] = bool(not math.isnan(mde) and per_user >= mde)
    if per_user > 0:
        try:
            need = sample_size_proportions(
                baseline, per_user, alpha=ALPHA, power=POWER, ratio=ratio
            )
            out["users_needed"] = need.total
        except ConfigError:  # the effect would push the rate past 1
            out["users_needed"] = None
    if not out["detectable"]:
        need_text = (
            f"; about {out['users_needed']:,} planned users would" if out["users_needed"] else ""
        )
        mde_text = f"{out['mde_conversions']:,.1f}" if out["mde_conversions"] is not None else "n/a"
        out["warning"] = (
            f"the predicted effect ({predicted:,.1f} incremental conversions) is below what "
            f"the holdout of {n_c:,} can detect ({mde_text} at alpha {ALPHA}, power "
            f"{POWER:.0%}){need_text}: the measured interval will likely span zero"
        )
    return out
