"""Top-k ranking metrics over full rankings, each with its standard error over users.

Everything is numpy over arrays: a score matrix (users x items) becomes a top-k list per
user (`top_k`), and `RankingMetrics` accumulates per-user values chunk by chunk so a
million users never need one dense matrix.

Per test user u with held-out set T_u and top-k list R_u (k = list length):

* Precision@k = |R_u & T_u| / k;  Recall@k = |R_u & T_u| / |T_u|;
  F1@k = 2 P R / (P + R) per user (0 when both are 0), then averaged;
* HitRate@k = 1 if |R_u & T_u| > 0;
* NDCG@k = DCG / IDCG with DCG = sum over hits at rank r of 1/log2(r+1) and
  IDCG = sum_{r=1..min(k,|T_u|)} 1/log2(r+1);
* MAP@k: AP = sum over hits at rank r of Precision@r, divided by min(k, |T_u|);
* Novelty@k: mean self-information -log2((pop_i + 1) / (n_users + 1)) of the listed items,
  pop_i = train users of item i;
* Diversity@k (intra-list): mean over pairs of listed items of 1 - cosine(v_i, v_j), with
  v_i the item's column of the train matrix (who consumed it) unless other vectors are given;
* Coverage@k: distinct items recommended to anyone / catalog size (no standard error).

Means are over test users; `<metric>_se` is the standard error std(ddof=1)/sqrt(n).
Ranking is stable: higher score first, ties to the lower item index; excluded items
score -inf and never enter a list (a list is shorter, padded with -1, when fewer remain).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from seamline.errors import ConfigError, DataError

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

PER_USER = ("precision", "recall", "f1", "ndcg", "map", "hit_rate", "novelty", "diversity")
METRICS = (*PER_USER, "coverage")


def top_k(scores: npt.ArrayLike, k: int) -> Ints:
    """Indices of the k best items per row: stable (ties -> lower index), -inf never listed.

    Returns (rows, k) int64, padded with -1 where a row has fewer than k finite scores.
    """
    S = np.asarray(scores)
    if S.ndim != 2:
        raise DataError(f"scores must be a 2-d users x items array, got shape {S.shape}")
    if k < 1:
        raise ConfigError(f"k must be at least 1, got {k}")
    if np.isnan(S).any():
        raise DataError("scores contain NaN")
    b, n = S.shape
    out = np.full((b, k), -1, dtype=np.int64)
    if b == 0 or n == 0:
        return out
    kk = min(k, n)
    # Only items scoring at least the k-th best can be listed: sort just those.
    thr = np.partition(S, n - kk, axis=1)[:, n - kk]
    r, c = np.nonzero(thr[:, None] <= S)
    vals = S[r, c]
    o = np.lexsort((c, -vals, r))
    r, c, vals = r[o], c[o], vals[o]
    starts = np.searchsorted(r, np.arange(b))
    rank = np.arange(len(r)) - starts[r]
    keep = (rank < kk) & np.isfinite(vals)
    out[r[keep], rank[keep]] = c[keep]
    return out


class RankingMetrics:
    """Accumulates per-user metric values over chunks of users; `result()` gives the means.

    `popularity` (train users per item) and `n_train_users` feed novelty; `item_vectors`
    (items x d, sparse or dense) feed diversity; `catalog_size` is coverage's denominator.
    """

    def __init__(
        self,
        k: int,
        n_items: int,
        *,
        catalog_size: int | None = None,
        popularity: npt.ArrayLike | None = None,
        n_train_users: int | None = None,
        item_vectors: Any = None,
    ) -> None:
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        self.k = int(k)
        self.n_items = int(n_items)
        self.catalog_size = int(catalog_size if catalog_size is not None else n_items)
        self._disc = 1.0 / np.log2(np.arange(2, k + 2))
        self._idcg = np.cumsum(self._disc)
        self._info: Floats | None = None
        if popularity is not None:
            pop = np.asarray(popularity, dtype=np.float64)
            nu = float(n_train_users if n_train_users is not None else pop.max(initial=0))
            self._info = -np.log2((pop + 1.0) / (nu + 1.0))
        self._vecs: sp.csr_matrix | None = None
        if item_vectors is not None:
            V = sp.csr_matrix(item_vectors, dtype=np.float64)
            norms = np.sqrt(np.asarray(V.multiply(V).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            self._vecs = sp.csr_matrix(sp.diags(1.0 / norms) @ V)
        self._parts: dict[str, list[Floats]] = {m: [] for m in PER_USER}
        self._recommended = np.zeros(self.n_items, dtype=bool)

    def add(self, top: Ints, truth_rows: Ints, truth_items: Ints) -> None:
        """One chunk: `top` (b x k item indices, -1 padded) and the held-out pairs as
        (row in this chunk, item); every row must hold at least one held-out item."""
        top = np.asarray(top, dtype=np.int64)
        b, k = top.shape
        if k != self.k:
            raise DataError(f"top-k lists have {k} columns, expected {self.k}")
        rows = np.asarray(truth_rows, dtype=np.int64)
        items = np.asarray(truth_items, dtype=np.int64)
        nt = np.bincount(rows, minlength=b).astype(np.float64)
        if b and nt.min() == 0:
            raise DataError("every evaluated user needs at least one held-out item")
        listed = top >= 0
        key_top = np.where(listed, np.arange(b)[:, None] * self.n_items + top, -1)
        hits = np.isin(key_top, rows * self.n_items + items) & listed
        nhit = hits.sum(axis=1).astype(np.float64)
        prec = nhit / k
        rec = nhit / nt
        denom = prec + rec
        f1 = np.divide(2 * prec * rec, denom, out=np.zeros(b), where=denom > 0)
        ideal = self._idcg[np.minimum(nt, k).astype(np.int64) - 1]
        ndcg = (hits @ self._disc) / ideal
        prec_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
        ap = (prec_at * hits).sum(axis=1) / np.minimum(nt, k)
        self._parts["precision"].append(prec)
        self._parts["recall"].append(rec)
        self._parts["f1"].append(f1)
        self._parts["ndcg"].append(ndcg)
        self._parts["map"].append(ap)
        self._parts["hit_rate"].append((nhit > 0).astype(np.float64))
        n_listed = listed.sum(axis=1)
        if self._info is not None:
            info = np.where(listed, self._info[np.maximum(top, 0)], 0.0).sum(axis=1)
            self._parts["novelty"].append(info / np.maximum(n_listed, 1))
        if self._vecs is not None:
            self._parts["diversity"].append(self._diversity(top, listed))
        self._recommended[top[listed]] = True

    def _diversity(self, top: Ints, listed: npt.NDArray[np.bool_]) -> Floats:
        assert self._vecs is not None
        b, k = top.shape
        if k < 2:
            return np.zeros(b)
        # Cosines among the distinct listed items only: one small Gram matrix per chunk.
        distinct, local = np.unique(np.maximum(top, 0), return_inverse=True)
        local = local.reshape(b, k)
        V = self._vecs[distinct]
        gram = sp.csr_matrix(V @ V.T)
        a, c = np.triu_indices(k, 1)
        both = listed[:, a] & listed[:, c]
        cos = np.asarray(gram[local[:, a].ravel(), local[:, c].ravel()]).reshape(b, len(a))
        dissim = np.where(both, 1.0 - cos, 0.0).sum(axis=1)
        pairs = both.sum(axis=1)
        return np.divide(dissim, pairs, out=np.zeros(b), where=pairs > 0)

    def result(self) -> dict[str, float]:
        """Mean and standard error of each per-user metric, coverage and user count."""
        out: dict[str, float] = {}
        n = 0
        for name in PER_USER:
            if not self._parts[name]:
                continue
            v = np.concatenate(self._parts[name])
            n = len(v)
            key = f"{name}@{self.k}"
            out[key] = float(v.mean()) if n else 0.0
            out[key + "_se"] = float(v.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
        out[f"coverage@{self.k}"] = float(self._recommended.sum() / max(self.catalog_size, 1))
        out["n_users"] = float(n)
        return out


def evaluate_ranking(
    score_fn: Callable[[Ints], npt.ArrayLike],
    train: sp.csr_matrix,
    test_users: npt.ArrayLike,
    test_items: npt.ArrayLike,
    *,
    k: int = 10,
    candidates: npt.NDArray[np.bool_] | None = None,
    item_vectors: Any = None,
    chunk: int = 1024,
) -> dict[str, float]:
    """Full-ranking evaluation: score every item for each test user, drop the user's train
    items (and items outside `candidates`), rank, and measure against the held-out pairs.

    `score_fn(user_rows)` returns a (len(user_rows), n_items) score array.
    """
    X = sp.csr_matrix(train)
    n_users, n_items = X.shape
    tu = np.asarray(test_users, dtype=np.int64)
    ti = np.asarray(test_items, dtype=np.int64)
    if tu.shape != ti.shape:
        raise DataError(f"test users ({tu.shape}) and items ({ti.shape}) differ in length")
    if len(tu) and (tu.max() >= n_users or ti.max() >= n_items or min(tu.min(), ti.min()) < 0):
        raise DataError("test pairs refer to users or items outside the train matrix")
    # A held-out item already in the user's train is unreachable; the splits never make one.
    o = np.lexsort((ti, tu))
    tu, ti = tu[o], ti[o]
    users, starts = np.unique(tu, return_index=True)
    ends = np.r_[starts[1:], len(tu)]
    pop = np.asarray((X > 0).sum(axis=0)).ravel()
    n_active = int((np.diff(X.indptr) > 0).sum())
    vectors = item_vectors if item_vectors is not None else X.T.tocsr()
    catalog = int(candidates.sum()) if candidates is not None else n_items
    acc = RankingMetrics(
        k, n_items, catalog_size=catalog, popularity=pop, n_train_users=n_active,
        item_vectors=vectors,
    )  # fmt: skip
    for c in range(0, len(users), chunk):
        ub = users[c : c + chunk]
        b = len(ub)
        S = np.array(score_fn(ub), dtype=np.float64, copy=True)
        if S.shape != (b, n_items):
            raise DataError(f"scores have shape {S.shape}, expected {(b, n_items)}")
        if not np.isfinite(S).all():
            raise DataError("a model returned non-finite scores")
        sub = X[ub]
        S[np.repeat(np.arange(b), np.diff(sub.indptr)), sub.indices] = -np.inf
        if candidates is not None:
            S[:, ~candidates] = -np.inf
        top = top_k(S, k)
        lens = ends[c : c + chunk] - starts[c : c + chunk]
        rows = np.repeat(np.arange(b), lens)
        acc.add(top, rows, ti[starts[c] : ends[min(c + chunk, len(users)) - 1]])
    return acc.result()
