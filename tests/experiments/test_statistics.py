"""Degenerate input, internal consistency and properties of the tests on aggregates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seamline.errors import ConfigError, DataError
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.bayes import bayes_test
from seamline.experiments.cuped import cuped_test
from seamline.experiments.sequential import group_sequential_bounds, sequential_test
from seamline.experiments.srm import srm_check
from seamline.experiments.tests import ratio_test, welch_test, ztest_proportions


@pytest.mark.parametrize(
    "result, reason",
    [
        (welch_test(MeanAgg(0, 0, 0), MeanAgg(10, 5, 5)), "fewer than 2 units"),
        (welch_test(MeanAgg(1, 3, 9), MeanAgg(10, 5, 5)), "fewer than 2 units"),
        (welch_test(MeanAgg.of([2, 2, 2]), MeanAgg.of([3, 3])), "zero variance"),
        (welch_test(MeanAgg.of([0, 0]), MeanAgg.of([1, 2]), relative=True), "control mean"),
        (ztest_proportions(ProportionAgg(0, 0), ProportionAgg(10, 3)), "fewer than 1"),
        (ztest_proportions(ProportionAgg(10, 0), ProportionAgg(10, 0)), "zero variance"),
        (ratio_test(JointAgg.of([1, 2], [0, 0]), JointAgg.of([1, 2], [1, 1])), "denominator"),
        (sequential_test(MeanAgg.of([1, 1]), MeanAgg.of([1, 1])), "zero variance"),
        (cuped_test(JointAgg.of([], []), JointAgg.of([1.0, 2.0], [1.0, 3.0])), "fewer than"),
    ],
)
def test_degenerate_input_gives_nan_with_a_reason(result: object, reason: str) -> None:
    assert math.isnan(result.p_value) and math.isnan(result.ci_low)  # type: ignore[attr-defined]
    assert reason in result.reason  # type: ignore[attr-defined]


def test_degenerate_bayes_gives_nan_with_a_reason() -> None:
    r = bayes_test(ProportionAgg(5, 0), ProportionAgg(5, 0))
    assert math.isnan(r.chance_to_win) and r.reason == "zero variance in both arms"


def test_one_arm_with_zero_variance_is_still_a_test() -> None:
    r = welch_test(MeanAgg.of([1.0] * 50), MeanAgg.of(np.linspace(0, 3, 60)))
    assert r.reason is None and 0 <= r.p_value <= 1 and math.isfinite(r.dof)


def test_bad_aggregates_and_settings_raise() -> None:
    with pytest.raises(DataError, match="successes"):
        ProportionAgg(5, 6)
    with pytest.raises(DataError, match="0 or 1"):
        ProportionAgg.of([0, 2])
    with pytest.raises(DataError, match="finite"):
        MeanAgg(3, math.nan, 1)
    with pytest.raises(ConfigError, match="alpha"):
        welch_test(MeanAgg.of([1, 2]), MeanAgg.of([1, 3]), alpha=1.5)
    with pytest.raises(ConfigError, match="weights"):
        srm_check([10, 10], [1, 0])


def test_srm_without_units_is_nan_with_a_reason() -> None:
    r = srm_check([0, 0])
    assert math.isnan(r.p_value) and r.reason and not r.flagged


values = st.lists(
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=3, max_size=40
)


@given(values, values)
def test_welch_interval_and_p_value_agree(x: list[float], y: list[float]) -> None:
    r = welch_test(MeanAgg.of(x), MeanAgg.of(y))
    if r.reason is not None or r.se < 1e-9:
        return
    excludes_zero = r.ci_low > 0 or r.ci_high < 0
    if abs(r.p_value - r.alpha) > 1e-9:
        assert excludes_zero == (r.p_value < r.alpha)


@given(values, values)
def test_sequential_interval_contains_the_fixed_one(x: list[float], y: list[float]) -> None:
    fixed = welch_test(MeanAgg.of(x), MeanAgg.of(y))
    seq = sequential_test(MeanAgg.of(x), MeanAgg.of(y), tuning=100)
    if fixed.reason is not None or fixed.se < 1e-9:
        return
    # The confidence sequence is never narrower than the z interval at the same alpha.
    z_half = 1.959963984540054 * fixed.se
    assert seq.ci_high - seq.estimate >= z_half * (1 - 1e-9)
    excludes_zero = seq.ci_low > 0 or seq.ci_high < 0
    if abs(seq.p_value - seq.alpha) > 1e-9:
        assert excludes_zero == (seq.p_value < seq.alpha)


@given(st.lists(st.integers(0, 1), min_size=1, max_size=50), st.integers(0, 49))
def test_aggregates_are_additive(bits: list[int], cut: int) -> None:
    cut = min(cut, len(bits))
    a, b = JointAgg.of(bits[:cut], bits[:cut]), JointAgg.of(bits[cut:], bits[cut:])
    whole = JointAgg.of(bits, bits)
    joined = a + b
    assert joined.n == whole.n and joined.xy == pytest.approx(whole.xy)
    assert ProportionAgg.of(bits).mean == pytest.approx(whole.y.mean)


def test_relative_and_absolute_report_both_lifts() -> None:
    c, t = ProportionAgg(1000, 100), ProportionAgg(1000, 120)
    a, r = ztest_proportions(c, t), ztest_proportions(c, t, relative=True)
    assert a.abs_lift == pytest.approx(0.02) and a.rel_lift == pytest.approx(0.2)
    assert (a.abs_lift, a.rel_lift) == (r.abs_lift, r.rel_lift)
    assert r.estimate == pytest.approx(0.2) and a.estimate == pytest.approx(0.02)
    # The pooled z p-value tests the same hypothesis on either scale.
    assert a.p_value == r.p_value


def test_group_sequential_bounds_match_published_pocock_values() -> None:
    # Lan-DeMets Pocock-type spending, two-sided alpha 0.05 (as tabulated by gsDesign).
    assert group_sequential_bounds([0.5, 1.0]) == pytest.approx([2.157, 2.201], abs=5e-4)
    five = group_sequential_bounds([0.2, 0.4, 0.6, 0.8, 1.0])
    assert five == pytest.approx([2.438, 2.427, 2.410, 2.397, 2.386], abs=5e-4)
    # One look is the fixed-horizon test.
    assert group_sequential_bounds([1.0]) == pytest.approx([1.959964], abs=1e-6)


@pytest.mark.parametrize("spending", ["pocock", "obrien-fleming"])
def test_group_sequential_bounds_spend_exactly_alpha(spending: str) -> None:
    fractions = np.linspace(0.1, 1.0, 10)
    bounds = np.array(group_sequential_bounds(list(fractions), spending=spending))
    rng = np.random.default_rng(2)
    steps = rng.normal(0, 1, (200_000, 10)) * np.sqrt(np.diff(fractions, prepend=0.0))
    z = steps.cumsum(1) / np.sqrt(fractions)
    crossed = (np.abs(z) >= bounds).any(1).mean()
    assert crossed == pytest.approx(0.05, abs=0.0025)  # Monte Carlo s.e. ~0.0005


def test_group_sequential_design_errors() -> None:
    with pytest.raises(ConfigError, match="increasing"):
        group_sequential_bounds([0.5, 0.5])
    with pytest.raises(ConfigError, match="spending"):
        group_sequential_bounds([1.0], spending="linear")
