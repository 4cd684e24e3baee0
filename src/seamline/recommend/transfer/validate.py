"""Choosing the blend's weights on a validation carve of the training users.

Per target domain t: a seeded sample of the users active in t and in another domain (at
most `validation_users`, at most `validation_fraction` of them; disjoint across targets)
has every t event hidden; the components are fitted once on what remains; each sampled
user's component scores over t's items are scaled to [0, 1]; and every point of the weight
simplex is scored by NDCG@k over the hidden items. Only the items some component puts in
a user's top `POOL` can enter that user's blended top-k in practice, so the grid runs on
those (a few hundred per user instead of the whole catalog).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from seamline.data.dataset import Interactions
from seamline.recommend.transfer.domains import domain_masks, popularity_share, scale_rows

if TYPE_CHECKING:
    from seamline.recommend.base import Recommender

POOL = 100
MIN_USERS = 5


def simplex(n: int, step: float) -> list[np.ndarray]:
    """Weight vectors over n components on a grid of `step`, summing to 1; pure popularity
    (the first component) first, then by decreasing popularity weight."""
    m = round(1 / step)
    pts = [c for c in itertools.product(range(m + 1), repeat=n) if sum(c) == m]
    pts.sort(key=lambda c: (-c[0], [-x for x in c[1:]]))
    return [np.asarray(c, dtype=np.float64) / m for c in pts]


def carve(data: Interactions, hide: np.ndarray) -> Interactions:
    """`data` without the events where `hide` is true (same id maps and side info)."""
    keep = ~hide
    return replace(
        data, user=data.user[keep], item=data.item[keep], weight=data.weight[keep],
        age_days=data.age_days[keep], seq=data.seq[keep], _cache={},
    )  # fmt: skip


def _ndcg(top: np.ndarray, truth: list[set[int]], k: int) -> float:
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    vals = []
    for row, t in zip(top, truth, strict=True):
        gain = sum(disc[r] for r, j in enumerate(row[:k]) if j in t)
        vals.append(gain / disc[: min(k, len(t))].sum())
    return float(np.mean(vals)) if vals else 0.0


def choose_weights(
    model: Recommender, data: Interactions, make: Callable[[], dict[str, Recommender]]
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    c: Any = model.config
    X = model.X_
    masks = domain_masks(model)
    has = {d: np.asarray((X[:, m] > 0).sum(axis=1)).ravel() > 0 for d, m in masks.items()}
    rng = np.random.default_rng(c.random_state)
    taken = np.zeros(X.shape[0], dtype=bool)
    chosen: dict[str, np.ndarray] = {}
    for t in masks:
        other = np.zeros(X.shape[0], dtype=bool)
        for d in masks:
            if d != t:
                other |= has[d]
        pool = np.flatnonzero(has[t] & other & ~taken)
        n = min(c.validation_users, int(c.validation_fraction * len(pool)))
        if n >= MIN_USERS:
            chosen[t] = np.sort(rng.choice(pool, size=n, replace=False))
            taken[chosen[t]] = True
    if not chosen:
        return {}, {"note": "too few users active in two domains to validate on"}
    dom = np.asarray(model.catalog_.side["domain"], dtype=object)
    hide = np.zeros(data.n_events, dtype=bool)
    for t, users in chosen.items():
        hide |= np.isin(data.user, users) & (dom[data.item] == t)
    train = carve(data, hide)
    parts = {n: m.fit(train) for n, m in make().items()}
    share = popularity_share(train.matrix(), masks)
    Xt = train.matrix()
    weights: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {}
    for t, users in chosen.items():
        m = masks[t]
        cols = np.flatnonzero(m)
        H = Xt[users]
        comp = [scale_rows(np.repeat(share[None, :], len(users), axis=0), m)]
        comp += [scale_rows(p._score_history(H), m) for p in parts.values()]
        truth_rows = X[users][:, cols]
        truth = [set(truth_rows[r].indices.tolist()) for r in range(len(users))]
        # per user, the union of every component's top POOL items
        pool_n = min(POOL, len(cols))
        cand = np.concatenate(
            [np.argpartition(-s, pool_n - 1, axis=1)[:, :pool_n] for s in comp], axis=1
        )
        cand = np.sort(cand, axis=1)
        dup = np.zeros(cand.shape, dtype=bool)  # an item in several components' pools
        dup[:, 1:] = cand[:, 1:] == cand[:, :-1]
        sub = [np.take_along_axis(s, cand, axis=1) for s in comp]
        grid = simplex(len(comp), c.step)
        scores = []
        for w in grid:
            S = sum(wi * s for wi, s in zip(w, sub, strict=True) if wi > 0)
            S = np.asarray(S) + 1e-7 * sub[0]  # ties: the more popular item
            S[dup] = -np.inf
            order = np.argsort(-S, axis=1, kind="stable")[:, : c.k]
            scores.append(_ndcg(np.take_along_axis(cand, order, axis=1), truth, c.k))
        best = int(np.argmax(scores))  # first best: the grid starts at pure popularity
        weights[t] = grid[best]
        info[t] = {
            "users": len(users),
            "weights": dict(zip(["popular", *parts], grid[best].tolist(), strict=True)),
            f"ndcg@{c.k}": scores[best],
            f"popular_ndcg@{c.k}": scores[0],
        }
    return weights, info
