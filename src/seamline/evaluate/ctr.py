"""Click-through-rate metrics: AUC, logloss and calibration (a reliability table).

AUC is the Mann-Whitney statistic with average ranks for ties; logloss clips the
probabilities to [1e-7, 1 - 1e-7] as scikit-learn and the peer benchmark do. The
reliability table bins predictions into equal-width probability bins and compares the
mean prediction with the observed positive rate in each; the expected calibration error
(ECE) is their gap weighted by bin size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from seamline.errors import DataError

EPS = 1e-7


def _check(y: npt.ArrayLike, p: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    yt = np.asarray(y, dtype=np.float64).ravel()
    pp = np.asarray(p, dtype=np.float64).ravel()
    if len(yt) != len(pp):
        raise DataError(f"{len(yt)} labels but {len(pp)} predictions")
    if len(yt) == 0:
        raise DataError("no predictions to evaluate")
    if not np.isin(yt, (0.0, 1.0)).all():
        raise DataError("CTR labels must be 0 or 1")
    if not np.isfinite(pp).all() or (pp < 0).any() or (pp > 1).any():
        raise DataError("predictions must be probabilities in [0, 1]")
    return yt, pp


def auc(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    yt, pp = _check(y, p)
    n_pos = float(yt.sum())
    n_neg = len(yt) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise DataError("AUC needs both positive and negative labels")
    ranks = rankdata(pp)
    return float((ranks[yt == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def logloss(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    yt, pp = _check(y, p)
    q = np.clip(pp, EPS, 1 - EPS)
    return float(-np.mean(yt * np.log(q) + (1 - yt) * np.log(1 - q)))


@dataclass(frozen=True)
class Calibration:
    """Per bin: [lo, hi) bounds, rows, mean prediction, observed rate."""

    lo: list[float]
    hi: list[float]
    count: list[int]
    predicted: list[float | None]
    observed: list[float | None]
    ece: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "bins": [
                {"lo": a, "hi": b, "count": n, "predicted": p, "observed": o}
                for a, b, n, p, o in zip(
                    self.lo, self.hi, self.count, self.predicted, self.observed, strict=True
                )
            ],
            "ece": self.ece,
        }


def calibration(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> Calibration:
    yt, pp = _check(y, p)
    if bins < 1:
        raise DataError(f"calibration bins must be >= 1, got {bins}")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, pp, side="right") - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    psum = np.bincount(which, weights=pp, minlength=bins)
    ysum = np.bincount(which, weights=yt, minlength=bins)
    nz = count > 0
    pred = np.where(nz, psum / np.maximum(count, 1), np.nan)
    obs = np.where(nz, ysum / np.maximum(count, 1), np.nan)
    ece = float(np.sum(count[nz] * np.abs(pred[nz] - obs[nz])) / len(yt))

    def opt(v: np.ndarray) -> list[float | None]:
        return [None if np.isnan(x) else round(float(x), 6) for x in v]

    return Calibration(
        lo=[float(e) for e in edges[:-1]], hi=[float(e) for e in edges[1:]],
        count=[int(c) for c in count], predicted=opt(pred), observed=opt(obs), ece=ece,
    )  # fmt: skip


def ctr_metrics(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> dict[str, Any]:
    """auc, logloss, the positive rate and the reliability table of one prediction run."""
    yt, pp = _check(y, p)
    return {
        "auc": auc(yt, pp),
        "logloss": logloss(yt, pp),
        "positive_rate": float(yt.mean()),
        "mean_prediction": float(pp.mean()),
        "calibration": calibration(yt, pp, bins).to_dict(),
    }
