"""A frame's columns as a numeric feature matrix: numbers as they are, everything else
(text, categories, booleans) one-hot encoded with the categories seen when fitting.

Unseen categories at transform time get all-zero indicators; missing numbers get the
training median plus a missing indicator, so no row is dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np
import pandas as pd

from seamline.errors import DataError, NotFittedError

MAX_CATEGORIES = 200  # more distinct values than this: not a category (an id or free text)


@dataclass
class TabularEncoder:
    """Fit on the training frame's feature columns; transform any frame with them."""

    columns: list[str] = field(default_factory=list)
    numeric: dict[str, float] = field(default_factory=dict)  # column -> fill value
    with_missing: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    source: str = "data"

    def fit(self, frame: pd.DataFrame, columns: list[str] | None = None) -> Self:
        self.columns = list(frame.columns if columns is None else columns)
        if not self.columns:
            raise DataError(f"{self.source}: no feature columns left after the exclusions")
        self.numeric, self.categories, self.with_missing = {}, {}, []
        for c in self.columns:
            s = frame[c]
            if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
                values = s.astype("string").fillna("<missing>")
                cats = sorted(values.unique().tolist())
                if len(cats) > MAX_CATEGORIES:
                    raise DataError(
                        f"{self.source}: column {c!r} has {len(cats):,} distinct text values "
                        f"(at most {MAX_CATEGORIES} for a category); exclude it with --exclude"
                    )
                self.categories[c] = cats
            else:
                med = s.median()
                self.numeric[c] = float(med) if pd.notna(med) else 0.0
                if s.isna().any():
                    self.with_missing.append(c)
        return self

    @property
    def feature_names(self) -> list[str]:
        names: list[str] = []
        for c in self.columns:
            if c in self.categories:
                names.extend(f"{c}={v}" for v in self.categories[c])
            else:
                names.append(c)
                if c in self.with_missing:
                    names.append(f"{c}_missing")
        return names

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        if not self.columns:
            raise NotFittedError("TabularEncoder.transform before fit")
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise DataError(f"{self.source}: missing feature column(s) {', '.join(missing)}")
        parts: list[np.ndarray] = []
        for c in self.columns:
            s = frame[c]
            if c in self.categories:
                values = s.astype("string").fillna("<missing>").to_numpy()
                cats = np.asarray(self.categories[c], dtype=object)
                parts.append((values[:, None] == cats[None, :]).astype(np.float32))
            else:
                x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
                miss = np.isnan(x)
                parts.append(np.where(miss, self.numeric[c], x)[:, None].astype(np.float32))
                if c in self.with_missing:
                    parts.append(miss[:, None].astype(np.float32))
        return np.hstack(parts) if parts else np.empty((len(frame), 0), dtype=np.float32)

    def fit_transform(self, frame: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
        return self.fit(frame, columns).transform(frame)
