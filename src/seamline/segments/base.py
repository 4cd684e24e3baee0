"""The segmenter contract: choose k, fit, assign users, report quality and stability.

A segmenter works on a scaled numeric matrix (see `preprocess.Preprocessor`). With
`k="auto"` it fits every k in [k_min, k_max] and reports three internal scores per k:
silhouette (on a seeded sample for large data; higher is better), Calinski-Harabasz
(higher) and Davies-Bouldin (lower). `selection="vote"` takes the k most of the three
prefer, falling back to the silhouette's choice when they all differ. Stability is the
mean adjusted Rand index between the final assignment and refits on bootstrap resamples.
Segment ids are ordered by size (0 = largest).

Large data: k is chosen (and the scores computed) on a seeded sample of `select_sample`
users; the chosen solution is then refined on every user (`_refine`, e.g. Lloyd
iterations started from the sample's centres) and each user goes to the nearest centre.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_score,
)

from seamline.errors import DataError, NotFittedError
from seamline.progress import Progress, step
from seamline.segments.config import SegmentConfig

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]


def nearest(x: Matrix, centers: Matrix, chunk: int = 200_000) -> Labels:
    """Index of the nearest centre (Euclidean) for each row, in chunks to bound memory."""
    out = np.empty(len(x), dtype=np.int64)
    c2 = (centers**2).sum(axis=1)
    for lo in range(0, len(x), chunk):
        part = x[lo : lo + chunk]
        d = c2[None, :] - 2.0 * part @ centers.T
        out[lo : lo + chunk] = d.argmin(axis=1)
    return out


def _centers(x: Matrix, labels: Labels, k: int) -> Matrix:
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, labels, x)
    return sums / np.maximum(counts, 1)[:, None]


class Segmenter(ABC):
    """Base of the clustering methods; subclasses implement `_fit_k`."""

    method: str = ""

    def __init__(self, config: SegmentConfig | None = None) -> None:
        self.config = config or SegmentConfig()

    @abstractmethod
    def _fit_k(self, x: Matrix, k: int, seed: int) -> Matrix:
        """Centres of a k-segment solution on `x`."""

    def _prepare(self, x: Matrix) -> None:  # noqa: B027 (an optional hook)
        """Hook run once per fit before any `_fit_k` (e.g. to build a tree)."""

    def _refine(self, x: Matrix, centers: Matrix) -> Matrix:
        """Centres for all of `x`, starting from a solution found on a sample."""
        return centers

    def fit(self, x: Matrix, progress: Progress | None = None) -> Segmenter:
        cfg = self.config
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or len(x) < 3:
            raise DataError(
                f"need a 2-D matrix of at least 3 users to segment, got shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise DataError("the feature matrix holds NaN or infinite values")
        n_distinct = len(np.unique(x, axis=0)) if len(x) <= 50_000 else len(x)
        rng = np.random.default_rng(cfg.seed)
        full = x
        if len(x) > cfg.select_sample:
            x = x[np.sort(rng.choice(len(x), cfg.select_sample, replace=False))]
        self.metric_rows_ = (
            np.sort(rng.choice(len(x), cfg.metric_sample, replace=False))
            if len(x) > cfg.metric_sample
            else np.arange(len(x))
        )
        if cfg.k == "auto":
            ks = [k for k in range(cfg.k_min, cfg.k_max + 1) if k < min(len(x), n_distinct)]
        else:
            ks = [int(cfg.k)]
            if ks[0] > n_distinct:
                raise DataError(
                    f"k={ks[0]} segments asked for, but there are only {n_distinct} "
                    "distinct users (feature vectors)"
                )
        if not ks:
            raise DataError(
                f"too few distinct users ({n_distinct}) for k in [{cfg.k_min}, {cfg.k_max}]"
            )
        # One distance matrix for the silhouette of every k (metric_sample^2 floats).
        self._distances = pairwise_distances(x[self.metric_rows_])
        self._prepare(x)
        fits: dict[int, tuple[Matrix, Labels]] = {}
        self.scores_: list[dict[str, Any]] = []
        with step(progress, f"Segmenting ({self.method})", total=len(ks) + cfg.bootstrap) as task:
            for k in ks:
                centers = self._fit_k(x, k, cfg.seed)
                labels = nearest(x, centers)
                fits[k] = (centers, labels)
                self.scores_.append(self._score(x, labels, k))
                task.advance()
            self.k_ = self._choose(ks)
            centers = fits[self.k_][0]
            if full is not x:
                centers = self._refine(full, centers)
            labels = nearest(full, centers)
            order = np.argsort(-np.bincount(labels, minlength=len(centers)), kind="stable")
            self.centers_ = centers[order]
            self.labels_ = nearest(full, self.centers_)
            self.stability_ = self._stability(full, task)
        if full is x:
            chosen = next(s for s in self.scores_ if s["k"] == self.k_)
        else:  # scores of the final assignment of every user
            self.metric_rows_ = (
                np.sort(rng.choice(len(full), cfg.metric_sample, replace=False))
                if len(full) > cfg.metric_sample
                else np.arange(len(full))
            )
            self._distances = pairwise_distances(full[self.metric_rows_])
            chosen = self._score(full, self.labels_, self.k_)
        del self._distances
        self.final_scores_ = chosen
        self.silhouette_ = chosen["silhouette"]
        self.n_users_, self.n_selection_users_ = len(full), len(x)
        log.info("%s: k=%d, silhouette %.3f", self.method, self.k_, self.silhouette_)
        return self

    def _score(self, x: Matrix, labels: Labels, k: int) -> dict[str, Any]:
        used = len(np.unique(labels))
        if used < 2:
            return {
                "k": k,
                "silhouette": -1.0,
                "calinski_harabasz": 0.0,
                "davies_bouldin": float("inf"),
            }
        rows = self.metric_rows_
        sub = labels[rows]
        sil = (
            float(silhouette_score(self._distances, sub, metric="precomputed"))
            if 1 < len(np.unique(sub)) < len(sub)
            else -1.0
        )
        return {
            "k": k,
            "silhouette": round(sil, 4),
            "calinski_harabasz": round(float(calinski_harabasz_score(x, labels)), 2),
            "davies_bouldin": round(float(davies_bouldin_score(x, labels)), 4),
        }

    def _choose(self, ks: list[int]) -> int:
        if len(ks) == 1:
            self.votes_ = {}
            return ks[0]
        by = {s["k"]: s for s in self.scores_}
        best = {
            "silhouette": max(ks, key=lambda k: (by[k]["silhouette"], -k)),
            "calinski_harabasz": max(ks, key=lambda k: (by[k]["calinski_harabasz"], -k)),
            "davies_bouldin": min(ks, key=lambda k: (by[k]["davies_bouldin"], k)),
        }
        self.votes_ = best
        sel = self.config.selection
        if sel != "vote":
            return best[sel]
        counts = Counter(best.values())
        k, n = counts.most_common(1)[0]
        return k if n >= 2 else best["silhouette"]

    def _stability(self, x: Matrix, task: Any) -> dict[str, Any]:
        cfg = self.config
        if cfg.bootstrap == 0:
            return {"rounds": 0}
        rng = np.random.default_rng([cfg.seed, 1])
        base = (
            rng.choice(len(x), cfg.bootstrap_sample, replace=False)
            if len(x) > cfg.bootstrap_sample
            else np.arange(len(x))
        )
        xs, ref = x[base], self.labels_[base]
        aris = []
        for b in range(cfg.bootstrap):
            pick = rng.choice(len(xs), len(xs), replace=True)
            centers = self._fit_k(xs[pick], self.k_, cfg.seed + 1 + b)
            aris.append(float(adjusted_rand_score(ref, nearest(xs, centers))))
            task.advance()
        return {
            "rounds": cfg.bootstrap,
            "users": len(base),
            "ari_mean": round(float(np.mean(aris)), 4),
            "ari_min": round(float(np.min(aris)), 4),
            "ari": [round(a, 4) for a in aris],
        }

    def predict(self, x: Matrix) -> Labels:
        """Segment of each row: the nearest centre."""
        if not hasattr(self, "centers_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(x) first")
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.centers_.shape[1]:
            raise DataError(
                f"expected a matrix with {self.centers_.shape[1]} columns, got shape {x.shape}"
            )
        return nearest(x, self.centers_)

    def metrics(self) -> dict[str, Any]:
        if not hasattr(self, "centers_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(x) first")
        return {
            "method": self.method,
            "k": self.k_,
            "k_selection": "fixed" if self.config.k != "auto" else self.config.selection,
            "best_k_by": self.votes_,
            "silhouette": self.silhouette_,
            "calinski_harabasz": self.final_scores_["calinski_harabasz"],
            "davies_bouldin": self.final_scores_["davies_bouldin"],
            "silhouette_users": len(self.metric_rows_),
            "users": self.n_users_,
            "k_selection_users": self.n_selection_users_,
            "scores": self.scores_,
            "stability": self.stability_,
        }
