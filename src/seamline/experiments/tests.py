"""Fixed-horizon frequentist tests on aggregates: Welch t, two-proportion z, ratio metrics.

Every test returns a `TestResult` holding the arm means, the absolute and relative lift,
and the estimate, standard error, interval and p-value on the scale asked for (`relative`:
treatment / control - 1, with its variance by the delta method). Degenerate input (an
empty arm, zero variance in both arms, a zero control mean for a relative lift) gives NaN
with the reason in `reason`, never an exception or a silent number.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from scipy import stats

from seamline.errors import ConfigError
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg

NAN = math.nan


@dataclass(frozen=True)
class TestResult:
    """The comparison of one treatment arm with control on one metric."""

    __test__ = False  # not a pytest test class

    method: str
    control_mean: float
    treatment_mean: float
    abs_lift: float
    rel_lift: float
    relative: bool  # scale of estimate / se / ci
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float
    dof: float = math.inf
    reason: str | None = None

    @property
    def significant(self) -> bool:
        return not math.isnan(self.p_value) and self.p_value < self.alpha

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Effect:
    """A point estimate and the variance of that estimate, before any interval is drawn."""

    control_mean: float
    treatment_mean: float
    abs_lift: float
    rel_lift: float
    relative: bool
    estimate: float
    variance: float
    dof: float = math.inf
    reason: str | None = None


def check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1 (exclusive), got {alpha}")


def effect_from_moments(
    mean_c: float,
    var_c: float,
    n_c: int,
    mean_t: float,
    var_t: float,
    n_t: int,
    *,
    relative: bool,
    min_n: int = 2,
    welch_dof: bool = False,
) -> Effect:
    """Difference (or relative lift) of two means with the variance of that estimate.

    `var_*` are per-unit variances; the relative lift's variance is the delta method's
    Var(t/c) ≈ Var(t)/c² + t² Var(c)/c⁴ on the arm means."""
    abs_lift = mean_t - mean_c if n_c and n_t else NAN
    rel_lift = abs_lift / mean_c if n_c and n_t and mean_c != 0 else NAN

    def bad(reason: str) -> Effect:
        return Effect(mean_c, mean_t, abs_lift, rel_lift, relative, NAN, NAN, NAN, reason)

    if n_c < min_n or n_t < min_n:
        return bad(f"an arm has fewer than {min_n} units (control {n_c}, treatment {n_t})")
    if math.isnan(var_c) or math.isnan(var_t):
        return bad("variance is undefined")
    vc, vt = var_c / n_c, var_t / n_t
    if vc + vt <= 0:
        return bad("zero variance in both arms")
    if relative:
        if mean_c == 0:
            return bad("control mean is zero, so a relative lift is undefined")
        estimate = rel_lift
        variance = vt / mean_c**2 + vc * mean_t**2 / mean_c**4
    else:
        estimate, variance = abs_lift, vc + vt
    dof = math.inf
    if welch_dof:
        # Welch-Satterthwaite on the raw arm variances (GrowthBook uses the same for both
        # scales); an arm with zero variance contributes no term.
        den = (vc**2 / (n_c - 1) if vc else 0.0) + (vt**2 / (n_t - 1) if vt else 0.0)
        dof = (vc + vt) ** 2 / den
    return Effect(mean_c, mean_t, abs_lift, rel_lift, relative, estimate, variance, dof)


def result_from_effect(
    e: Effect, method: str, alpha: float, *, z_for_p: float | None = None
) -> TestResult:
    """Two-sided interval and p-value from an effect (t with `dof`, normal when infinite).

    `z_for_p` overrides the statistic used for the p-value (the pooled z of a proportion
    test), the interval staying the Wald one."""
    if e.reason is not None:
        return TestResult(
            method, e.control_mean, e.treatment_mean, e.abs_lift, e.rel_lift, e.relative,
            NAN, NAN, NAN, NAN, NAN, alpha, e.dof, e.reason,
        )  # fmt: skip
    se = math.sqrt(e.variance)
    dist = stats.norm if math.isinf(e.dof) else stats.t(e.dof)
    q = float(dist.ppf(1 - alpha / 2))
    if z_for_p is not None:
        p = float(2 * stats.norm.sf(abs(z_for_p)))
    else:
        p = float(2 * dist.sf(abs(e.estimate / se)))
    return TestResult(
        method,
        e.control_mean,
        e.treatment_mean,
        e.abs_lift,
        e.rel_lift,
        e.relative,
        e.estimate,
        se,
        e.estimate - q * se,
        e.estimate + q * se,
        p,
        alpha,
        e.dof,
    )


def mean_effect(control: MeanAgg, treatment: MeanAgg, *, relative: bool = False) -> Effect:
    return effect_from_moments(
        control.mean,
        control.variance,
        control.n,
        treatment.mean,
        treatment.variance,
        treatment.n,
        relative=relative,
        welch_dof=True,
    )


def welch_test(
    control: MeanAgg, treatment: MeanAgg, *, alpha: float = 0.05, relative: bool = False
) -> TestResult:
    """Welch's unequal-variance t-test on the difference of means (or the relative lift)."""
    check_alpha(alpha)
    return result_from_effect(mean_effect(control, treatment, relative=relative), "welch", alpha)


def proportion_effect(
    control: ProportionAgg, treatment: ProportionAgg, *, relative: bool = False
) -> Effect:
    return effect_from_moments(
        control.mean,
        control.variance,
        control.n,
        treatment.mean,
        treatment.variance,
        treatment.n,
        relative=relative,
        min_n=1,
    )


def ztest_proportions(
    control: ProportionAgg,
    treatment: ProportionAgg,
    *,
    alpha: float = 0.05,
    relative: bool = False,
    pooled: bool = True,
) -> TestResult:
    """Two-proportion z-test. The interval is the unpooled (Wald) one; the p-value uses the
    pooled proportion under H0 (p1 = p2) unless `pooled=False`, which makes it agree
    exactly with the interval."""
    check_alpha(alpha)
    e = proportion_effect(control, treatment, relative=relative)
    z = None
    if pooled and e.reason is None:
        n = control.n + treatment.n
        p = (control.successes + treatment.successes) / n
        se0 = math.sqrt(p * (1 - p) * (1 / control.n + 1 / treatment.n))
        z = (treatment.mean - control.mean) / se0 if se0 > 0 else 0.0
    return result_from_effect(e, "ztest", alpha, z_for_p=z)


def ratio_moments(agg: JointAgg) -> tuple[float, float]:
    """Ratio of means y/x and the per-unit variance of that ratio by the delta method."""
    mx, my = agg.x.mean, agg.y.mean
    if agg.n < 2 or mx == 0 or math.isnan(mx):
        return (my / mx if agg.n and mx else NAN), NAN
    var = agg.y.variance / mx**2 - 2 * my * agg.covariance / mx**3 + my**2 * agg.x.variance / mx**4
    return my / mx, max(var, 0.0)


def ratio_effect(control: JointAgg, treatment: JointAgg, *, relative: bool = False) -> Effect:
    """Effect on a ratio metric (sum y / sum x per arm, e.g. revenue per visit)."""
    rc, vc = ratio_moments(control)
    rt, vt = ratio_moments(treatment)
    for name, agg in (("control", control), ("treatment", treatment)):
        if agg.n >= 2 and agg.x.total == 0:
            return replace(
                effect_from_moments(rc, NAN, 0, rt, NAN, 0, relative=relative),
                reason=f"the {name} arm's denominator sums to zero",
            )
    return effect_from_moments(rc, vc, control.n, rt, vt, treatment.n, relative=relative)


def ratio_test(
    control: JointAgg, treatment: JointAgg, *, alpha: float = 0.05, relative: bool = False
) -> TestResult:
    """z-test on a ratio metric (numerator y over denominator x, units are users), with
    the delta-method variance of each arm's ratio."""
    check_alpha(alpha)
    return result_from_effect(ratio_effect(control, treatment, relative=relative), "ratio", alpha)
