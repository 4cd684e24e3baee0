"""Reference scorers for evaluation tests: straightforward MostPopular and EASE."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp


def binary_matrix(
    frame: pd.DataFrame, user_ids: Sequence[str], item_ids: Sequence[str]
) -> sp.csr_matrix:
    u = pd.Index(list(user_ids)).get_indexer(pd.Index(frame["user_id"]))
    i = pd.Index(list(item_ids)).get_indexer(pd.Index(frame["item_id"]))
    X = sp.csr_matrix((np.ones(len(u)), (u, i)), shape=(len(user_ids), len(item_ids)))
    X.sum_duplicates()
    X.data[:] = 1.0
    return X


class MatrixScorer:
    """scores(rows) = X[rows] @ B, or a popularity row when B is None."""

    def __init__(self, X: sp.csr_matrix, B: np.ndarray | None) -> None:
        self.X, self.B = X, B
        self.pop = np.asarray(X.sum(axis=0)).ravel()

    def scores(self, rows: np.ndarray) -> np.ndarray:
        if self.B is None:
            return np.broadcast_to(self.pop, (len(rows), len(self.pop)))
        return np.asarray(self.X[rows] @ self.B)


def reference_fit(
    name: str, params: dict[str, Any], frame: pd.DataFrame, users: Sequence[str],
    items: Sequence[str],
) -> MatrixScorer:  # fmt: skip
    """Straightforward MostPopular and EASE (Steck 2019) on the binary train matrix."""
    X = binary_matrix(frame, users, items)
    if name == "mostpop":
        return MatrixScorer(X, None)
    G = (X.T @ X).toarray()
    d = np.diag_indices(G.shape[0])
    G[d] += params.get("lambda", 100.0)
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[d] = 0.0
    return MatrixScorer(X, B)
