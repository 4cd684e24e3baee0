"""K-means segmentation (k-means++ starts, `n_init` restarts, seeded).

k is chosen on a sample (see `base`); on more users the chosen centres are refined by
Lloyd iterations over everyone, or by mini-batch K-means above `minibatch_above` users.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from seamline.segments.base import Matrix, Segmenter


class KMeansSegmenter(Segmenter):
    """K-means; mini-batch for very large data."""

    method = "kmeans"

    def _fit_k(self, x: Matrix, k: int, seed: int) -> Matrix:
        model = KMeans(n_clusters=k, n_init=self.config.n_init, random_state=seed)
        model.fit(x)
        return np.asarray(model.cluster_centers_, dtype=np.float64)

    def _refine(self, x: Matrix, centers: Matrix) -> Matrix:
        k, seed = len(centers), self.config.seed
        if self.config.engine == "spark":
            from seamline.segments.kmeans_mllib import fit_centers

            return fit_centers(x, k, seed)
        if len(x) > self.config.minibatch_above:
            model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
                n_clusters=k, init=centers, n_init=1, batch_size=8192, random_state=seed
            )
        else:
            model = KMeans(n_clusters=k, init=centers, n_init=1, random_state=seed)
        model.fit(x)
        return np.asarray(model.cluster_centers_, dtype=np.float64)
