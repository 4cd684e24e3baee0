"""From per-unit rows to an analysis: sums per arm, tests, corrections, breakdowns.

`analyze` takes plain arrays (one value per unit: its arm, each metric, optional
covariates and a segment label), sums them per arm (`aggregates.ColumnSums`) and hands
the sums to `compare`, which runs the tests chosen; `read_units_csv` reads such rows from
a CSV file and checks every value. The statistics themselves see aggregates only.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from seamline.errors import ConfigError, DataError
from seamline.experiments.aggregates import ColumnSums
from seamline.experiments.compare import analysis_from_sums, check_options
from seamline.experiments.sequential import DEFAULT_TUNING
from seamline.experiments.spec import Analysis, Kind, Method, MetricSpec, json_ready

__all__ = [
    "Analysis",
    "Kind",
    "Method",
    "MetricSpec",
    "analyze",
    "column_sums",
    "is_binary",
    "json_ready",
    "parse_metric",
    "read_units_csv",
]

TRUE_WORDS = {"1", "true", "t", "yes", "y"}
FALSE_WORDS = {"0", "false", "f", "no", "n"}


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


# --------------------------------------------------------------------------------------
# CSV of per-unit rows
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Units:
    arm: npt.NDArray[Any]
    columns: dict[str, npt.NDArray[np.float64]]
    segment: npt.NDArray[Any] | None = None


def parse_metric(path: str, column: str, values: Sequence[str | None]) -> npt.NDArray[np.float64]:
    """Text values -> floats: numbers, or TRUE/FALSE (yes/no, t/f) as 1/0. Anything else,
    including an empty value, is an error naming the line."""
    out = np.empty(len(values), dtype=np.float64)
    for i, raw in enumerate(values):
        v = (raw or "").strip()
        low = v.lower()
        if low in TRUE_WORDS:
            out[i] = 1.0
            continue
        if low in FALSE_WORDS:
            out[i] = 0.0
            continue
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            what = "is empty" if not v else f"{v!r} is not a number"
            raise DataError(
                f"{path} line {i + 2}, column {column!r}: {what} "
                "(expected a number, 0/1 or TRUE/FALSE)"
            )
        out[i] = x
    return out


def _to_floats(path: str, column: str, values: Any) -> npt.NDArray[np.float64]:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # fast path: plain numbers
        out = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        if np.isfinite(out).all():
            return np.asarray(out, dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    return parse_metric(path, column, values.to_pylist())


def read_units_csv(
    path: str | Path,
    arm_col: str,
    metric_cols: Sequence[str],
    *,
    segment_col: str | None = None,
) -> Units:
    """Read one row per unit (user) from a CSV file: the arm column, each metric column
    (and denominators / covariates, listed in `metric_cols` too) and an optional segment."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    with p.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    wanted = list(dict.fromkeys([arm_col, *metric_cols, *([segment_col] if segment_col else [])]))
    missing = [c for c in wanted if c not in header]
    if missing:
        raise DataError(
            f"{p}: no column {', '.join(repr(c) for c in missing)}; columns: {', '.join(header)}"
        )
    try:
        table = pacsv.read_csv(
            p,
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as e:
        raise DataError(f"{p}: not a readable CSV file ({e})") from None
    arms = table.column(arm_col).to_pylist()
    for i, a in enumerate(arms):
        if a is None or not str(a).strip():
            raise DataError(f"{p} line {i + 2}, column {arm_col!r}: the arm is empty")
    columns = {c: _to_floats(str(p), c, table.column(c)) for c in metric_cols}
    seg = None
    if segment_col:
        seg = np.asarray(
            [("" if s is None else str(s).strip()) for s in table.column(segment_col).to_pylist()],
            dtype=object,
        )
    return Units(np.asarray([str(a).strip() for a in arms], dtype=object), columns, seg)
