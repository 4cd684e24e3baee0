"""Field encoding for rankers: vocabularies with an out-of-vocabulary slot, batched arrays.

A ranker's input is a frame with one column per field. `FieldEncoder.fit` learns, from the
training frame only, one vocabulary per categorical field (values seen at least
`min_count` times) and the mean / spread of each dense field; `transform` turns any frame
into `Encoded` arrays with vectorised lookups (`pd.Index.get_indexer`), no per-row loop.

All categorical fields share one embedding table: field f owns rows
`offset[f] .. offset[f] + len(vocab[f])`, where `offset[f]` is its out-of-vocabulary slot
(unseen or missing values land there). Row 0 is padding for multi-valued fields, whose
values come as `|`-joined strings ("Action|Comedy") and are padded to `max_values`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError

Ints = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
SEP = "|"


@dataclass(frozen=True)
class Encoded:
    """One frame as arrays: `sparse` (n x fields), `multi` (n x fields x max_values),
    `dense` (n x fields, standardised), all indices into the shared embedding table."""

    sparse: Ints
    multi: Ints
    dense: F32

    def __len__(self) -> int:
        return len(self.sparse)

    def take(self, rows: Ints) -> Encoded:
        return Encoded(self.sparse[rows], self.multi[rows], self.dense[rows])


def _as_text(values: pd.Series) -> pd.Series:
    """Values as strings, missing ones as None (so they miss every vocabulary)."""
    arr = np.array(values.to_numpy(dtype=object), dtype=object)
    arr[pd.isna(values).to_numpy()] = None
    out = pd.Series(arr, index=values.index, dtype=object)
    return out.map(_text, na_action="ignore")


def _text(v: Any) -> str:
    # 3.0 and 3 are one value (a column turns float when it has gaps)
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return v if isinstance(v, str) else str(v)


def _check_columns(frame: pd.DataFrame, names: list[str]) -> None:
    missing = [c for c in names if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise DataError(f"ranker input lacks field column {missing[0]!r}; it has {have}")


class FieldEncoder:
    """Vocabularies and dense statistics for the named fields; JSON round-trip."""

    def __init__(
        self,
        sparse: list[str],
        multi: list[str] | None = None,
        dense: list[str] | None = None,
        min_count: int = 1,
        max_values: int = 6,
    ) -> None:
        self.sparse = list(sparse)
        self.multi = list(multi or [])
        self.dense = list(dense or [])
        self.min_count = min_count
        self.max_values = max_values
        self.vocab: dict[str, list[str]] = {}
        self.mean: list[float] = []
        self.scale: list[float] = []

    # ------------------------------------------------------------------ layout
    @property
    def fields(self) -> list[str]:
        return [*self.sparse, *self.multi]

    @property
    def offsets(self) -> dict[str, int]:
        """Each field's out-of-vocabulary row in the shared table (row 0 is padding)."""
        out, at = {}, 1
        for f in self.fields:
            out[f] = at
            at += 1 + len(self.vocab[f])
        return out

    @property
    def n_embeddings(self) -> int:
        return 1 + sum(1 + len(self.vocab[f]) for f in self.fields)

    # ------------------------------------------------------------------ fit / transform
    def fit(self, frame: pd.DataFrame) -> FieldEncoder:
        _check_columns(frame, [*self.fields, *self.dense])
        for f in self.sparse:
            self.vocab[f] = self._kept(_as_text(frame[f]))
        for f in self.multi:
            self.vocab[f] = self._kept(self._split(frame[f]).explode())
        self.mean, self.scale = [], []
        for f in self.dense:
            x = pd.to_numeric(frame[f], errors="coerce").to_numpy(dtype=np.float64)
            ok = np.isfinite(x)
            m = float(x[ok].mean()) if ok.any() else 0.0
            s = float(x[ok].std()) if ok.sum() > 1 else 1.0
            self.mean.append(m)
            self.scale.append(s if s > 1e-12 else 1.0)
        return self

    def _kept(self, values: pd.Series) -> list[str]:
        counts = values.dropna().value_counts(sort=False)
        kept = counts[counts >= self.min_count].index
        return sorted(str(v) for v in kept)

    @staticmethod
    def _split(values: pd.Series) -> pd.Series:
        text = _as_text(values)
        return text.map(lambda v: [p for p in v.split(SEP) if p] if isinstance(v, str) else [])

    def transform(self, frame: pd.DataFrame) -> Encoded:
        if not self.vocab and self.fields:
            raise DataError("field encoder is not fitted")
        _check_columns(frame, [*self.fields, *self.dense])
        n, off = len(frame), self.offsets
        sparse = np.empty((n, len(self.sparse)), dtype=np.int64)
        for j, f in enumerate(self.sparse):
            sparse[:, j] = self._lookup(f, _as_text(frame[f]).to_numpy()) + off[f]
        multi = np.zeros((n, len(self.multi), self.max_values), dtype=np.int64)
        for j, f in enumerate(self.multi):
            parts = self._split(frame[f])
            lengths = np.minimum(parts.map(len).to_numpy(dtype=np.int64), self.max_values)
            flat = parts.map(lambda v: v[: self.max_values]).explode().dropna()
            if len(flat) == 0:
                multi[:, j, 0] = off[f]  # every row empty: one OOV value each
                continue
            codes = self._lookup(f, flat.to_numpy()) + off[f]
            rows = np.repeat(np.arange(n), lengths)
            starts = np.cumsum(lengths) - lengths
            cols = np.arange(len(rows)) - np.repeat(starts, lengths)
            multi[rows, j, cols] = codes
            multi[lengths == 0, j, 0] = off[f]  # no value: the field's OOV slot
        dense = np.zeros((n, len(self.dense)), dtype=np.float32)
        for j, f in enumerate(self.dense):
            x = pd.to_numeric(frame[f], errors="coerce").to_numpy(dtype=np.float64)
            z = (x - self.mean[j]) / self.scale[j]
            dense[:, j] = np.where(np.isfinite(z), z, 0.0)  # missing -> the mean
        return Encoded(sparse, multi, dense)

    def _lookup(self, f: str, values: npt.NDArray[Any]) -> Ints:
        """1 + position in the vocabulary, 0 (the OOV slot) for unseen or missing values."""
        index = pd.Index(self.vocab[f])
        pos = index.get_indexer(pd.Index(values.astype(object)))
        return (pos + 1).astype(np.int64)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        return {
            "sparse": self.sparse, "multi": self.multi, "dense": self.dense,
            "min_count": self.min_count, "max_values": self.max_values,
            "vocab": self.vocab, "mean": self.mean, "scale": self.scale,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FieldEncoder:
        enc = cls(d["sparse"], d["multi"], d["dense"], d["min_count"], d["max_values"])
        enc.vocab = {k: list(v) for k, v in d["vocab"].items()}
        enc.mean, enc.scale = list(d["mean"]), list(d["scale"])
        return enc
