"""The statistics against published reference values (gbstats) and against statsmodels,
scipy and gbstats 0.2.1 run on the same inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gbstats.bayesian.main import binomial_ab_test
from gbstats.gbstats import check_srm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, normal_sample_size_one_tail
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.proportion import test_proportions_2indep as _wald_test
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from seamline.experiments import power
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.bayes import bayes_test, beta_binomial_test
from seamline.experiments.corrections import adjust
from seamline.experiments.cuped import cuped_test
from seamline.experiments.sequential import sequential_test
from seamline.experiments.srm import srm_check
from seamline.experiments.tests import ratio_test, welch_test, ztest_proportions

TOL = 1e-6
# Inputs of ../shared/reference/ab-golden-values.md (gbstats' published test values).
A = MeanAgg(3407, 1396.87, 52377.9767)
B = MeanAgg(3461, 2422.7, 134698.29)


def close(x: float, expected: float, places: int = 5) -> bool:
    """Equal at the printed precision of the golden file."""
    return abs(x - expected) <= 0.5 * 10**-places + 1e-12


# ---------------------------------------------------------------- golden values (gbstats)
def test_welch_relative_matches_gbstats_golden() -> None:
    r = welch_test(A, B, relative=True)
    assert close(r.estimate, 0.70732)
    assert close(r.ci_low, -0.03526) and close(r.ci_high, 1.44989)
    assert close(r.se, 0.37879)
    assert close(r.p_value, 0.06191)


def test_welch_absolute_matches_gbstats_golden() -> None:
    r = welch_test(A, B, relative=False)
    assert close(r.estimate, 0.29)
    assert close(r.ci_low, 0.04538) and close(r.ci_high, 0.53462)


def test_sequential_means_matches_gbstats_golden() -> None:
    r = sequential_test(MeanAgg(3000, 1396.87, 52377.9767), B, relative=True, tuning=1000)
    assert close(r.estimate, 0.50336)
    assert close(r.ci_low, -0.55844) and close(r.ci_high, 1.56516)
    assert close(r.se, 0.33341)
    assert r.p_value == 1.0


def test_sequential_proportions_matches_gbstats_golden() -> None:
    r = sequential_test(
        ProportionAgg(3000, 1396), ProportionAgg(3461, 2422), relative=True, tuning=5000
    )
    assert close(r.estimate, 0.50386)
    assert close(r.ci_low, 0.40098) and close(r.ci_high, 0.60675)
    assert close(r.se, 0.03386)


def test_bayes_binomial_matches_gbstats_golden() -> None:
    r = bayes_test(ProportionAgg(100, 49), ProportionAgg(100, 51), relative=True)
    assert close(r.estimate, 0.04082)
    assert close(r.ci_low, -0.24779) and close(r.ci_high, 0.32943)
    assert close(r.chance_to_win, 0.60918)
    assert close(r.risk_control, 0.0814, 4) and close(r.risk_treatment, 0.04058)


def test_bayes_gaussian_matches_gbstats_golden() -> None:
    # The golden file labels this case "absolute", but its numbers are the relative lift:
    # the means are 10 and 10.5, so the absolute effect would be 0.5, not 0.05.
    r = bayes_test(MeanAgg(10, 100, 1002.25), MeanAgg(10, 105, 1111.5), relative=True)
    assert close(r.estimate, 0.05)
    assert close(r.ci_low, -0.02) and close(r.ci_high, 0.12)
    assert close(r.chance_to_win, 0.91923)
    assert close(r.risk_control, 0.05131) and close(r.risk_treatment, 0.00131)


def test_inverse_metric_swaps_chance_and_risk() -> None:
    up = bayes_test(ProportionAgg(100, 49), ProportionAgg(100, 51))
    down = bayes_test(ProportionAgg(100, 49), ProportionAgg(100, 51), inverse=True)
    assert down.chance_to_win == pytest.approx(1 - up.chance_to_win, abs=1e-12)
    assert (down.risk_control, down.risk_treatment) == (up.risk_treatment, up.risk_control)


# ----------------------------------------------------- same inputs through other libraries
@pytest.fixture(scope="module")
def samples() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.gamma(2.0, 3.0, 900), rng.gamma(2.2, 3.0, 1200)


def test_welch_agrees_with_scipy_and_statsmodels(samples: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = samples
    r = welch_test(MeanAgg.of(x), MeanAgg.of(y))
    sc = stats.ttest_ind(y, x, equal_var=False)
    assert r.p_value == pytest.approx(sc.pvalue, abs=TOL)
    assert r.estimate / r.se == pytest.approx(sc.statistic, abs=TOL)
    lo, hi = CompareMeans(DescrStatsW(y), DescrStatsW(x)).tconfint_diff(usevar="unequal")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=TOL)


def test_ztest_agrees_with_statsmodels() -> None:
    c, t = ProportionAgg(21306, 122), ProportionAgg(21307, 267)
    r = ztest_proportions(c, t)
    z, p = proportions_ztest([t.successes, c.successes], [t.n, c.n])
    assert r.p_value == pytest.approx(p, abs=TOL)
    lo, hi = confint_proportions_2indep(
        t.successes, t.n, c.successes, c.n, method="wald", compare="diff"
    )
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=TOL)
    unpooled = ztest_proportions(c, t, pooled=False)
    wald = _wald_test(t.successes, t.n, c.successes, c.n, method="wald")
    assert unpooled.p_value == pytest.approx(wald.pvalue, abs=TOL)
    assert z > 0


def test_srm_agrees_with_gbstats_and_scipy() -> None:
    counts, weights = [5120, 4880, 10150], [0.25, 0.25, 0.5]
    r = srm_check(counts, weights)
    assert r.p_value == pytest.approx(check_srm(counts, weights), abs=TOL)
    expected = [w * sum(counts) for w in weights]
    assert r.p_value == pytest.approx(stats.chisquare(counts, expected).pvalue, abs=TOL)
    assert srm_check([5000, 5500]).flagged and not srm_check([5000, 5050]).flagged


def test_beta_binomial_agrees_with_gbstats_021() -> None:
    ours = beta_binomial_test(ProportionAgg(1000, 120), ProportionAgg(1050, 150))
    theirs = binomial_ab_test(120, 1000, 150, 1050)
    assert ours.chance_to_win == pytest.approx(theirs["chance_to_win"], abs=TOL)
    assert ours.expected == pytest.approx(theirs["expected"], abs=TOL)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(theirs["ci"]), abs=TOL)


@pytest.mark.parametrize("method, sm", [("holm", "holm"), ("bh", "fdr_bh")])
def test_corrections_agree_with_statsmodels(method: str, sm: str) -> None:
    p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9]
    assert adjust(p, method) == pytest.approx(list(multipletests(p, method=sm)[1]), abs=1e-12)


def test_corrections_leave_degenerate_tests_out() -> None:
    adjusted = adjust([0.01, math.nan, 0.04], "holm")
    assert math.isnan(adjusted[1])
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.04)


def test_cuped_equals_welch_on_adjusted_values() -> None:
    rng = np.random.default_rng(11)
    pre_c, pre_t = rng.gamma(2, 5, 800), rng.gamma(2, 5, 820)
    y_c = 0.8 * pre_c + rng.normal(0, 3, 800)
    y_t = 0.8 * pre_t + rng.normal(0.9, 3, 820)
    r = cuped_test(JointAgg.of(y_c, pre_c), JointAgg.of(y_t, pre_t))
    x_all, y_all = np.r_[pre_c, pre_t], np.r_[y_c, y_t]
    theta = np.cov(x_all, y_all)[0, 1] / np.var(x_all, ddof=1)
    adj_c = y_c - theta * (pre_c - x_all.mean())
    adj_t = y_t - theta * (pre_t - x_all.mean())
    sc = stats.ttest_ind(adj_t, adj_c, equal_var=False)
    assert r.estimate == pytest.approx(adj_t.mean() - adj_c.mean(), abs=TOL)
    assert r.p_value == pytest.approx(sc.pvalue, abs=TOL)
    plain = welch_test(MeanAgg.of(y_c), MeanAgg.of(y_t))
    assert r.se < 0.6 * plain.se  # corr(pre, y) is high, so the variance shrinks


def test_ratio_delta_method_equals_linearisation() -> None:
    rng = np.random.default_rng(5)

    def arm(n: int, ctr: float) -> tuple[np.ndarray, np.ndarray]:
        views = rng.poisson(8, n).astype(float) + 1
        return rng.binomial(views.astype(int), ctr).astype(float), views

    (cc, cv), (tc, tv) = arm(1500, 0.10), arm(1600, 0.11)
    r = ratio_test(JointAgg.of(cc, cv), JointAgg.of(tc, tv))

    def lin_var(num: np.ndarray, den: np.ndarray) -> float:
        mx, my = den.mean(), num.mean()
        return float(np.var(num / mx - my * den / mx**2, ddof=1) / num.size)

    se = math.sqrt(lin_var(cc, cv) + lin_var(tc, tv))
    est = tc.sum() / tv.sum() - cc.sum() / cv.sum()
    assert r.estimate == pytest.approx(est, abs=1e-12)
    assert r.se == pytest.approx(se, abs=TOL)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(est / se)), abs=TOL)


# ------------------------------------------------------------------------------- design
def test_sample_size_for_proportions_agrees_with_statsmodels() -> None:
    for ratio in (1.0, 2.0):
        ours = power.sample_size_proportions(0.1, 0.01, ratio=ratio)
        # statsmodels' nobs1 is the treatment arm and its ratio is control / treatment.
        n_treat = samplesize_proportions_2indep_onetail(0.01, 0.1, 0.8, ratio=1 / ratio)
        assert ours.n_control_exact == pytest.approx(n_treat / ratio, abs=TOL)
    n = power.sample_size_proportions(0.1, 0.01).n_control_exact
    sm = power_proportions_2indep(0.01, 0.1, n).power
    assert power.power_proportions(0.1, 0.01, n) == pytest.approx(sm, abs=TOL)


def test_sample_size_and_power_for_means_agree_with_statsmodels() -> None:
    ours = power.sample_size_means(2.0, 0.3)
    sm = normal_sample_size_one_tail(0.3, 0.8, 0.025, std_null=2.0 * math.sqrt(2))
    assert ours.n_control_exact == pytest.approx(sm, abs=TOL)
    assert power.power_means(2.0, 0.3, 1000) == pytest.approx(
        NormalIndPower().power(0.15, 1000, 0.05), abs=TOL
    )


def test_mde_inverts_sample_size() -> None:
    n = power.sample_size_proportions(0.05, 0.1, relative=True).n_control_exact
    assert power.mde_proportions(0.05, n) == pytest.approx(0.005, rel=1e-8)
    assert power.mde_means(3.0, power.sample_size_means(3.0, 0.25).n_control_exact) == (
        pytest.approx(0.25, rel=1e-8)
    )


def test_days_needed_from_daily_traffic() -> None:
    s = power.sample_size_proportions(0.1, 0.01, daily_units=1000)
    assert s.days == math.ceil(s.total / 1000)
    ratio = power.sample_size_ratio(0.3, 1.0, 0.4, 0.5, 0.03, cov=0.2)
    sd = power.ratio_sd(0.3, 1.0, 0.4, 0.5, 0.2)
    assert ratio.n_control == power.sample_size_means(sd, 0.03).n_control
