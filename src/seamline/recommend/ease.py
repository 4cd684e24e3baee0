"""EASE (Steck 2019): a closed-form item x item linear model, B = I - P diagMat(1/diag P)
with P = (X^T X + l2 I)^-1 and a zero diagonal. Dense item x item, so the catalog size is
capped (`max_items`).

With `recent_half_life` (in events) a user's history is weighted towards their latest
events when scoring (B itself is fitted on the plain matrix): the next item follows what
the user did last more than what they did months ago."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from seamline.data.dataset import Interactions, check_half_life
from seamline.errors import ConfigError
from seamline.recommend.base import F32, Floats, Ints, Recommender

# A 20,000-item Gram matrix and its inverse take about 6 GiB in float64.
MAX_ITEMS = 20_000


class EASE(Recommender):
    name = "ease"
    _param_names = ("l2", "recent_half_life", "max_items", "threads")

    def __init__(
        self,
        l2: float = 100.0,
        recent_half_life: float | None = None,
        max_items: int | None = None,
        threads: int | None = None,
    ) -> None:
        if not (float(l2) > 0):
            raise ConfigError(f"EASE l2 must be > 0, got {l2!r}")
        max_items = MAX_ITEMS if max_items is None else max_items
        if int(max_items) < 1:
            raise ConfigError(f"EASE max_items must be >= 1, got {max_items!r}")
        self.l2 = float(l2)
        self.recent_half_life = check_half_life(recent_half_life, "recent_half_life")
        self.max_items = int(max_items)
        self.threads = threads

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        n = X.shape[1]
        if n > self.max_items:
            raise ConfigError(
                f"EASE needs a dense {n} x {n} item matrix ({n * n * 8 / 2**30:.1f} GiB); "
                f"the limit is max_items={self.max_items}: restrict to a domain, raise "
                "max_items, or use itemknn / als"
            )
        Xd = X.astype(np.float64)
        with threadpool_limits(self.threads, "blas"):
            G = (Xd.T @ Xd).toarray()
            G[np.diag_indices(n)] += self.l2
            P = np.linalg.inv(G)
        B = P / (-np.diag(P))
        B[np.diag_indices(n)] = 0.0
        self.B_ = B.astype(np.float32)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        return np.asarray(H.astype(np.float32) @ self.B_, dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        w = np.asarray(hist.data, dtype=np.float64)
        return w[:, None] * self.B_[np.ix_(hist.indices, items)]

    def _item_sim(self, item: int) -> Floats:
        return self.B_[item].astype(np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {"B": self.B_}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.B_ = arrays["B"]
