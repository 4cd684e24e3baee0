"""Neighbourhood models: item KNN (item-item cosine, the `neighbours` nearest per item) and
user-based CF (cosine between users' weighted histories, the `neighbours` nearest per user)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.config import ItemKNNConfig, UserKNNConfig

# Similarity blocks hold at most about this many entries (rows x columns) at a time.
BLOCK_CELLS = 20_000_000
# Blocks denser than this are ranked as dense rows (argpartition) instead of sorted entries.
DENSE_ABOVE = 0.05


def _cosine_topk(
    G: sp.csr_matrix,
    k: int,
    row_norms: np.ndarray,
    col_norms: np.ndarray,
    shrink: float,
    self_cols: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Turn dot products G (sparse) into cosines dot / (|r||c| + shrink) and keep each
    row's k largest positive ones (ties: lower column). `self_cols[r]` is dropped from row r.
    Works on the sparse entries only: no dense rows x columns block is ever built."""
    G = G.tocsr()
    G.sort_indices()
    n_rows, n_cols = G.shape
    if G.nnz > DENSE_ABOVE * n_rows * n_cols:
        return _cosine_topk_dense(G, k, row_norms, col_norms, shrink, self_cols)
    counts = np.diff(G.indptr)
    rows = np.repeat(np.arange(n_rows), counts)
    cols = G.indices
    denom = row_norms[rows].astype(np.float64) * col_norms[cols] + shrink
    vals = np.divide(G.data, denom, out=np.zeros(len(cols)), where=denom > 0)
    if self_cols is not None:
        vals[cols == self_cols[rows]] = 0.0
    order = np.lexsort((cols, -vals, rows))  # by row, best first, then lower column
    rank = np.arange(len(order)) - G.indptr[rows[order]]
    keep = order[(rank < k) & (vals[order] > 0)]
    return sp.csr_matrix((vals[keep].astype(np.float32), (rows[keep], cols[keep])), shape=G.shape)


def _cosine_topk_dense(
    G: sp.csr_matrix,
    k: int,
    row_norms: np.ndarray,
    col_norms: np.ndarray,
    shrink: float,
    self_cols: np.ndarray | None,
) -> sp.csr_matrix:
    """`_cosine_topk` for a dense-ish G: argpartition per row beats sorting the entries."""
    n, m = G.shape
    denom = row_norms[:, None].astype(np.float32) * col_norms[None, :] + np.float32(shrink)
    D = np.asarray(G.todense(), dtype=np.float32)
    np.divide(D, denom, out=D, where=denom > 0)
    D[denom <= 0] = 0.0
    if self_cols is not None:
        D[np.arange(n), self_cols] = 0.0
    kk = min(k, m)
    part = np.argpartition(-D, kk - 1, axis=1)[:, :kk] if kk < m else np.tile(np.arange(m), (n, 1))
    rows = np.repeat(np.arange(n), part.shape[1])
    cols = part.ravel()
    vals = D[rows, cols]
    keep = vals > 0
    return sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(n, m))


class ItemKNN(Recommender):
    """score(u, i) = sum_j x_uj * S[j, i] with S[j, i] = x_i . x_j / (|x_i||x_j| + shrink)
    (item columns of the train matrix), kept for the k nearest neighbours j of each i."""

    name = "itemknn"
    config_class = ItemKNNConfig
    config: ItemKNNConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        n = X.shape[1]
        Xc = X.tocsc().astype(np.float32)
        norms = np.sqrt(np.asarray(Xc.multiply(Xc).sum(axis=0)).ravel())
        XT = Xc.T.tocsr()
        step = max(1, BLOCK_CELLS // max(n, 1))
        blocks = []
        for s in range(0, n, step):
            cols = np.arange(s, min(n, s + step))
            G = XT[cols] @ Xc  # targets x items co-occurrence, sparse
            c = self.config
            blocks.append(_cosine_topk(G, c.neighbours, norms[cols], norms, c.shrink, cols))
        # rows = target item i, cols = neighbour j; scoring needs S[j, i]
        self.S_ = sp.vstack(blocks).T.tocsr()

    def _score_history(self, H: sp.csr_matrix) -> F32:
        return np.asarray((H.astype(np.float32) @ self.S_).todense(), dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        w = np.asarray(hist.data, dtype=np.float64)
        return w[:, None] * np.asarray(self.S_[hist.indices][:, items].todense(), dtype=np.float64)

    def _item_sim(self, item: int) -> Floats:
        return np.asarray(self.S_[item].todense(), dtype=np.float64).ravel()

    def _state(self) -> dict[str, np.ndarray]:
        S = self.S_
        return {"S_data": S.data, "S_indices": S.indices, "S_indptr": S.indptr}

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        n = self.n_items
        self.S_ = sp.csr_matrix((a["S_data"], a["S_indices"], a["S_indptr"]), shape=(n, n))


class UserKNN(Recommender):
    """User-based CF: score(u, i) = sum over u's k most similar users v of
    cosine(u, v) * x_vi. Neighbours are found at query time (no user x user matrix)."""

    name = "userknn"
    config_class = UserKNNConfig
    config: UserKNNConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        self._prepare()

    def _prepare(self) -> None:
        X = self.X_.astype(np.float32)
        self.norms_ = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel()).astype(np.float32)
        self.XT_ = X.T.tocsr()  # items x users: history @ XT gives overlaps with every user

    def _neighbours(self, H: sp.csr_matrix, self_rows: np.ndarray | None) -> sp.csr_matrix:
        """Sparse (len(H) x n_users) cosine weights of each history's k nearest users."""
        H = H.astype(np.float32)
        hn = np.sqrt(np.asarray(H.multiply(H).sum(axis=1)).ravel())
        out = []
        step = max(1, BLOCK_CELLS // max(self.n_users, 1))
        for s in range(0, H.shape[0], step):
            sl = slice(s, min(H.shape[0], s + step))
            G = H[sl] @ self.XT_  # overlaps with every user, sparse
            own = None if self_rows is None else self_rows[sl]
            c = self.config
            out.append(_cosine_topk(G, c.neighbours, hn[sl], self.norms_, c.shrink, own))
        return sp.vstack(out).tocsr()

    def scores(self, user_rows: np.ndarray) -> F32:  # type: ignore[override]
        self._check_fitted()
        rows = np.asarray(user_rows, dtype=np.int64)
        N = self._neighbours(self.H_[rows], rows)
        return np.asarray((N @ self.X_).todense(), dtype=np.float32)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        N = self._neighbours(H, None)
        return np.asarray((N @ self.X_).todense(), dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        # cosine(u, v) = sum_j x_uj x_vj / (|u||v|), so the score splits over u's items j:
        # c_ji = x_uj * sum_{v in N(u)} x_vj x_vi / (|u||v| + shrink) (exact when shrink=0)
        r = self.users_.get(user_id)
        self_rows = None if (r < 0 or user_id in self.folded_) else np.array([r])
        N = self._neighbours(hist, self_rows)
        nb, w = N.indices, N.data.astype(np.float64)
        if len(nb) == 0:
            return np.zeros((len(hist.indices), len(items)))
        Xnb = self.X_[nb].tocsc()
        xv_h = np.asarray(Xnb[:, hist.indices].todense(), dtype=np.float64)
        dots = xv_h @ np.asarray(hist.data, dtype=np.float64)
        scale = np.divide(w, dots, out=np.zeros_like(w), where=dots > 0)  # 1/(|u||v|+s)
        xv_i = np.asarray(Xnb[:, items].todense(), dtype=np.float64)
        x_u = np.asarray(hist.data, dtype=np.float64)
        return x_u[:, None] * (xv_h.T @ (scale[:, None] * xv_i))

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        self._prepare()
