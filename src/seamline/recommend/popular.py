"""MostPopular: items ranked by their (optionally time-decayed) weighted interactions.

Per domain by construction: `recommend(..., domain=D)` ranks D's items by popularity.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Ints, Recommender
from seamline.recommend.config import MostPopularConfig


class MostPopular(Recommender):
    """Popularity = sum of event weights per item, each decayed by ``0.5 ** (age /
    half_life_days)`` when `half_life_days` is set (recent popularity)."""

    name = "mostpop"
    config_class = MostPopularConfig
    config: MostPopularConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        if self.config.half_life_days is not None:
            w = data.decayed_weight(self.config.half_life_days)
            self.pop_ = np.bincount(data.item, weights=w, minlength=data.n_items).astype(np.float64)

    def scores(self, user_rows: np.ndarray) -> F32:  # type: ignore[override]
        self._check_fitted()
        rows = np.asarray(user_rows)
        return np.repeat(self.pop_.astype(np.float32)[None, :], len(rows), axis=0)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        return np.repeat(self.pop_.astype(np.float32)[None, :], H.shape[0], axis=0)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        # popularity does not depend on the user's history: nothing to name
        return np.zeros((len(hist.indices), len(items)))
