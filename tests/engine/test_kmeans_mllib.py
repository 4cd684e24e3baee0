"""K-means through Spark MLlib: the final fit over every user finds the same segments."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score

from seamline.engine import EngineConfig
from seamline.segments import KMeansSegmenter, SegmentConfig


def test_mllib_refit_finds_the_planted_clusters(spark: EngineConfig) -> None:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 0.0], [0.0, 6.0, 3.0]])
    truth = np.repeat(np.arange(3), 150)
    x = centres[truth] + rng.normal(0, 0.7, size=(len(truth), 3))
    # select_sample < rows: k is chosen on a sample, then MLlib refits on every row.
    cfg = {"k": 3, "select_sample": 100, "bootstrap": 0, "seed": 1}
    local = KMeansSegmenter(SegmentConfig(**cfg)).fit(x)
    mllib = KMeansSegmenter(SegmentConfig(**cfg, engine="spark")).fit(x)
    assert adjusted_rand_score(truth, mllib.labels_) == 1.0
    assert adjusted_rand_score(local.labels_, mllib.labels_) == 1.0
    assert np.allclose(np.sort(mllib.centers_, axis=0), np.sort(local.centers_, axis=0), atol=1e-6)
