"""Uplift metrics on a held-out randomised sample: Qini and uplift curves, their normalised
areas (Qini coefficient, AUUC) and the top-k ratio, each with a bootstrap interval.

Definitions follow scikit-uplift. Rows are ranked by predicted uplift, highest first; at the
top n rows (n_t treated, n_c control, outcome sums Y_t, Y_c):

    Qini curve   Q(n) = Y_t - Y_c * n_t / n_c
    uplift curve U(n) = (Y_t / n_t - Y_c / n_c) * n

A score is the area between the model's curve and the straight line of random targeting,
divided by the same area for the perfect ranking (treated responders first, control
responders last), so 1 is perfect, 0 random and negative worse than random. The top-k ratio
is the incremental outcome per user in the top k share, divided by that of the whole sample
(random targeting): 1.8 means targeting the top 30% gains 1.8 times as much per user reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seamline.errors import DataError

CURVE_POINTS = 101  # the curves are summarised on a grid of population shares 0..1


def _cumulative(
    y: np.ndarray, t: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ts = t[order]
    ys = y[order]
    n_t = np.cumsum(ts)
    n_c = np.cumsum(1 - ts)
    y_t = np.cumsum(ys * ts)
    y_c = np.cumsum(ys * (1 - ts))
    return n_t, n_c, y_t, y_c


def _check(y: np.ndarray, t: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if not (len(y) == len(t) == len(score)):
        raise DataError(f"y, treatment and scores differ in length ({len(y)}, {len(t)})")
    if not np.isin(t, (0.0, 1.0)).all():
        raise DataError("treatment must be 0 (control) or 1 (treated)")
    if t.sum() == 0 or t.sum() == len(t):
        raise DataError("the evaluation sample needs both treated and control rows")
    return y, t


def _order(score: np.ndarray) -> np.ndarray:
    # Stable on the negated score: ties keep the sample's order, as a random ranking would.
    return np.argsort(-np.asarray(score, dtype=np.float64), kind="stable")


def qini_curve(y: np.ndarray, t: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(population share, Qini value) after each row, starting at (0, 0)."""
    y, t = _check(y, t, score)
    n_t, n_c, y_t, y_c = _cumulative(y, t, _order(score))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n_c > 0, y_t - y_c * n_t / np.maximum(n_c, 1), y_t)
    share = np.arange(len(y) + 1) / len(y)
    return share, np.concatenate([[0.0], q])


def uplift_curve(y: np.ndarray, t: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(population share, uplift x rows targeted) after each row, starting at (0, 0)."""
    y, t = _check(y, t, score)
    n_t, n_c, y_t, y_c = _cumulative(y, t, _order(score))
    n = np.arange(1, len(y) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_t = np.where(n_t > 0, y_t / np.maximum(n_t, 1), 0.0)
        rate_c = np.where(n_c > 0, y_c / np.maximum(n_c, 1), 0.0)
    share = np.arange(len(y) + 1) / len(y)
    return share, np.concatenate([[0.0], (rate_t - rate_c) * n])


def _area_over_random(share: np.ndarray, curve: np.ndarray) -> float:
    random = share * curve[-1]
    return float(np.trapezoid(curve - random, share))


def _perfect(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    return y * (2 * t - 1)


def qini_coefficient(y: np.ndarray, t: np.ndarray, score: np.ndarray) -> float:
    """Area between the Qini curve and random, over that of the perfect ranking."""
    y, t = _check(y, t, score)
    top = _area_over_random(*qini_curve(y, t, _perfect(y, t)))
    return _area_over_random(*qini_curve(y, t, score)) / top if top else 0.0


def auuc(y: np.ndarray, t: np.ndarray, score: np.ndarray) -> float:
    """Area between the uplift curve and random, over that of the perfect ranking."""
    y, t = _check(y, t, score)
    top = _area_over_random(*uplift_curve(y, t, _perfect(y, t)))
    return _area_over_random(*uplift_curve(y, t, score)) / top if top else 0.0


def top_k_ratio(y: np.ndarray, t: np.ndarray, score: np.ndarray, k: float = 0.3) -> float:
    """Incremental outcome per user in the top `k` share by score over that of everyone."""
    y, t = _check(y, t, score)
    top = _order(score)[: max(1, round(k * len(y)))]
    overall = _effect(y, t)
    # No effect at all to compare with: the ratio is undefined, not infinite.
    return _effect(y[top], t[top]) / overall if overall else float("nan")


def _effect(y: np.ndarray, t: np.ndarray) -> float:
    tr = t == 1
    if not tr.any() or tr.all():
        return float("nan")
    return float(y[tr].mean() - y[~tr].mean())


@dataclass(frozen=True)
class UpliftScores:
    """Held-out scores of one model, with 95% bootstrap intervals."""

    qini: float
    qini_ci: tuple[float, float]
    auuc: float
    auuc_ci: tuple[float, float]
    top30_ratio: float
    top30_ratio_ci: tuple[float, float]

    def to_dict(self) -> dict[str, float | list[float]]:
        return {
            "qini": self.qini,
            "qini_ci": list(self.qini_ci),
            "auuc": self.auuc,
            "auuc_ci": list(self.auuc_ci),
            "top30_ratio": self.top30_ratio,
            "top30_ratio_ci": list(self.top30_ratio_ci),
        }


def score_uplift(
    y: np.ndarray,
    t: np.ndarray,
    score: np.ndarray,
    *,
    n_boot: int = 200,
    seed: int = 0,
    k: float = 0.3,
) -> UpliftScores:
    """Qini, AUUC and the top-k ratio with percentile intervals from `n_boot` resamples of
    the rows (within each arm, so both arms keep their sizes)."""
    y, t = _check(y, t, score)
    s = np.asarray(score, dtype=np.float64)
    point = (qini_coefficient(y, t, s), auuc(y, t, s), top_k_ratio(y, t, s, k))
    rng = np.random.default_rng(seed)
    arms = [np.flatnonzero(t == 1), np.flatnonzero(t == 0)]
    draws = np.empty((n_boot, 3))
    for b in range(n_boot):
        idx = np.concatenate([rng.choice(a, size=len(a)) for a in arms])
        yb, tb, sb = y[idx], t[idx], s[idx]
        # A resample keeps the original row order's tie-breaking by sorting the indices.
        o = np.argsort(idx, kind="stable")
        yb, tb, sb = yb[o], tb[o], sb[o]
        draws[b] = (qini_coefficient(yb, tb, sb), auuc(yb, tb, sb), top_k_ratio(yb, tb, sb, k))
    lo, hi = np.nanpercentile(draws, [2.5, 97.5], axis=0) if n_boot else (point, point)
    return UpliftScores(
        qini=point[0],
        qini_ci=(float(lo[0]), float(hi[0])),
        auuc=point[1],
        auuc_ci=(float(lo[1]), float(hi[1])),
        top30_ratio=point[2],
        top30_ratio_ci=(float(lo[2]), float(hi[2])),
    )


def curve_points(
    y: np.ndarray, t: np.ndarray, score: np.ndarray, kind: str = "qini"
) -> list[tuple[float, float]]:
    """The Qini (or uplift) curve on a grid of 101 population shares, for plots."""
    share, curve = (qini_curve if kind == "qini" else uplift_curve)(y, t, score)
    grid = np.linspace(0, 1, CURVE_POINTS)
    return [(float(g), float(v)) for g, v in zip(grid, np.interp(grid, share, curve), strict=True)]
