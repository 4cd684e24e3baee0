"""From the `user_features` table to a numeric matrix for clustering.

Steps, all learned in `fit` and replayed by `transform`: pick columns by name patterns,
drop those that are constant or empty (reported), log1p for non-negative counts and
amounts, shrink per-event means (shares, hour of day, price index) toward the population
mean for users with few events, fill what is still missing with the column median
(counted), and scale.
"""

from __future__ import annotations

import fnmatch
import logging
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError, NotFittedError
from seamline.segments.config import SegmentConfig

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]

# Columns that are means over a user's events: noisy for users with one or two events.
PER_EVENT = ("share_*", "cat_*", "brand_*", "channel_*", "tod_*", "band_*", "hour_sin",
             "hour_cos", "price_index_view", "weekend_share")  # fmt: skip
NOT_LOGGED = ("female", "age", "cross_buyer", "rfm_*", "emb_*", "mean_rating")


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def select_columns(
    frame: pd.DataFrame, patterns: tuple[str, ...], strict: bool = True
) -> list[str]:
    """Numeric columns matching any pattern, in table order. `strict`: a plain name that is
    not a column is an error (presets pass False: they take what the features hold)."""
    numeric = [
        c for c in frame.columns if c != "user_id" and pd.api.types.is_numeric_dtype(frame[c])
    ]
    chosen = [c for c in numeric if _matches(c, patterns)]
    exact = [p for p in patterns if not any(ch in p for ch in "*?[")]
    missing = [p for p in exact if p not in frame.columns]
    if missing and strict:
        raise DataError(
            f"user_features has no column {', '.join(missing)}; numeric columns are: "
            + ", ".join(numeric)
        )
    if not chosen:
        raise DataError(f"no numeric user_features column matches {list(patterns)}")
    return chosen


class Preprocessor:
    """Select, transform, impute and scale feature columns (see module docstring)."""

    def __init__(self, config: SegmentConfig | None = None) -> None:
        self.config = config or SegmentConfig()

    def fit(self, frame: pd.DataFrame) -> Preprocessor:
        cfg = self.config
        cols = select_columns(frame, cfg.patterns, strict=not isinstance(cfg.features, str))
        values = frame[cols].astype("float64")
        keep = [c for c in cols if values[c].notna().any() and values[c].nunique() > 1]
        self.dropped_ = [c for c in cols if c not in keep]
        if not keep:
            raise DataError(
                f"every selected feature column is constant or empty ({', '.join(cols)}): "
                "nothing to segment on"
            )
        self.columns_ = keep
        values = values[keep]
        self.logged_ = [
            c
            for c in keep
            if cfg.log_counts
            and not _matches(c, PER_EVENT + NOT_LOGGED)
            and values[c].min() >= 0
            and values[c].max() > 1
        ]
        self.shrunk_ = (
            [c for c in keep if _matches(c, PER_EVENT)]
            if cfg.shrink > 0 and "events" in frame.columns
            else []
        )
        self.prior_ = {c: float(values[c].mean()) for c in self.shrunk_}
        x = self._transform_raw(frame)
        self.missing_ = {c: int(n) for c, n in zip(keep, np.isnan(x).sum(axis=0), strict=True) if n}
        self.medians_ = np.nanmedian(x, axis=0)
        x = np.where(np.isnan(x), self.medians_, x)
        if cfg.scaling == "standard":
            self.center_, scale = x.mean(axis=0), x.std(axis=0)
        elif cfg.scaling == "robust":
            q1, med, q3 = np.percentile(x, [25, 50, 75], axis=0)
            self.center_, scale = med, q3 - q1
            scale = np.where(scale > 0, scale, x.std(axis=0))
        elif cfg.scaling == "minmax":
            self.center_, scale = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        else:
            self.center_, scale = np.zeros(x.shape[1]), np.ones(x.shape[1])
        self.scale_ = np.where(scale > 0, scale, 1.0)
        if self.dropped_:
            log.info("constant or empty feature columns left out: %s", ", ".join(self.dropped_))
        return self

    def _transform_raw(self, frame: pd.DataFrame) -> Matrix:
        missing = [c for c in self.columns_ if c not in frame.columns]
        if missing:
            raise DataError(f"feature columns missing from the input: {', '.join(missing)}")
        x = frame[self.columns_].astype("float64").copy()
        for c in self.logged_:
            x[c] = np.log1p(x[c].clip(lower=0))
        if self.shrunk_:
            events = frame["events"].astype("float64").fillna(0).to_numpy()
            w = events / (events + self.config.shrink)
            for c in self.shrunk_:
                prior = self.prior_[c]
                x[c] = w * x[c].fillna(prior).to_numpy() + (1 - w) * prior
        return x.to_numpy(dtype=np.float64)

    def transform(self, frame: pd.DataFrame) -> Matrix:
        if not hasattr(self, "columns_"):
            raise NotFittedError("Preprocessor is not fitted: call fit(frame) first")
        x = self._transform_raw(frame)
        x = np.where(np.isnan(x), self.medians_, x)
        return (x - self.center_) / self.scale_

    def fit_transform(self, frame: pd.DataFrame) -> Matrix:
        return self.fit(frame).transform(frame)

    def summary(self) -> dict[str, Any]:
        return {
            "columns": self.columns_,
            "dropped_constant": self.dropped_,
            "log1p": self.logged_,
            "shrunk_to_mean": self.shrunk_,
            "filled_with_median": self.missing_,
            "scaling": self.config.scaling,
        }
