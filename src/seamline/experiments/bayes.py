"""Bayesian read-out: chance to win and expected loss of each choice.

With a flat (improper) prior on the effect, as GrowthBook's engine uses by default, the
posterior of the lift is normal around the estimate with the estimate's standard error,
so the chance that treatment beats control is Φ(estimate / se) and the expected loss of
shipping treatment is E[max(-lift, 0)] (of keeping control, E[max(lift, 0)]). For a metric
where lower is better (`inverse=True`) the roles swap.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats
from scipy.special import digamma, polygamma

from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.effects import effect
from seamline.experiments.tests import (
    Effect,
    check_alpha,
)

NAN = math.nan


@dataclass(frozen=True)
class BayesResult:
    estimate: float
    se: float
    ci_low: float  # credible interval
    ci_high: float
    chance_to_win: float
    risk_control: float  # expected loss of keeping control
    risk_treatment: float  # expected loss of shipping treatment
    relative: bool
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bayes_from_effect(e: Effect, *, alpha: float = 0.05, inverse: bool = False) -> BayesResult:
    check_alpha(alpha)
    if e.reason is not None:
        return BayesResult(NAN, NAN, NAN, NAN, NAN, NAN, NAN, e.relative, e.reason)
    mu, sd = e.estimate, math.sqrt(e.variance)
    z = mu / sd
    q = float(stats.norm.ppf(1 - alpha / 2))
    # E[max(X, 0)] for X ~ N(mu, sd): mu Φ(z) + sd φ(z).
    gain = mu * float(stats.norm.cdf(z)) + sd * float(stats.norm.pdf(z))
    loss = gain - mu  # E[max(-X, 0)]
    ctw = float(stats.norm.cdf(z))
    if inverse:
        ctw, gain, loss = 1 - ctw, loss, gain
    return BayesResult(mu, sd, mu - q * sd, mu + q * sd, ctw, gain, loss, e.relative)


def bayes_test(
    control: MeanAgg | ProportionAgg | JointAgg,
    treatment: MeanAgg | ProportionAgg | JointAgg,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    inverse: bool = False,
) -> BayesResult:
    """Chance to win, credible interval and risk for a mean, proportion or ratio metric."""
    return bayes_from_effect(
        effect(control, treatment, relative=relative), alpha=alpha, inverse=inverse
    )


@dataclass(frozen=True)
class BetaResult:
    chance_to_win: float
    expected: float  # relative lift, exp(mean of log ratio) - 1
    ci_low: float
    ci_high: float


def beta_binomial_test(
    control: ProportionAgg,
    treatment: ProportionAgg,
    *,
    prior: tuple[float, float] = (1.0, 1.0),
    alpha: float = 0.05,
) -> BetaResult:
    """Beta-binomial read-out on the log of the rate ratio (the older GrowthBook engine's
    method): each arm's posterior Beta(a + x, b + n - x), its log moments by digamma and
    trigamma, and a normal approximation of the log ratio."""
    check_alpha(alpha)
    (a0, b0) = prior
    moments = []
    for agg in (control, treatment):
        a, b = a0 + agg.successes, b0 + agg.n - agg.successes
        moments.append(
            (
                float(digamma(a) - digamma(a + b)),
                float(polygamma(1, a) - polygamma(1, a + b)),
            )
        )
    (mc, vc), (mt, vt) = moments
    mu, sd = mt - mc, math.sqrt(vc + vt)
    q = float(stats.norm.ppf(1 - alpha / 2))
    return BetaResult(
        float(stats.norm.sf(0, mu, sd)),
        math.exp(mu) - 1,
        math.exp(mu - q * sd) - 1,
        math.exp(mu + q * sd) - 1,
    )
