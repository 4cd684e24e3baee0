"""Domain facts every transfer model shares: which items belong to which domain, each
item's popularity share within its domain, and per-user score scaling for blending."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from seamline.recommend.base import F32, Floats, Recommender


def item_domains(model: Recommender) -> np.ndarray:
    return np.asarray(model.catalog_.side["domain"], dtype=object)


def domain_masks(model: Recommender) -> dict[str, np.ndarray]:
    dom = item_domains(model)
    return {str(d): dom == d for d in sorted({str(x) for x in dom if x is not None})}


def popularity_share(X: sp.csr_matrix, masks: dict[str, np.ndarray]) -> Floats:
    """Users per item divided by the users of all items of its domain (sums to 1 per
    domain), so every domain's shares are on one scale."""
    pop = np.asarray((X > 0).sum(axis=0), dtype=np.float64).ravel()
    out = np.zeros_like(pop)
    for m in masks.values():
        total = pop[m].sum()
        if total > 0:
            out[m] = pop[m] / total
    return out


def binary(X: sp.csr_matrix) -> sp.csr_matrix:
    B = sp.csr_matrix(X, dtype=np.float32, copy=True)
    B.data[:] = 1.0
    return B


def scale_rows(S: np.ndarray, mask: np.ndarray) -> F32:
    """Each row's scores over `mask` mapped to [0, 1] (min -> 0, max -> 1; a flat row
    -> 0), so components on different scales can be blended."""
    sub = np.asarray(S[:, mask], dtype=np.float32)
    lo = sub.min(axis=1, keepdims=True)
    hi = sub.max(axis=1, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.asarray((sub - lo) / span, dtype=np.float32)
