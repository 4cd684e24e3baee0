"""Always-valid sequential intervals: look at the results as often as you like.

The asymptotic confidence sequence of Waudby-Smith et al. (2023, arXiv:2103.06476, eq. 155
and 161), as GrowthBook's engine uses it: the interval is wider than the fixed-horizon one
and stays valid (coverage >= 1 - alpha over every look together) under continuous peeking.
`tuning` (N*) is the total sample size at which the interval is tightest; set it near the
size you expect to reach.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import optimize, stats

from seamline.errors import ConfigError
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.effects import effect
from seamline.experiments.tests import (
    Effect,
    TestResult,
    check_alpha,
    result_from_effect,
)

DEFAULT_TUNING = 5000


def rho(alpha: float, tuning: float) -> float:
    """The mixture parameter that makes the sequence tightest at `tuning` units."""
    a = -2 * math.log(alpha)
    return math.sqrt((a + math.log(a + 1)) / tuning)


def sequential_from_effect(
    e: Effect, n: int, *, alpha: float = 0.05, tuning: float = DEFAULT_TUNING
) -> TestResult:
    """Widen an effect's interval into a confidence sequence; `n` is the units in both arms.

    The p-value is the always-valid one (the inverse of the e-value, capped at 1): it
    drops below alpha exactly when the interval excludes zero."""
    check_alpha(alpha)
    if tuning <= 0:
        raise ConfigError(f"sequential tuning (N*) must be > 0, got {tuning}")
    fixed = result_from_effect(replace(e, dof=math.inf), "sequential", alpha)
    if e.reason is not None:
        return fixed
    r2 = rho(alpha, tuning) ** 2
    s2 = e.variance * n  # per-unit variance of the estimate
    t = n * r2 + 1
    width = math.sqrt(s2) * math.sqrt(2 * t * math.log(math.sqrt(t) / alpha) / (n**2 * r2))
    # Solve the width equation for alpha at the observed estimate (rho held fixed).
    exponent = e.estimate**2 * n * r2 / (2 * e.variance * t)
    p = min(1.0, math.sqrt(t) * math.exp(-exponent))
    return replace(
        fixed,
        ci_low=e.estimate - width,
        ci_high=e.estimate + width,
        p_value=p,
        dof=math.inf,
    )


def sequential_test(
    control: MeanAgg | ProportionAgg | JointAgg,
    treatment: MeanAgg | ProportionAgg | JointAgg,
    *,
    alpha: float = 0.05,
    relative: bool = False,
    tuning: float = DEFAULT_TUNING,
) -> TestResult:
    """Sequential test of a mean, proportion or ratio metric (both arms of one kind)."""
    e = effect(control, treatment, relative=relative)
    return sequential_from_effect(e, control.n + treatment.n, alpha=alpha, tuning=tuning)


# --------------------------------------------------------------------------------------
# Group-sequential design: exact alpha over a planned schedule of looks
# --------------------------------------------------------------------------------------
SPENDING = ("pocock", "obrien-fleming")


def equal_looks_bound(
    n: int, planned_n: int, looks: int, *, alpha: float = 0.05, spending: str = "pocock"
) -> float:
    """Critical |z| for a look at `n` units when `looks` equally spaced looks up to
    `planned_n` units were planned: the bound of the first planned look at or after n."""
    if looks < 1 or planned_n < 1:
        raise ConfigError("a group-sequential design needs looks >= 1 and planned units >= 1")
    k = min(max(math.ceil(n / planned_n * looks - 1e-9), 1), looks)
    return group_sequential_bounds(
        [(i + 1) / looks for i in range(looks)], alpha=alpha, spending=spending
    )[k - 1]


def spent_alpha(t: float, alpha: float, spending: str) -> float:
    """Lan-DeMets spending functions: error spent by information fraction t in (0, 1]."""
    if spending == "pocock":
        return alpha * math.log(1 + (math.e - 1) * t)
    if spending == "obrien-fleming":
        return float(2 - 2 * stats.norm.cdf(stats.norm.isf(alpha / 2) / math.sqrt(t)))
    raise ConfigError(f"unknown spending function {spending!r}; allowed: {', '.join(SPENDING)}")


def group_sequential_bounds(
    fractions: Sequence[float],
    *,
    alpha: float = 0.05,
    spending: str = "pocock",
    grid: int = 401,
) -> list[float]:
    """Two-sided critical |z| at each look, so that the chance of crossing at any look
    under H0 is exactly `alpha` (Lan-DeMets alpha spending; the crossing probabilities by
    recursive numerical integration, Jennison & Turnbull 2000, ch. 19).

    `fractions` are the information fractions of the looks (n so far / planned n),
    increasing, the last one normally 1. Intervals `estimate ± bound_k x se` at every
    look then hold the truth simultaneously with probability 1 - alpha."""
    check_alpha(alpha)
    ts = [float(t) for t in fractions]
    if not ts or any(b <= a for a, b in itertools.pairwise(ts)) or ts[0] <= 0:
        raise ConfigError("information fractions must be positive and strictly increasing")
    if ts[-1] > 1 + 1e-12:
        raise ConfigError("information fractions must not exceed 1 (the planned sample)")
    bounds: list[float] = []
    # Density of the score S_k = Z_k sqrt(t_k) over the continuation region, on a grid.
    nodes = np.empty(0)
    dens = np.empty(0)
    spent_before = 0.0
    for k, t in enumerate(ts):
        target = spent_alpha(t, alpha, spending) - spent_before
        if k == 0:
            c = float(stats.norm.isf(target / 2))
            half = c * math.sqrt(t)
            nodes = np.linspace(-half, half, grid)
            dens = stats.norm.pdf(nodes, scale=math.sqrt(t))
        else:
            sd = math.sqrt(t - ts[k - 1])
            w = _simpson_weights(nodes) * dens
            if _exit_prob(0.0, t, sd, nodes, w) <= target:
                c = 0.0  # everything left would be spent: reject at any |z|
            else:
                args = (t, sd, nodes, w, target)
                c = float(optimize.brentq(_excess, 0.0, 40.0, args=args, xtol=1e-10))
            half = c * math.sqrt(t)
            new_nodes = np.linspace(-half, half, grid)
            kernel = stats.norm.pdf((new_nodes[:, None] - nodes[None, :]) / sd) / sd
            dens = kernel @ w
            nodes = new_nodes
        spent_before += target
        bounds.append(c)
    return bounds


def _exit_prob(c: float, t: float, sd: float, nodes: np.ndarray, weights: np.ndarray) -> float:
    """P(|S_t| >= c sqrt(t)) for scores continuing from `nodes` (with density x weights)
    after an independent N(0, sd²) increment."""
    edge = c * math.sqrt(t)
    p = stats.norm.sf((edge - nodes) / sd) + stats.norm.cdf((-edge - nodes) / sd)
    return float(np.dot(weights, p))


def _excess(
    c: float, t: float, sd: float, nodes: np.ndarray, weights: np.ndarray, target: float
) -> float:
    return _exit_prob(c, t, sd, nodes, weights) - target


def _simpson_weights(x: np.ndarray) -> np.ndarray:
    """Composite Simpson weights for an odd number of equally spaced nodes."""
    n = x.size
    if n < 3:
        return np.full(n, (x[-1] - x[0]) / max(n - 1, 1))
    h = (x[-1] - x[0]) / (n - 1)
    w = np.ones(n)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return w * h / 3


def group_sequential_from_effect(e: Effect, bound: float, *, alpha: float = 0.05) -> TestResult:
    """The repeated confidence interval at one look of a group-sequential design:
    estimate ± bound x se. The p-value is the look's nominal one and `alpha` in the result
    becomes the look's nominal level 2 (1 - Φ(bound)), so `significant` means the
    boundary was crossed."""
    fixed = result_from_effect(replace(e, dof=math.inf), "group-sequential", alpha)
    if e.reason is not None:
        return fixed
    se = math.sqrt(e.variance)
    return replace(
        fixed,
        ci_low=e.estimate - bound * se,
        ci_high=e.estimate + bound * se,
        alpha=float(2 * stats.norm.sf(bound)),
    )
