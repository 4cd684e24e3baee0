"""Co-interest between items over the users who took them, the arithmetic shared by the
`xitem` recommender and the segments' cross-domain affinity.

P(j | i) = (co_ij + shrink * p_j) / (n_i + shrink): co_ij users took both items, n_i took
i, and p_j is j's popularity share within its domain (`popularity_share`), so an item
taken by few users leans on popularity. A history's score of j is the weighted mean of
P(j | i) over its items (popularity alone for an empty history).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

F32 = npt.NDArray[np.float32]


def binary(X: sp.csr_matrix) -> sp.csr_matrix:
    B = sp.csr_matrix(X, dtype=np.float32, copy=True)
    B.data[:] = 1.0
    return B


def popularity_share(X: sp.csr_matrix, masks: Mapping[str, np.ndarray]) -> npt.NDArray[np.float64]:
    """Users per item divided by the users of all items of its domain (sums to 1 per
    domain), so every domain's shares are on one scale."""
    pop = np.asarray((X > 0).sum(axis=0), dtype=np.float64).ravel()
    out = np.zeros_like(pop)
    for m in masks.values():
        total = pop[m].sum()
        if total > 0:
            out[m] = pop[m] / total
    return out


def cointerest(X: sp.csr_matrix, shrink: float) -> tuple[sp.csr_matrix, F32]:
    """(C, inv): C_ij = co_ij / (n_i + shrink) with a zero diagonal, inv_i = 1/(n_i + shrink)."""
    B = binary(X)
    co = sp.csr_matrix(B.T.tocsr() @ B, dtype=np.float32)  # stays CSR: no second copy
    rows = np.repeat(np.arange(co.shape[0]), np.diff(co.indptr))
    n = np.asarray(B.sum(axis=0), dtype=np.float64).ravel()
    inv = 1.0 / (n + shrink)
    inv[~np.isfinite(inv)] = 0.0
    co.data *= inv[rows].astype(np.float32)
    co.data[co.indices == rows] = 0.0  # an item says nothing about itself
    co.eliminate_zeros()
    return co, inv.astype(np.float32)


def cointerest_scores(
    H: sp.csr_matrix, C: sp.csr_matrix, inv: F32, share: F32, shrink: float
) -> F32:
    """Each history row's weighted mean of P(j | i) over its items, for every item j."""
    H = sp.csr_matrix(H, dtype=np.float32)
    total = np.asarray(H.sum(axis=1), dtype=np.float32).ravel()
    safe = np.where(total > 0, total, 1.0)
    co = np.asarray((H @ C).todense(), dtype=np.float32)
    prior = shrink * np.asarray(H @ inv, dtype=np.float32).ravel()
    prior = np.where(total > 0, prior, safe)  # no history: popularity alone
    return np.asarray((co + prior[:, None] * share[None, :]) / safe[:, None], dtype=np.float32)
