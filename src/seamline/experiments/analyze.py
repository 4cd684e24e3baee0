"""From per-unit rows to an analysis: aggregates per arm, tests, corrections, breakdowns.

`analyze` takes plain arrays (one value per unit: its arm, each metric, optional
covariates and a segment label), turns them into the aggregates of
`seamline.experiments.aggregates` and runs the tests chosen; `read_units_csv` reads such
rows from a CSV file and checks every value. The statistics themselves see aggregates only.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from seamline.errors import ConfigError, DataError
from seamline.experiments import corrections
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.bayes import bayes_from_effect
from seamline.experiments.cuped import cuped_effect
from seamline.experiments.sequential import (
    DEFAULT_TUNING,
    equal_looks_bound,
    group_sequential_from_effect,
    sequential_from_effect,
)
from seamline.experiments.srm import SRMResult, srm_check
from seamline.experiments.tests import (
    Effect,
    check_alpha,
    mean_effect,
    proportion_effect,
    ratio_effect,
    result_from_effect,
)

Kind = Literal["auto", "binary", "mean", "ratio"]
Method = Literal["fixed", "sequential", "group-sequential"]
TRUE_WORDS = {"1", "true", "t", "yes", "y"}
FALSE_WORDS = {"0", "false", "f", "no", "n"}


@dataclass(frozen=True)
class MetricSpec:
    """How to analyse one metric column.

    kind: `binary` (two-proportion z-test), `mean` (Welch), `ratio` (sum of this column over
    sum of `denominator`, delta method) or `auto` (binary when every value is 0/1).
    `covariate` names a pre-period column for CUPED; `inverse` means lower is better;
    a `guardrail` fails when it gets significantly worse."""

    name: str
    kind: Kind = "auto"
    denominator: str | None = None
    covariate: str | None = None
    inverse: bool = False
    guardrail: bool = False

    def __post_init__(self) -> None:
        if self.kind == "ratio" and not self.denominator:
            raise ConfigError(f"metric {self.name!r}: a ratio metric needs a denominator column")
        if self.kind == "ratio" and self.covariate:
            raise ConfigError(f"metric {self.name!r}: CUPED is not available for ratio metrics")


@dataclass(frozen=True)
class Analysis:
    control: str
    arms: dict[str, int]  # units per arm
    srm: SRMResult
    results: list[dict[str, Any]]
    segments: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN becomes None."""
        return json_ready(
            {
                "control": self.control,
                "arms": self.arms,
                "srm_p_value": self.srm.p_value,
                "srm_flagged": self.srm.flagged,
                "srm": asdict(self.srm),
                "settings": self.settings,
                "results": self.results,
                "segments": self.segments,
            }
        )


def json_ready(x: Any) -> Any:
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {k: json_ready(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_ready(v) for v in x]
    if isinstance(x, np.generic):
        return json_ready(x.item())
    return x


def is_binary(values: npt.NDArray[np.float64]) -> bool:
    return bool(values.size) and bool(np.isin(values, (0.0, 1.0)).all())


def _arm_aggs(
    spec: MetricSpec,
    kind: str,
    codes: npt.NDArray[np.int64],
    n_arms: int,
    columns: Mapping[str, npt.NDArray[np.float64]],
) -> list[ProportionAgg | MeanAgg | JointAgg]:
    def sums(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.bincount(codes, weights=v, minlength=n_arms).astype(np.float64)

    counts = np.bincount(codes, minlength=n_arms)
    y = columns[spec.name]
    if kind == "binary" and spec.covariate is None:
        return [
            ProportionAgg(int(n), round(float(s))) for n, s in zip(counts, sums(y), strict=True)
        ]
    if kind == "ratio" or spec.covariate is not None:
        x = columns[spec.denominator if kind == "ratio" else spec.covariate]  # type: ignore[index]
        parts = zip(counts, sums(y), sums(y * y), sums(x), sums(x * x), sums(x * y), strict=True)
        return [JointAgg(int(n), *(float(v) for v in rest)) for n, *rest in parts]
    return [
        MeanAgg(int(n), float(a), float(b))
        for n, a, b in zip(counts, sums(y), sums(y * y), strict=True)
    ]


def _effect(kind: str, spec: MetricSpec, c: Any, t: Any, relative: bool) -> tuple[Effect, str]:
    if spec.covariate is not None:
        return cuped_effect(c, t, relative=relative), "cuped"
    if kind == "binary":
        return proportion_effect(c, t, relative=relative), "ztest"
    if kind == "ratio":
        return ratio_effect(c, t, relative=relative), "ratio"
    return mean_effect(c, t, relative=relative), "welch"


def _pooled_z(c: ProportionAgg, t: ProportionAgg) -> float | None:
    n = c.n + t.n
    if not c.n or not t.n:
        return None
    p = (c.successes + t.successes) / n
    se0 = math.sqrt(p * (1 - p) * (1 / c.n + 1 / t.n))
    return (t.mean - c.mean) / se0 if se0 > 0 else 0.0


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
    check_alpha(alpha)
    if method not in ("fixed", "sequential", "group-sequential"):
        raise ConfigError(
            f"unknown method {method!r}; allowed: fixed, sequential, group-sequential"
        )
    if method == "group-sequential" and (not looks or not planned_n):
        raise ConfigError("the group-sequential method needs `looks` and `planned_n`")
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
    counts = np.bincount(codes, minlength=len(names))
    w = None
    if weights is not None:
        missing = [a for a in names if a not in weights]
        if missing:
            raise ConfigError(f"weights missing for arms {missing}")
        w = [float(weights[a]) for a in names]
    srm = srm_check([int(c) for c in counts], w)
    bound = None
    if method == "group-sequential":
        assert looks is not None and planned_n is not None
        bound = equal_looks_bound(
            int(counts.sum()), planned_n, looks, alpha=alpha, spending=spending
        )
    opts = dict(
        alpha=alpha, relative=relative, method=method, tuning=tuning, pooled=pooled, bound=bound
    )
    results = _compare(codes, names, cols, specs, kinds, **opts)  # type: ignore[arg-type]
    adjusted = corrections.adjust([r["p_value"] for r in results], correction)
    for r, p in zip(results, adjusted, strict=True):
        r["p_value_adjusted"] = p
        r["significant"] = bool(not math.isnan(p) and p < r["significant_at"])
    breakdown: list[dict[str, Any]] = []
    if segment is not None:
        seg = np.asarray(segment, dtype=object).astype(str)
        if seg.shape != arm_arr.shape:
            raise DataError(f"segment has {seg.size} values for {arm_arr.size} units")
        for value in sorted(set(seg.tolist())):
            mask = seg == value
            rows = _compare(
                codes[mask],
                names,
                {k: v[mask] for k, v in cols.items()},
                specs,
                kinds,
                **opts,  # type: ignore[arg-type]
            )
            for r in rows:
                breakdown.append({"segment": value, **r})
    return Analysis(
        control=control,
        arms={a: int(c) for a, c in zip(names, counts, strict=True)},
        srm=srm,
        results=results,
        segments=breakdown,
        settings={
            "control": control,
            "alpha": alpha,
            "relative": relative,
            "method": method,
            "tuning": tuning if method == "sequential" else None,
            "looks": looks if method == "group-sequential" else None,
            "planned_n": planned_n if method == "group-sequential" else None,
            "bound": bound,
            "correction": correction,
            "pooled": pooled,
            "kinds": kinds,
        },
    )


def _compare(
    codes: npt.NDArray[np.int64],
    names: list[str],
    cols: Mapping[str, npt.NDArray[np.float64]],
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
        aggs = _arm_aggs(s, kind, codes, len(names), cols)
        c = aggs[0]
        for i in range(1, len(names)):
            t = aggs[i]
            e, test = _effect(kind, s, c, t, relative)
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
