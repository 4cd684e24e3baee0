"""Cross-domain affinity of segments: which target categories each segment's source-domain
behaviour predicts.

For every ordered pair of domains (source -> target), each member's source-domain history
alone is scored over the target's items by co-interest (`data.cointerest`, as the
`xitem` recommender does, over the workspace's events) and normalised to a distribution;
the segment's affinity for a target category is the mean probability its members' source
behaviour puts on that category's items, and its lift is that over the same mean for every user with
source history. So "learners in segment 2 are predicted to buy outerwear at 1.8x the
average" comes from what they studied, not from what they already bought.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from seamline.data.cointerest import cointerest, cointerest_scores, popularity_share

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)

TOP = 3
CHUNK = 2048
NO_CATEGORY = "(none)"
SHRINK = 5.0  # as the xitem recommender's default


def _category_mass(
    score: Callable[[sp.csr_matrix], npt.NDArray[np.float32]],
    H: sp.csr_matrix,
    target: npt.NDArray[np.bool_],
    onehot: sp.csr_matrix,
) -> npt.NDArray[np.float64]:
    """Per row of H: the predicted probability mass on each target category."""
    out = []
    for c in range(0, H.shape[0], CHUNK):
        S = np.asarray(score(H[c : c + CHUNK]), dtype=np.float64)[:, target]
        S = np.maximum(S, 0.0)
        tot = S.sum(axis=1, keepdims=True)
        S = np.divide(S, tot, out=np.zeros_like(S), where=tot > 0)
        out.append(np.asarray(S @ onehot, dtype=np.float64))
    return np.vstack(out) if out else np.zeros((0, onehot.shape[1]))


def cross_affinity(
    ws: Store, user_ids: pd.Series, labels: npt.NDArray[np.int64]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """segment -> {"source->target": [{category, share, lift}, ...top 3]}; empty when the
    events carry fewer than two domains."""
    from seamline.data.dataset import Interactions

    data = Interactions.from_workspace(ws)
    dom = np.asarray(data.item_domain, dtype=object)
    cat = np.asarray(
        [NO_CATEGORY if c is None or c != c or c == "" else str(c) for c in data.item_category],
        dtype=object,
    )
    domains = sorted({str(d) for d in dom if d is not None})
    out: dict[int, dict[str, list[dict[str, Any]]]] = {int(s): {} for s in np.unique(labels)}
    if len(domains) < 2:
        return out
    X = data.matrix()
    masks = {d: dom == d for d in domains}
    C, inv = cointerest(X, SHRINK)
    pshare = popularity_share(X, masks).astype(np.float32)

    def score(H: sp.csr_matrix) -> npt.NDArray[np.float32]:
        return cointerest_scores(H, C, inv, pshare, SHRINK)

    rows = data.users.indices([str(u) for u in user_ids])
    known = rows >= 0
    for src in domains:
        for tgt in domains:
            if src == tgt:
                continue
            target = dom == tgt
            names = sorted({c for c in cat[target] if c != NO_CATEGORY})
            if not names:
                continue
            col = {c: t for t, c in enumerate(names)}
            j = [col.get(c, -1) for c in cat[target]]
            keep = np.asarray(j) >= 0
            onehot = sp.csr_matrix(
                (np.ones(int(keep.sum())), (np.flatnonzero(keep), np.asarray(j)[keep])),
                shape=(int(target.sum()), len(names)),
            )
            Hs = sp.csr_matrix(X[rows[known]].multiply((dom == src)[None, :]))
            has = np.diff(Hs.indptr) > 0
            if not has.any():
                continue
            mass = _category_mass(score, Hs[has], target, onehot)
            seg = labels[known][has]
            pop = mass.mean(axis=0)
            for s in out:
                m = mass[seg == s]
                if len(m) == 0:
                    continue
                share = m.mean(axis=0)
                order = np.argsort(-share, kind="stable")[:TOP]
                out[s][f"{src}->{tgt}"] = [
                    {
                        "category": names[t],
                        "share": round(float(share[t]), 4),
                        "lift": round(float(share[t] / pop[t]), 3) if pop[t] > 0 else None,
                    }
                    for t in order
                ]
    return out
