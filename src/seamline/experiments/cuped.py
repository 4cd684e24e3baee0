"""CUPED: variance reduction with a pre-period covariate (Deng et al. 2013).

Each unit's metric y is adjusted to y - θ (x - x̄) where x is the same unit's value before
the experiment, θ = Cov(x, y) / Var(x) over both arms together and x̄ the mean of x over
both arms. Because x cannot be moved by the treatment, the adjusted difference estimates
the same effect with variance shrunk by about 1 - corr(x, y)².
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from seamline.experiments.aggregates import JointAgg
from seamline.experiments.tests import (
    Effect,
    TestResult,
    check_alpha,
    effect_from_moments,
    result_from_effect,
)


@dataclass(frozen=True)
class CupedMoments:
    theta: float
    control_mean: float
    control_var: float
    treatment_mean: float
    treatment_var: float


def cuped_moments(control: JointAgg, treatment: JointAgg) -> CupedMoments:
    """θ and each arm's adjusted mean and per-unit variance (NaN θ -> no adjustment)."""
    both = control + treatment
    var_x = both.x.variance
    theta = both.covariance / var_x if var_x and not math.isnan(var_x) else 0.0
    x_bar = both.x.mean

    def adjusted(a: JointAgg) -> tuple[float, float]:
        mean = a.y.mean - theta * (a.x.mean - x_bar)
        var = a.y.variance - 2 * theta * a.covariance + theta**2 * a.x.variance
        return mean, max(var, 0.0) if not math.isnan(var) else var

    (mc, vc), (mt, vt) = adjusted(control), adjusted(treatment)
    return CupedMoments(theta, mc, vc, mt, vt)


def cuped_effect(control: JointAgg, treatment: JointAgg, *, relative: bool = False) -> Effect:
    """The adjusted effect; the reported arm means stay the raw ones people recognise."""
    m = cuped_moments(control, treatment)
    e = effect_from_moments(
        m.control_mean,
        m.control_var,
        control.n,
        m.treatment_mean,
        m.treatment_var,
        treatment.n,
        relative=relative,
        welch_dof=True,
    )
    return replace(e, control_mean=control.y.mean, treatment_mean=treatment.y.mean)


def cuped_test(
    control: JointAgg, treatment: JointAgg, *, alpha: float = 0.05, relative: bool = False
) -> TestResult:
    """Welch test on CUPED-adjusted means (y = metric, x = pre-period covariate)."""
    check_alpha(alpha)
    return result_from_effect(cuped_effect(control, treatment, relative=relative), "cuped", alpha)
