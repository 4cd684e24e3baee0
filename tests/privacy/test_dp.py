"""DP releases: the noise has the scale the epsilon promises, and the budget is enforced.

OpenDP draws noise from the OS's secure source and cannot be seeded, so the statistical
tests use many independent draws (one vector release of N equal entries is N iid draws)
and tolerances whose false-failure probability is negligible (stated per test).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from seamline.errors import ConfigError
from seamline.privacy import dp
from seamline.workspace import Workspace

N = 20_000


def test_discrete_laplace_count_noise_has_the_expected_variance() -> None:
    eps = 0.5
    noise = dp.noisy_counts(np.full(N, 100), eps) - 100
    t = 1 / eps  # discrete Laplace with scale t: variance 2 e^{-1/t} / (1 - e^{-1/t})^2
    expected = 2 * math.exp(-1 / t) / (1 - math.exp(-1 / t)) ** 2
    # Laplace-like tails (excess kurtosis ~3): sd of the sample variance ~ var*sqrt(5/N),
    # i.e. 1.6% here; a 12% tolerance is > 7 sd away (false failure << 1e-9).
    assert abs(noise.var() / expected - 1) < 0.12
    assert abs(noise.mean()) < 6 * math.sqrt(expected / N)
    assert noise.dtype == np.int64


def test_laplace_sum_noise_follows_laplace_with_scale_bound_over_epsilon() -> None:
    eps, bound = 0.8, 50.0
    noise = dp.noisy_sums(np.zeros(N), bound, eps)
    scale = bound / eps
    # KS against Laplace(0, scale): a correct mechanism fails only with probability 1e-6.
    assert stats.kstest(noise, "laplace", args=(0, scale)).pvalue > 1e-6
    # A mechanism with twice or half the scale is rejected (power ~1 at this N).
    assert stats.kstest(noise, "laplace", args=(0, 2 * scale)).pvalue < 1e-6
    assert stats.kstest(noise, "laplace", args=(0, scale / 2)).pvalue < 1e-6


def test_release_groups_clamps_and_keeps_empty_groups() -> None:
    groups = ["a"] * 500 + ["b"] * 500
    values = np.array([1e9] * 500 + [10.0] * 500)  # 'a' values are clamped to the bound
    out, scale = dp.release_groups(groups, values, "mean", 50.0, (0.0, 100.0))
    got = {g.group: g.value for g in out}
    assert scale == pytest.approx(2 * 100 / 50.0)
    # mean noise sd ~ sqrt(2)*4/500 (sum) + count noise: far below these tolerances.
    assert got["a"] == pytest.approx(100.0, abs=1.0)
    assert got["b"] == pytest.approx(10.0, abs=1.0)
    with pytest.raises(ConfigError, match="bounds"):
        dp.release_groups(groups, values, "sum", 1.0, None)


def test_budget_is_charged_and_refused_when_spent(ws_copy: Workspace) -> None:
    assert dp.budget(ws_copy)["remaining"] == dp.DEFAULT_TOTAL_EPSILON
    dp.set_budget(ws_copy, 1.0)
    r = dp.release(ws_copy, "count", epsilon=0.6)
    assert r.budget_left == pytest.approx(0.4)
    with ws_copy.connect() as con:
        sizes = dict(
            con.execute(
                "SELECT CAST(segment AS VARCHAR), count(*) FROM segments "
                "WHERE run_id = (SELECT max(run_id) FROM segments) GROUP BY 1"
            ).fetchall()
        )
    assert {g.group for g in r.groups} == set(sizes)
    # Discrete Laplace scale 1/0.6: |noise| > 40 has probability ~e^-24 per group.
    for g in r.groups:
        assert abs(g.value - sizes[g.group]) < 40
    with pytest.raises(ConfigError, match="privacy budget spent"):
        dp.release(ws_copy, "mean", epsilon=0.5, column="monetary", bounds=(0, 500))
    assert len(dp.ledger(ws_copy)) == 1  # the refused release charged nothing
    dp.release(ws_copy, "sum", epsilon=0.4, column="monetary", bounds=(0, 500), by="gender")
    assert dp.budget(ws_copy)["remaining"] == pytest.approx(0.0)
    with pytest.raises(ConfigError, match="below what is already spent"):
        dp.set_budget(ws_copy, 0.5)


def test_budget_is_exact_and_tiny_epsilons_are_refused(ws_copy: Workspace) -> None:
    dp.set_budget(ws_copy, 0.3)
    for _ in range(3):  # 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats; exactly 0.3 here
        dp.release(ws_copy, "count", epsilon=0.1)
    assert dp.budget(ws_copy) == {"total": 0.3, "spent": 0.3, "remaining": 0.0}
    for tiny in (1e-300, 5e-324, 1e-12, dp.MIN_EPSILON / 2):  # an exhausted budget stays shut
        with pytest.raises(ConfigError, match="below the minimum"):
            dp.release(ws_copy, "count", epsilon=tiny)
    with pytest.raises(ConfigError, match="privacy budget spent"):
        dp.release(ws_copy, "count", epsilon=dp.MIN_EPSILON)
    assert len(dp.ledger(ws_copy)) == 3
    dp.set_budget(ws_copy, 0.31)
    # A charge rounds up to the next micro-epsilon: 0.0100000001 costs 0.010001 > 0.01 left.
    with pytest.raises(ConfigError, match=r"needs epsilon 0\.010001, 0\.01 of 0\.31 is left"):
        dp.release(ws_copy, "count", epsilon=0.0100000001)
    dp.release(ws_copy, "count", epsilon=0.01)
    assert dp.budget(ws_copy)["remaining"] == 0.0


def test_bad_requests_name_what_is_allowed(ws_copy: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="numeric user feature"):
        dp.release(ws_copy, "sum", epsilon=0.1, column="gender", bounds=(0, 1))
    with pytest.raises(ConfigError, match="allowed are count, sum, mean"):
        dp.release(ws_copy, "median", epsilon=0.1)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="positive"):
        dp.release(ws_copy, "count", epsilon=0)
    assert dp.ledger(ws_copy) == []


def test_micro_budget_rounds_the_total_down_and_each_charge_up() -> None:
    # The report and `release` share it, so the report's "epsilon left" is what is enforced.
    assert dp.micro_budget(1.0000009, [0.1000001, 0.1000001, 0.1000001]) == (1_000_000, 300_003)
