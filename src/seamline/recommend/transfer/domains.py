"""Domain facts every transfer model shares: which items belong to which domain, each
item's popularity share within its domain, and per-user score scaling for blending."""

from __future__ import annotations

import numpy as np

from seamline.data.cointerest import binary, popularity_share
from seamline.recommend.base import F32, Recommender

__all__ = ["binary", "domain_masks", "item_domains", "popularity_share", "scale_rows"]


def item_domains(model: Recommender) -> np.ndarray:
    return np.asarray(model.catalog_.side["domain"], dtype=object)


def domain_masks(model: Recommender) -> dict[str, np.ndarray]:
    dom = item_domains(model)
    return {str(d): dom == d for d in sorted({str(x) for x in dom if x is not None})}


def scale_rows(S: np.ndarray, mask: np.ndarray) -> F32:
    """Each row's scores over `mask` mapped to [0, 1] (min -> 0, max -> 1; a flat row
    -> 0), so components on different scales can be blended."""
    sub = np.asarray(S[:, mask], dtype=np.float32)
    lo = sub.min(axis=1, keepdims=True)
    hi = sub.max(axis=1, keepdims=True)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.asarray((sub - lo) / span, dtype=np.float32)
