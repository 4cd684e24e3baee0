"""Per-unit rows from a CSV file: the arm column, metric columns checked value by value
(numbers, 0/1 or TRUE/FALSE) and an optional segment column; errors name file, line and
column."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from seamline.errors import DataError

TRUE_WORDS = {"1", "true", "t", "yes", "y"}
FALSE_WORDS = {"0", "false", "f", "no", "n"}


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
