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

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.config import EASEConfig

# A 20,000-item Gram matrix and its inverse take about 6 GiB in float64.
MAX_ITEMS = 20_000


class EASE(Recommender):
    name = "ease"
    config_class = EASEConfig
    config: EASEConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        n = X.shape[1]
        limit = MAX_ITEMS if self.config.max_items is None else self.config.max_items
        if n > limit:
            raise ConfigError(
                f"EASE needs a dense {n} x {n} item matrix ({n * n * 8 / 2**30:.1f} GiB); "
                f"the limit is max_items={limit}: restrict to a domain, raise "
                "max_items, or use itemknn / als"
            )
        Xd = X.astype(np.float64)
        with threadpool_limits(self.config.threads, "blas"):
            G = (Xd.T @ Xd).toarray()
            G[np.diag_indices(n)] += self.config.l2
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
