"""Events as per-user sequences: sorted by user, then by time (`Interactions.seq`), with
consecutive repeats of one item (a view, a click, then a purchase of it) collapsed into one
step, so a window of k steps spans k distinct moves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from seamline.data.dataset import Interactions

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Sequences:
    """One row per step, grouped by user in chronological order."""

    user: Ints
    item: Ints
    weight: Floats  # the strongest (decayed) event weight of the step
    n_users: int
    n_items: int

    @property
    def n_steps(self) -> int:
        return len(self.user)

    def counts(self) -> Ints:
        return np.bincount(self.user, minlength=self.n_users).astype(np.int64)

    def starts(self) -> Ints:
        c = self.counts()
        return np.r_[0, np.cumsum(c)[:-1]].astype(np.int64)

    def rank(self) -> Ints:
        """Per step: how many of the user's steps come after it (0 = the latest)."""
        c = self.counts()
        ends = np.repeat(self.starts() + c, c)
        return (ends - 1 - np.arange(self.n_steps)).astype(np.int64)


def sequences(data: Interactions) -> Sequences:
    """The interactions' events as per-user sequences (see the module doc)."""
    order = np.lexsort((data.seq, data.user))
    u, i = data.user[order], data.item[order]
    w = data.decayed_weight()[order]
    n = len(u)
    if n == 0:
        return Sequences(u, i, w, data.n_users, data.n_items)
    first = np.flatnonzero(np.r_[True, (u[1:] != u[:-1]) | (i[1:] != i[:-1])])
    return Sequences(u[first], i[first], np.maximum.reduceat(w, first), data.n_users, data.n_items)


def recency_weight(rank: npt.ArrayLike, decay: float | None) -> Floats:
    """``decay ** rank``, or ``1 / (1 + rank)`` with no decay (order only, never 0)."""
    r = np.asarray(rank, dtype=np.float64)
    return 1.0 / (1.0 + r) if decay is None else np.power(float(decay), r)


def rank_of(weight: npt.ArrayLike, decay: float | None) -> Floats:
    """The inverse of `recency_weight`: steps before the latest one."""
    w = np.asarray(weight, dtype=np.float64)
    if decay is None:
        return np.rint(1.0 / w - 1.0)
    if decay >= 1.0:
        return np.zeros_like(w)  # no decay: every step weighs the same
    return np.rint(np.log(w) / np.log(float(decay)))


def recency_matrix(seqs: Sequences, decay: float | None) -> sp.csr_matrix:
    """Users x items, float32: `recency_weight` of the item's latest step, r steps before
    the user's last one. Every item of the history is present (seen items stay excluded)."""
    r = seqs.rank()
    w = recency_weight(r, decay)
    key = seqs.user * seqs.n_items + seqs.item
    order = np.lexsort((r, key))  # each (user, item)'s latest step first
    ks = key[order]
    first = order[np.r_[True, ks[1:] != ks[:-1]]] if len(ks) else order
    H = sp.csr_matrix(
        (w[first].astype(np.float32), (seqs.user[first], seqs.item[first])),
        shape=(seqs.n_users, seqs.n_items),
        dtype=np.float32,
    )
    H.sort_indices()
    return H


def latest_n(H: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """H with only the n largest entries of each row kept (the n latest items of a recency
    matrix); ties go to the lower item index."""
    H = sp.csr_matrix(H)
    counts = np.diff(H.indptr)
    if len(counts) == 0 or counts.max(initial=0) <= n:
        return H
    row = np.repeat(np.arange(H.shape[0]), counts)
    order = np.lexsort((H.indices, -H.data, row))
    pos = np.arange(len(order)) - np.repeat(H.indptr[:-1], counts)
    keep = np.zeros(len(order), dtype=bool)
    keep[order[pos < n]] = True
    out = sp.csr_matrix(
        (H.data[keep], H.indices[keep], np.r_[0, np.cumsum(np.minimum(counts, n))]),
        shape=H.shape,
    )
    return out


def append_steps(
    hist: sp.csr_matrix | None, steps: Ints, n_items: int, decay: float | None
) -> sp.csr_matrix:
    """A recency history row (1 x n_items) after the items `steps` (in order, consecutive
    repeats counting once) happened: they become the latest, older items move back."""
    steps = np.asarray(steps, dtype=np.int64)
    if len(steps):
        steps = steps[np.r_[True, steps[1:] != steps[:-1]]]
    m = len(steps)
    old = sp.csr_matrix((1, n_items), dtype=np.float32) if hist is None else sp.csr_matrix(hist)
    rank = np.full(n_items, np.inf)
    rank[old.indices] = rank_of(old.data, decay) + m
    np.minimum.at(rank, steps, np.arange(m - 1, -1, -1, dtype=np.float64))
    keep = np.union1d(old.indices, steps).astype(np.int64)
    return sp.csr_matrix(
        (recency_weight(rank[keep], decay).astype(np.float32), (np.zeros(len(keep), int), keep)),
        shape=(1, n_items),
    )


def ordered_items(row: sp.csr_matrix, last: int) -> Ints:
    """The `last` latest items of a recency history row, oldest first."""
    order = np.lexsort((-row.indices, row.data))  # ascending weight: oldest first
    return np.asarray(row.indices[order][-last:], dtype=np.int64)
