"""The final K-means fit over every user through Spark MLlib (`SegmentConfig(engine="spark")`,
`seamline[spark]`): k is still chosen on a sample on this machine; MLlib then fits k centres
over all users (k-means|| starts, seeded), which `predict` assigns as the local fit's."""

from __future__ import annotations

import numpy as np

from seamline.engine import EngineConfig


def fit_centers(x: np.ndarray, k: int, seed: int, max_iter: int = 50) -> np.ndarray:
    """(k x d) centres of MLlib K-means on the rows of `x`."""
    from seamline.engine.spark import spark_session

    session = spark_session(EngineConfig(name="spark"))
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.linalg import Vectors

    rows = [(Vectors.dense(r),) for r in np.asarray(x, dtype=np.float64)]
    df = session.createDataFrame(rows, ["features"])
    model = KMeans(k=k, seed=seed, maxIter=max_iter, initMode="k-means||").fit(df)
    return np.asarray(model.clusterCenters(), dtype=np.float64)
