"""Cross-domain item-to-item by co-interest (`xitem`).

For items i and j, P(j | i) is estimated over the users who took i, shrunk towards j's
popularity share in its domain by `shrink` pseudo-users (`seamline.data.cointerest`):

    P(j | i) = (co_ij + shrink * p_j) / (n_i + shrink)

(co_ij: users who took both, n_i: users who took i, p_j: users of j / users of j's
domain). A user's score of j is the weighted mean of P(j | i) over their history, so a
source-domain history ranks target items by what the users who shared it went on to take,
and a history of rarely taken items leans on popularity. With no history the score is
popularity. `pop_penalty` divides by p_j^penalty to lift the long tail.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from seamline.data.cointerest import cointerest, cointerest_scores, popularity_share
from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Ints, Recommender
from seamline.recommend.transfer.config import CrossItemConfig
from seamline.recommend.transfer.domains import domain_masks


class CrossItem(Recommender):
    name = "xitem"
    config_class = CrossItemConfig
    config: CrossItemConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        self.C_, self.inv_ = cointerest(X, self.config.shrink)
        self.share_ = popularity_share(X, domain_masks(self)).astype(np.float32)
        self._after_load()

    def _after_load(self) -> None:
        pen = self.config.pop_penalty
        share = self.share_.astype(np.float64)
        with np.errstate(divide="ignore"):
            lift = np.where(share > 0, share**-pen, 0.0) if pen > 0 else np.ones_like(share)
        self.lift_ = lift.astype(np.float32)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        S = cointerest_scores(H, self.C_, self.inv_, self.share_, self.config.shrink)
        return np.asarray(S * self.lift_[None, :], dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        # the co-interest part of P(j | i): what history item i says about j beyond
        # popularity (the shrinkage prior names no item)
        w = np.asarray(hist.data, dtype=np.float64)
        C = np.asarray(self.C_[hist.indices][:, items].todense(), dtype=np.float64)
        return w[:, None] * C

    def _item_sim(self, item: int) -> np.ndarray:
        return np.asarray(self.C_[item].todense(), dtype=np.float64).ravel()

    def _state(self) -> dict[str, np.ndarray]:
        C = self.C_
        return {
            "C_data": C.data, "C_indices": C.indices, "C_indptr": C.indptr,
            "inv": self.inv_, "share": self.share_,
        }  # fmt: skip

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        n = len(a["inv"])
        self.C_ = sp.csr_matrix((a["C_data"], a["C_indices"], a["C_indptr"]), shape=(n, n))
        self.inv_ = a["inv"]
        self.share_ = a["share"]
        self._after_load()
