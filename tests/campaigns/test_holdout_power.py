"""The plan's holdout power: the MDE of the campaign-against-holdout test, in conversions,
and a warning when the predicted effect is below it."""

from __future__ import annotations

import numpy as np
import pytest

from seamline.campaigns.holdout_power import holdout_power
from seamline.experiments.power import mde_proportions


def test_small_effect_on_a_small_holdout_is_flagged() -> None:
    # 1,000 planned users, 200 held out, 3% base rate, +0.5 point predicted per user
    base, up = np.full(1000, 0.03), np.full(1000, 0.005)
    treated = np.arange(1000) >= 200
    p = holdout_power(base, up, treated)
    mde = mde_proportions(0.03, 200, ratio=800 / 200)
    assert p["mde_rate"] == pytest.approx(mde, abs=1e-6)
    assert p["mde_conversions"] == pytest.approx(mde * 800, abs=0.01)
    assert p["predicted_conversions"] == pytest.approx(4.0)
    assert not p["detectable"] and "below what the holdout of 200 can detect" in p["warning"]
    # the users it would take at the same split are many more than planned
    assert p["users_needed"] > 10_000


def test_large_effect_on_a_half_holdout_is_detectable() -> None:
    base, up = np.full(6000, 0.05), np.full(6000, 0.03)
    treated = np.arange(6000) % 2 == 0
    p = holdout_power(base, up, treated)
    assert p["detectable"] and "warning" not in p
    assert p["users_needed"] <= 6000


def test_an_empty_arm_has_no_test() -> None:
    p = holdout_power(np.full(10, 0.1), np.full(10, 0.01), np.ones(10, dtype=bool))
    assert p["mde_conversions"] is None and not p["detectable"]
    assert "no holdout test" in p["warning"]
