"""Re-ranking that bounds exposure disparity between item groups.

Users are served one after another; each slot takes the best-scoring candidate unless its
group's running exposure share would exceed ``target * (1 + tolerance)``, in which case
the best candidate of a group still within bounds takes it. The total variation distance
between exposure and target shares is the sum of the groups' excess, so when every group
stays within its cap the disparity is at most `tolerance` (when candidates run out, the
best remaining item is taken and the bound can be missed; the audit reports what was
reached). The cost is the NDCG@k lost on held-out interactions (`ndcg_at_k`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seamline.errors import ConfigError
from seamline.fairness.exposure import position_weights


def rerank(
    scores: npt.ArrayLike,
    item_groups: npt.ArrayLike,
    target: dict[str, float],
    k: int,
    *,
    tolerance: float = 0.05,
    candidates: int = 500,
    exclude: npt.ArrayLike | None = None,
) -> npt.NDArray[np.int64]:
    """Top-`k` lists (users x k item indices) from `scores` (users x items), re-ranked so no
    group's running exposure share exceeds ``target[group] * (1 + tolerance)`` where
    avoidable; ``tolerance=1`` with an empty target is plain top-k.

    `exclude`: boolean users x items mask of items not to recommend (e.g. already seen).
    """
    S = np.asarray(scores, dtype=np.float64)
    if S.ndim != 2:
        raise ConfigError(f"scores must be users x items, got shape {S.shape}")
    if not 0 <= tolerance <= 1:
        raise ConfigError(f"tolerance must be in [0, 1], got {tolerance}")
    if k < 1:
        raise ConfigError(f"k must be >= 1, got {k}")
    n_users, n_items = S.shape
    labels = np.asarray(item_groups, dtype=object).astype(str)
    names = sorted(set(labels))
    gid = np.searchsorted(np.array(names, dtype=object), labels)
    cap = (
        np.full(len(names), np.inf)
        if not target
        else np.array([target.get(g, 0.0) * (1 + tolerance) for g in names])
    )
    if exclude is not None:
        S = np.where(np.asarray(exclude, dtype=bool), -np.inf, S)
    m = min(max(candidates, k), n_items)
    pos_w = position_weights(k)
    exposure = np.zeros(len(names))
    out = np.full((n_users, k), -1, dtype=np.int64)
    for u in range(n_users):
        row = S[u]
        cand = np.argpartition(-row, m - 1)[:m] if m < n_items else np.arange(n_items)
        cand = cand[np.argsort(-row[cand], kind="stable")]
        cand = cand[np.isfinite(row[cand])]
        taken = np.zeros(len(cand), dtype=bool)
        for r in range(min(k, len(cand))):
            total = exposure.sum() + pos_w[r]
            # Shares each group would have if it took this slot.
            within = (exposure[gid[cand]] + pos_w[r]) / total <= cap[gid[cand]]
            free = ~taken
            pick = np.flatnonzero(free & within)
            j = pick[0] if len(pick) else np.flatnonzero(free)[0]  # nobody within: best left
            taken[j] = True
            out[u, r] = cand[j]
            exposure[gid[cand[j]]] += pos_w[r]
    return out


def ndcg_at_k(lists: npt.ArrayLike, relevant: list[set[int]]) -> npt.NDArray[np.float64]:
    """Per-user binary NDCG@k of `lists` (users x k, -1 padded) against `relevant` items."""
    L = np.asarray(lists, dtype=np.int64)
    k = L.shape[1]
    w = position_weights(k)
    out = np.zeros(len(L))
    for u, rel in enumerate(relevant):
        if not rel:
            continue
        gains = np.array([1.0 if i in rel else 0.0 for i in L[u]])
        ideal = w[: min(len(rel), k)].sum()
        out[u] = float(gains @ w) / ideal
    return out
