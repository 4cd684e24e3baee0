"""Hierarchical (Ward) segmentation: a tree on a seeded sample, then nearest-centroid
assignment of every user, so memory stays O(sample^2) whatever the number of users.
The tree is built once per fit and cut at each k tried."""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from seamline.progress import Progress
from seamline.segments.base import Matrix, Segmenter, _centers


class WardSegmenter(Segmenter):
    """Agglomerative clustering with Ward linkage."""

    method = "hierarchical"

    def _sample(self, x: Matrix, seed: int) -> Matrix:
        n = self.config.hierarchical_sample
        if len(x) <= n:
            return x
        rows = np.random.default_rng([seed, 2]).choice(len(x), n, replace=False)
        return x[np.sort(rows)]

    def _prepare(self, x: Matrix) -> None:
        self._fit_x = x
        self._tree_x = self._sample(x, self.config.seed)
        self._tree = linkage(self._tree_x, method="ward")

    def _fit_k(self, x: Matrix, k: int, seed: int) -> Matrix:
        if x is not getattr(self, "_fit_x", None) or seed != self.config.seed:
            # A bootstrap refit: a fresh tree on that resample.
            sample = self._sample(x, seed)
            tree = linkage(sample, method="ward")
        else:
            sample, tree = self._tree_x, self._tree
        labels = fcluster(tree, t=k, criterion="maxclust").astype(np.int64) - 1
        used = int(labels.max()) + 1
        return _centers(sample, labels, used)

    def fit(self, x: Matrix, progress: Progress | None = None) -> WardSegmenter:
        try:
            super().fit(x, progress)
        finally:
            for name in ("_fit_x", "_tree", "_tree_x"):  # the tree is O(sample^2): let it go
                self.__dict__.pop(name, None)
        return self
