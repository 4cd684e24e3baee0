"""Compare arms from their sums: every metric for every arm against control, then
corrections across metrics and arms, SRM and an optional breakdown per segment.

The input is one `ColumnSums` per arm (and per segment and arm): n with sums, squares and
cross products, as one GROUP BY returns them in DuckDB or Spark (`outcomes.arm_sums`) or
as `analyze` computes them from per-unit arrays. Nothing here sees per-unit rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from seamline.errors import ConfigError, DataError
from seamline.experiments import corrections
from seamline.experiments.aggregates import ColumnSums, JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.bayes import bayes_from_effect
from seamline.experiments.effects import Joint, effect, test_name
from seamline.experiments.sequential import (
    DEFAULT_TUNING,
    equal_looks_bound,
    group_sequential_from_effect,
    sequential_from_effect,
)
from seamline.experiments.spec import Analysis, Method, MetricSpec
from seamline.experiments.srm import srm_check
from seamline.experiments.tests import check_alpha, result_from_effect


def check_options(alpha: float, method: str, looks: int | None, planned_n: int | None) -> None:
    check_alpha(alpha)
    if method not in ("fixed", "sequential", "group-sequential"):
        raise ConfigError(
            f"unknown method {method!r}; allowed: fixed, sequential, group-sequential"
        )
    if method == "group-sequential" and (not looks or not planned_n):
        raise ConfigError("the group-sequential method needs `looks` and `planned_n`")


def _aggs(
    spec: MetricSpec, kind: str, sums: Sequence[ColumnSums]
) -> list[ProportionAgg | MeanAgg | JointAgg]:
    x = spec.denominator if kind == "ratio" else spec.covariate
    return [s.aggregate(kind, spec.name, x) for s in sums]


def analyze_sums(
    arms: Mapping[str, ColumnSums],
    metrics: Sequence[MetricSpec],
    *,
    control: str,
    alpha: float = 0.05,
    relative: bool = False,
    method: Method = "fixed",
    tuning: float = DEFAULT_TUNING,
    correction: str = "none",
    weights: Mapping[str, float] | None = None,
    segments: Mapping[str, Mapping[str, ColumnSums]] | None = None,
    pooled: bool = True,
    arms_order: Sequence[str] | None = None,
    looks: int | None = None,
    planned_n: int | None = None,
    spending: str = "pocock",
) -> Analysis:
    """`analyze` on sums per arm (and per segment and arm) instead of per-unit rows.

    Every metric needs an explicit kind (sums cannot tell a 0/1 column); an arm of the
    design without units counts as empty. See `analyze` for the options."""
    check_options(alpha, method, looks, planned_n)
    specs = list(metrics)
    if not specs:
        raise ConfigError("give at least one metric to analyse")
    auto = [s.name for s in specs if s.kind == "auto"]
    if auto:
        raise ConfigError(f"metric {auto[0]!r}: give its kind (binary, mean or ratio)")
    names = list(arms_order) if arms_order else sorted(arms)
    if control not in names:
        raise DataError(
            f"control arm {control!r} not found; arms present: {', '.join(names) or 'none'}"
        )
    names = [control, *(a for a in names if a != control)]
    if len(names) < 2:
        raise DataError(f"need at least two arms to compare, found only {names}")
    unknown = sorted(set(arms) - set(names))
    if unknown:
        raise DataError(f"units in arms outside the design: {unknown}; arms: {names}")
    keys = {k for s in arms.values() for k in s.sums}

    def ordered(cells: Mapping[str, ColumnSums]) -> list[ColumnSums]:
        empty = ColumnSums(0, dict.fromkeys(keys, 0.0))
        return [cells.get(a, empty) for a in names]

    return analysis_from_sums(
        names,
        ordered(arms),
        {v: ordered(cells) for v, cells in sorted((segments or {}).items())},
        specs,
        {s.name: s.kind for s in specs},
        alpha=alpha,
        relative=relative,
        method=method,
        tuning=tuning,
        correction=correction,
        weights=weights,
        pooled=pooled,
        looks=looks,
        planned_n=planned_n,
        spending=spending,
    )


def analysis_from_sums(
    names: list[str],
    sums: list[ColumnSums],
    segments: Mapping[str, list[ColumnSums]],
    specs: list[MetricSpec],
    kinds: Mapping[str, str],
    *,
    alpha: float,
    relative: bool,
    method: Method,
    tuning: float,
    correction: str,
    weights: Mapping[str, float] | None,
    pooled: bool,
    looks: int | None,
    planned_n: int | None,
    spending: str,
) -> Analysis:
    """The analysis of arms `names` (control first) from their sums, in that order."""
    counts = [s.n for s in sums]
    w = None
    if weights is not None:
        missing = [a for a in names if a not in weights]
        if missing:
            raise ConfigError(f"weights missing for arms {missing}")
        w = [float(weights[a]) for a in names]
    srm = srm_check(counts, w)
    bound = None
    if method == "group-sequential":
        assert looks is not None and planned_n is not None
        bound = equal_looks_bound(sum(counts), planned_n, looks, alpha=alpha, spending=spending)
    opts: dict[str, Any] = dict(
        alpha=alpha, relative=relative, method=method, tuning=tuning, pooled=pooled, bound=bound
    )
    results = _compare(sums, names, specs, kinds, **opts)
    adjusted = corrections.adjust([r["p_value"] for r in results], correction)
    for r, p in zip(results, adjusted, strict=True):
        r["p_value_adjusted"] = p
        r["significant"] = bool(not math.isnan(p) and p < r["significant_at"])
    breakdown: list[dict[str, Any]] = []
    for value, cells in segments.items():
        for r in _compare(cells, names, specs, kinds, **opts):
            breakdown.append({"segment": value, **r})
    return Analysis(
        control=names[0],
        arms=dict(zip(names, counts, strict=True)),
        srm=srm,
        results=results,
        segments=breakdown,
        settings={
            "control": names[0],
            "alpha": alpha,
            "relative": relative,
            "method": method,
            "tuning": tuning if method == "sequential" else None,
            "looks": looks if method == "group-sequential" else None,
            "planned_n": planned_n if method == "group-sequential" else None,
            "bound": bound,
            "correction": correction,
            "pooled": pooled,
            "kinds": dict(kinds),
        },
    )


def _compare(
    sums: Sequence[ColumnSums],
    names: list[str],
    specs: list[MetricSpec],
    kinds: Mapping[str, str],
    *,
    alpha: float,
    relative: bool,
    method: Method,
    tuning: float,
    pooled: bool,
    bound: float | None,
) -> list[dict[str, Any]]:
    rows = []
    for s in specs:
        kind = kinds[s.name]
        aggs = _aggs(s, kind, sums)
        joint: Joint = "cuped" if s.covariate is not None else "ratio"
        c = aggs[0]
        for i in range(1, len(names)):
            t = aggs[i]
            e = effect(c, t, relative=relative, joint=joint)
            test = test_name(c, joint)
            if method == "sequential":
                r = sequential_from_effect(e, c.n + t.n, alpha=alpha, tuning=tuning)
            elif method == "group-sequential":
                assert bound is not None
                r = group_sequential_from_effect(e, bound, alpha=alpha)
            else:
                z = None
                if test == "ztest" and pooled and e.reason is None:
                    z = _pooled_z(c, t)  # type: ignore[arg-type]
                r = result_from_effect(e, test, alpha, z_for_p=z)
            b = bayes_from_effect(e, alpha=alpha, inverse=s.inverse)
            harm = r.ci_high < 0 if not s.inverse else r.ci_low > 0
            rows.append(
                {
                    "metric": s.name,
                    "arm": names[i],
                    "kind": kind,
                    "test": test if method == "fixed" else f"{test}+{method}",
                    "n_control": c.n,
                    "n_treatment": t.n,
                    "control_mean": r.control_mean,
                    "treatment_mean": r.treatment_mean,
                    "abs_lift": r.abs_lift,
                    "rel_lift": r.rel_lift,
                    "relative": relative,
                    "estimate": r.estimate,
                    "se": r.se,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "p_value": r.p_value,
                    "significant_at": r.alpha,
                    "chance_to_win": b.chance_to_win,
                    "risk_control": b.risk_control,
                    "risk_treatment": b.risk_treatment,
                    "inverse": s.inverse,
                    "guardrail": s.guardrail,
                    "guardrail_failed": bool(s.guardrail and harm),
                    "reason": r.reason,
                }
            )
    return rows


def _pooled_z(c: ProportionAgg, t: ProportionAgg) -> float | None:
    n = c.n + t.n
    if not c.n or not t.n:
        return None
    p = (c.successes + t.successes) / n
    se0 = math.sqrt(p * (1 - p) * (1 / c.n + 1 / t.n))
    return (t.mean - c.mean) / se0 if se0 > 0 else 0.0
