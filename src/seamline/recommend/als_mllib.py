"""ALS factors from Spark MLlib (`ALSConfig(engine="spark")`, `seamline[spark]`).

MLlib fits the same implicit-feedback model (Hu, Koren & Volinsky 2008) across a cluster;
its user and item factors come back as arrays into the `ALS` object, so scoring, serving,
fold-in and explanations are the local model's. Two differences in parametrisation:
MLlib's confidence is 1 + alpha * x (implicit's: alpha * x), and it scales the
regularisation by each user's and item's number of interactions (ALS-WR), so the config's
`regularization` (implicit's, unscaled) is divided by the mean interactions per user: the
same penalty for an average user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from seamline.engine import EngineConfig

if TYPE_CHECKING:
    from seamline.recommend.config import ALSConfig


def _dense(rows: list[tuple[int, list[float]]], n: int, k: int) -> np.ndarray:
    """Factor rows by id into an (n x k) array; ids MLlib never saw stay zero."""
    out = np.zeros((n, k), dtype=np.float32)
    if rows:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        out[ids] = np.asarray([r[1] for r in rows], dtype=np.float32)
    return out


def mllib_regularization(X: sp.csr_matrix, regularization: float) -> float:
    """implicit's unscaled penalty as MLlib's per-interaction one (see the module doc)."""
    per_user = X.nnz / max(X.shape[0], 1)
    return regularization / max(per_user, 1.0)


def fit_factors(
    X: sp.csr_matrix, config: ALSConfig, engine: EngineConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(user_factors, item_factors) of MLlib ALS on the user x item matrix `X`."""
    from seamline.engine.spark import spark_session

    session = spark_session(engine or EngineConfig(name="spark"))
    from pyspark.ml.recommendation import ALS as MLlibALS

    coo = X.tocoo()
    table = pa.table(
        {
            "user": pa.array(coo.row.astype(np.int32)),
            "item": pa.array(coo.col.astype(np.int32)),
            "rating": pa.array(coo.data.astype(np.float32)),
        }
    )
    df = session.createDataFrame(table)  # Arrow straight in (Spark 4), no pandas copy
    model = MLlibALS(
        rank=config.factors,
        maxIter=config.iterations,
        regParam=mllib_regularization(X, config.regularization),
        alpha=config.alpha,
        implicitPrefs=True,
        seed=config.random_state,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
    ).fit(df)
    users = [(int(r[0]), list(r[1])) for r in model.userFactors.collect()]
    items = [(int(r[0]), list(r[1])) for r in model.itemFactors.collect()]
    n_users, n_items = X.shape
    return _dense(users, n_users, config.factors), _dense(items, n_items, config.factors)
