"""From per-unit rows to an analysis: sums per arm, tests, corrections, breakdowns.

`analyze` takes plain arrays (one value per unit: its arm, each metric, optional
covariates and a segment label), sums them per arm (`aggregates.ColumnSums`) and hands
the sums to `compare`, which runs the tests chosen; `analyze_table` does the same for a CSV
file of such rows (read and checked by `seamline.experiments.io`). The statistics
themselves see aggregates only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from seamline.errors import ConfigError, DataError
from seamline.experiments.aggregates import ColumnSums
from seamline.experiments.compare import analysis_from_sums, check_options
from seamline.experiments.io import Units, parse_metric, read_units_csv
from seamline.experiments.sequential import DEFAULT_TUNING
from seamline.experiments.spec import Analysis, Kind, Method, MetricSpec, json_ready

__all__ = [
    "Analysis",
    "Kind",
    "Method",
    "MetricSpec",
    "Units",
    "analyze",
    "analyze_table",
    "column_sums",
    "is_binary",
    "json_ready",
    "parse_metric",
    "read_units_csv",
]


def is_binary(values: npt.NDArray[np.float64]) -> bool:
    return bool(values.size) and bool(np.isin(values, (0.0, 1.0)).all())


def analyze(
    arm: Sequence[str] | npt.NDArray[Any],
    columns: Mapping[str, npt.ArrayLike],
    metrics: Sequence[MetricSpec | str],
    *,
    control: str,
    alpha: float = 0.05,
    relative: bool = False,
    method: Method = "fixed",
    tuning: float = DEFAULT_TUNING,
    correction: str = "none",
    weights: Mapping[str, float] | None = None,
    segment: Sequence[str] | npt.NDArray[Any] | None = None,
    pooled: bool = True,
    arms_order: Sequence[str] | None = None,
    looks: int | None = None,
    planned_n: int | None = None,
    spending: str = "pocock",
) -> Analysis:
    """Compare every arm with `control` on every metric.

    `arm` holds each unit's arm; `columns` each metric's values per unit (and any
    denominator or covariate named by a spec). `weights` are the designed arm shares for
    the SRM check (equal when None). `segment` adds a breakdown per segment value.

    `method`: `fixed` (one look at the end), `sequential` (always-valid confidence
    sequence, tightest near `tuning` units: look at any time) or `group-sequential`
    (`looks` equally spaced looks planned up to `planned_n` units, alpha spent by
    `spending`: exact alpha over those looks)."""
    check_options(alpha, method, looks, planned_n)
    specs = [m if isinstance(m, MetricSpec) else MetricSpec(m) for m in metrics]
    if not specs:
        raise ConfigError("give at least one metric to analyse")
    arm_arr = np.asarray(arm).astype(str)
    cols: dict[str, npt.NDArray[np.float64]] = {}
    for s in specs:
        for col in (s.name, s.denominator, s.covariate):
            if col is None:
                continue
            if col not in columns:
                raise ConfigError(f"metric {s.name!r}: no column {col!r}; have {sorted(columns)}")
            try:
                cols[col] = np.asarray(columns[col], dtype=np.float64)
            except (TypeError, ValueError):
                raise DataError(f"column {col!r} holds values that are not numbers") from None
            if cols[col].shape != arm_arr.shape:
                raise DataError(
                    f"column {col!r} has {cols[col].size} values for {arm_arr.size} units"
                )
            bad = ~np.isfinite(cols[col])
            if bad.any():
                raise DataError(
                    f"column {col!r}: {int(bad.sum())} missing or non-finite values "
                    f"(first at unit {int(np.argmax(bad))}); fill or drop them first"
                )
    present, inverse = np.unique(arm_arr, return_inverse=True)
    present_names = [str(a) for a in present]
    names = list(arms_order) if arms_order else present_names
    if control not in names:
        raise DataError(
            f"control arm {control!r} not found; arms present: {', '.join(names) or 'none'}"
        )
    names = [control, *(a for a in names if a != control)]
    if len(names) < 2:
        raise DataError(f"need at least two arms to compare, found only {names}")
    index = {a: i for i, a in enumerate(names)}
    unknown = sorted(set(present_names) - set(index))
    if unknown:
        raise DataError(f"units in arms outside the design: {unknown}; arms: {names}")
    codes = np.array([index[a] for a in present_names], dtype=np.int64)[inverse.ravel()]
    kinds = {
        s.name: ("binary" if is_binary(cols[s.name]) else "mean") if s.kind == "auto" else s.kind
        for s in specs
    }
    segments: dict[str, list[ColumnSums]] = {}
    if segment is not None:
        seg = np.asarray(segment, dtype=object).astype(str)
        if seg.shape != arm_arr.shape:
            raise DataError(f"segment has {seg.size} values for {arm_arr.size} units")
        for value in sorted(set(seg.tolist())):
            mask = seg == value
            masked = {k: v[mask] for k, v in cols.items()}
            segments[value] = column_sums(codes[mask], len(names), masked, specs)
    return analysis_from_sums(
        names,
        column_sums(codes, len(names), cols, specs),
        segments,
        specs,
        kinds,
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


def column_sums(
    codes: npt.NDArray[np.int64],
    n_arms: int,
    columns: Mapping[str, npt.NDArray[np.float64]],
    specs: Sequence[MetricSpec],
) -> list[ColumnSums]:
    """Per arm code: n and the sums, squares and cross products the specs read."""

    def sums(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.bincount(codes, weights=v, minlength=n_arms).astype(np.float64)

    per_key: dict[str, npt.NDArray[np.float64]] = {}
    for s in specs:
        x = s.denominator if s.kind == "ratio" else s.covariate
        for c in (s.name, x):
            if c is not None and c not in per_key:
                per_key[c] = sums(columns[c])
                per_key[ColumnSums.key(c, c)] = sums(columns[c] * columns[c])
        if x is not None:
            a, b = sorted((s.name, x))
            per_key.setdefault(ColumnSums.key(a, b), sums(columns[a] * columns[b]))
    counts = np.bincount(codes, minlength=n_arms)
    return [
        ColumnSums(int(n), {k: float(v[i]) for k, v in per_key.items()})
        for i, n in enumerate(counts)
    ]


def _ratio_columns(name: str, spec: str | Sequence[str]) -> tuple[str, str]:
    num, sep, den = spec.partition("/") if isinstance(spec, str) else ("", "", "")
    cols = [num, den] if sep else [spec] if isinstance(spec, str) else list(spec)
    cols = [str(c).strip() for c in cols]
    if len(cols) != 2 or not all(cols):
        raise ConfigError(f"ratio {name!r}: {spec!r}: expected NUMERATOR/DENOMINATOR columns")
    return cols[0], cols[1]


def analyze_table(
    path: str | Path,
    arm_col: str,
    metrics: Sequence[str] = (),
    *,
    control: str,
    ratios: Mapping[str, str | Sequence[str]] | None = None,
    covariates: Mapping[str, str] | None = None,
    guardrails: Iterable[str] = (),
    inverse: Iterable[str] = (),
    segment_col: str | None = None,
    weights: Mapping[str, float] | None = None,
    tuning: float | None = None,
    **options: Any,
) -> Analysis:
    """Analyse a CSV file of per-unit rows (one per user) column by column.

    `metrics` are columns (0/1, TRUE/FALSE or numbers); `ratios` maps a ratio metric's name
    to its NUMERATOR/DENOMINATOR columns ("clicks/views" or a pair); `covariates` maps a
    metric to its pre-period column (CUPED); `guardrails` and `inverse` name metrics.
    `tuning` (sequential) defaults to the units read. Other keywords (alpha, relative,
    method, correction, pooled, looks, planned_n, spending) go to `analyze`."""
    pairs = {n: _ratio_columns(n, r) for n, r in (ratios or {}).items()}
    cov = dict(covariates or {})
    if not metrics and not pairs:
        raise ConfigError("give at least one metric or ratio to analyse")
    unknown = sorted(set(cov) - set(metrics))
    if unknown:
        raise ConfigError(f"CUPED covariates for metrics that are not analysed: {unknown}")
    clash = sorted(set(pairs) & set(metrics))
    if clash:
        raise ConfigError(f"ratio names {clash} are also metric columns; rename the ratios")
    guard, inv = set(guardrails), set(inverse)
    needed = [*metrics, *cov.values(), *(c for pair in pairs.values() for c in pair)]
    units = read_units_csv(path, arm_col, list(dict.fromkeys(needed)), segment_col=segment_col)
    # The sums are keyed by metric name: a ratio's name carries its numerator column and
    # "<name>__den" its denominator.
    columns = dict(units.columns)
    for name, (num, den) in pairs.items():
        columns[name], columns[f"{name}__den"] = columns[num], columns[den]
    specs = [
        MetricSpec(m, covariate=cov.get(m), guardrail=m in guard, inverse=m in inv) for m in metrics
    ]
    specs += [
        MetricSpec(n, kind="ratio", denominator=f"{n}__den", guardrail=n in guard,
                   inverse=n in inv)
        for n in pairs
    ]  # fmt: skip
    return analyze(
        units.arm,
        columns,
        specs,
        control=control,
        weights=weights,
        segment=units.segment,
        tuning=tuning or max(len(units.arm), 100),
        **options,
    )
