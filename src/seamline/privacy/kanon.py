"""k-anonymity on quasi-identifiers (age, gender, city) by global generalisation and
suppression, the Datafly heuristic (Sweeney 2002): while more records than the allowed
suppression share sit in classes smaller than k, generalise the quasi-identifier with the
most distinct values one level; then suppress (drop, and count) what is still too rare.

Hierarchies: age 1 -> 5 -> 10 -> 20 years -> ``*``; an age band (``25-34``) -> ``*``;
gender -> ``*``; city -> the city when at least k records share it, else ``other`` -> ``*``.
Columns given as `fixed` (e.g. the segment) are part of every class but never generalised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seamline.errors import ConfigError

STAR = "*"
AGE_WIDTHS = (1, 5, 10, 20)


def _age(values: pd.Series, level: int) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    if level >= len(AGE_WIDTHS):
        return pd.Series(STAR, index=values.index, dtype=object)
    w = AGE_WIDTHS[level]
    lo = (np.floor(num / w) * w).astype("Int64")
    text = lo.astype(str) if w == 1 else lo.astype(str) + "-" + (lo + w - 1).astype(str)
    return text.where(num.notna(), STAR).astype(object)


def _city(values: pd.Series, level: int, k: int) -> pd.Series:
    v = values.fillna(STAR).astype(str)
    if level == 0:
        return v.astype(object)
    if level == 1:
        counts = v.map(v.value_counts())
        return v.where(counts >= k, "other").astype(object)
    return pd.Series(STAR, index=values.index, dtype=object)


def _plain(values: pd.Series, level: int) -> pd.Series:
    if level == 0:
        return values.fillna(STAR).astype(str).astype(object)
    return pd.Series(STAR, index=values.index, dtype=object)


MAX_LEVEL = {"age": len(AGE_WIDTHS), "city": 2}


def generalise(values: pd.Series, qi: str, level: int, k: int) -> pd.Series:
    if qi == "age":
        banded = values.notna() & pd.to_numeric(values, errors="coerce").isna()
        if banded.any():  # age bands ("25-34") generalise as labels
            return _plain(values, level)
        return _age(values, level)
    if qi == "city":
        return _city(values, level, k)
    return _plain(values, level)


@dataclass
class KAnonResult:
    """The k-anonymous records (suppressed rows removed) and how they were made."""

    frame: pd.DataFrame
    k: int
    quasi_identifiers: list[str]
    levels: dict[str, int]
    suppressed: int
    min_class_size: int
    classes: int
    notes: list[str] = field(default_factory=list)


def class_sizes(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Size of each record's equivalence class over `columns`."""
    if not columns:
        return pd.Series(len(frame), index=frame.index)
    cols = list(columns)
    return frame.groupby(cols, dropna=False)[cols[0]].transform("size")


def anonymise(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    k: int,
    *,
    fixed: Sequence[str] = (),
    max_suppression: float = 0.05,
) -> KAnonResult:
    """Generalise `quasi_identifiers` of `frame` until every class (with `fixed`) holds >= k
    records, suppressing at most `max_suppression` of the records once no QI can be
    generalised further within that share (then as many as it takes, reported)."""
    if k < 2:
        raise ConfigError(f"k-anonymity needs k >= 2, got {k}")
    if not 0 <= max_suppression < 1:
        raise ConfigError(f"max_suppression must be in [0, 1), got {max_suppression}")
    missing = [c for c in (*quasi_identifiers, *fixed) if c not in frame.columns]
    if missing:
        raise ConfigError(f"k-anonymity: no column(s) {', '.join(missing)} in the data")
    qis = list(quasi_identifiers)
    cols = [*qis, *fixed]
    levels = dict.fromkeys(qis, 0)
    original = {q: frame[q] for q in qis}
    out = frame.copy()
    for q in qis:
        out[q] = generalise(original[q], q, 0, k)
    allowed = int(max_suppression * len(out))
    while True:
        small = int((class_sizes(out, cols) < k).sum())
        if small <= allowed:
            break
        open_qis = [q for q in qis if levels[q] < MAX_LEVEL.get(q, 1)]
        if not open_qis:
            break
        q = max(open_qis, key=lambda c: (out[c].nunique(), -qis.index(c)))
        levels[q] += 1
        out[q] = generalise(original[q], q, levels[q], k)
    sizes = class_sizes(out, cols)
    keep = sizes >= k
    kept = out[keep].reset_index(drop=True)
    final = class_sizes(kept, cols)
    return KAnonResult(
        frame=kept,
        k=k,
        quasi_identifiers=qis,
        levels=levels,
        suppressed=int((~keep).sum()),
        min_class_size=int(final.min()) if len(kept) else 0,
        classes=int(kept.groupby(cols, dropna=False).ngroups) if len(kept) and cols else 0,
    )


def satisfies_k(
    frame: pd.DataFrame, columns: Sequence[str], k: int, *, count: str | None = None
) -> bool:
    """Whether every class over `columns` holds >= k people (`count`: a column of people
    per row, for aggregated tables)."""
    if frame.empty:
        return True
    if count is not None:
        return bool((frame.groupby(list(columns), dropna=False)[count].sum() >= k).all())
    return bool((class_sizes(frame, columns) >= k).all())
