"""Item transitions: what users take next after (and, with `backward`, before) an item.

Fitting counts, over every user's sequence (`history.sequences`), the pairs of steps at
distance d <= `window`, each weighted ``distance_decay ** (d - 1)`` times the later event's
weight (event type and `data.half_life_days` decay); reverse pairs add `backward` times
that. Rows are normalised by their sum ** `normalize` (1: transition probabilities, 0: raw
counts). All of it is a few vectorised passes (one per distance), sparse throughout.

Scoring a user sums the rows of their `last_n` latest items, the r-th latest weighted
``recency_decay ** r``, plus a popularity tie-break too small to reorder anything else.
New events fold in without a refit: they become the latest steps of the history.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.config import TransitionConfig
from seamline.recommend.sequence.history import (
    append_steps,
    latest_n,
    recency_matrix,
    sequences,
)

TIE = 1e-9  # popularity's weight: it only orders items no history item leads to


def transition_matrix(
    user: Ints, item: Ints, weight: Floats, n_items: int, config: TransitionConfig
) -> sp.csr_matrix:
    """Row-normalised item x item transitions of steps sorted by user then time."""
    n = len(user)
    rows, cols, vals = [], [], []
    for d in range(1, min(config.window, max(n - 1, 0)) + 1):
        same = user[: n - d] == user[d:]
        src, dst = item[: n - d][same], item[d:][same]
        w = config.distance_decay ** (d - 1) * weight[d:][same]
        rows += [src]
        cols += [dst]
        vals += [w]
        if config.backward > 0:
            rows += [dst]
            cols += [src]
            vals += [config.backward * w]
    if not rows:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    off = r != c  # an item does not lead to itself
    C = sp.csr_matrix((v[off], (r[off], c[off])), shape=(n_items, n_items), dtype=np.float64)
    C.sum_duplicates()
    total = np.asarray(C.sum(axis=1)).ravel()
    scale = np.where(total > 0, np.maximum(total, 1e-12) ** -config.normalize, 0.0)
    M = sp.csr_matrix(sp.diags(scale) @ C, dtype=np.float32)
    M.sort_indices()
    return M


class Transition(Recommender):
    name = "transition"
    config_class = TransitionConfig
    config: TransitionConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        seqs = sequences(data)
        self.M_ = transition_matrix(seqs.user, seqs.item, seqs.weight, data.n_items, self.config)
        # The scoring history: every seen item (so all stay excluded), weighted by recency.
        self.H_ = recency_matrix(seqs, self.config.recency_decay)
        self._set_tie()

    def _set_tie(self) -> None:
        top = max(float(self.pop_.max(initial=0.0)), 1.0)
        self.tie_ = (TIE * self.pop_ / top).astype(np.float32)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        S = (latest_n(H, self.config.last_n).astype(np.float32) @ self.M_).toarray()
        return np.asarray(S + self.tie_[None, :], dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        last = latest_n(hist, self.config.last_n)
        recent = np.isin(hist.indices, last.indices)
        w = np.where(recent, np.asarray(hist.data, dtype=np.float64), 0.0)
        rows = self.M_[hist.indices][:, items].toarray()
        return w[:, None] * rows

    def _item_sim(self, item: int) -> Floats:
        return np.asarray(self.M_[item].toarray(), dtype=np.float64).ravel()

    def _fold_row(self, hist: sp.csr_matrix | None, idx: Ints, w: Floats) -> sp.csr_matrix:
        """New items become the latest steps; `w` is not used: a step's weight here is its
        recency alone."""
        return append_steps(hist, idx, self.n_items, self.config.recency_decay)

    def _state(self) -> dict[str, np.ndarray]:
        M = self.M_
        return {"M_data": M.data, "M_indices": M.indices, "M_indptr": M.indptr}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        n = int(self.X_.shape[1])
        self.M_ = sp.csr_matrix(
            (arrays["M_data"], arrays["M_indices"], arrays["M_indptr"]), shape=(n, n)
        )
        self._set_tie()
