"""A blend of retrievers: a weighted sum of their scores.

Each component (`transition`, `ease`, `sasrec`) fits on the same interactions. Before
summing, each user's scores from one component are divided by their largest absolute value
over the user's unseen items, so weights compare like with like. Without given `weights`
the blend chooses them on validation: every component is fitted once with each user's
latest event held out, the weights on a grid of step `weight_step` that give the best
NDCG@10 on those held-out items win (`blend_weights`), then the components are refitted on
everything. `because` adds up the components' reasons with the same weights; `fold_in`
folds the events into every component.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Floats, Ints, Recommender, Unknown
from seamline.recommend.config import BlendConfig, ModelConfig
from seamline.recommend.ease import EASE
from seamline.recommend.sequence.sasrec import SASRec
from seamline.recommend.sequence.transition import Transition

CLASSES: dict[str, type[Recommender]] = {"transition": Transition, "ease": EASE, "sasrec": SASRec}
K = 10


def unseen_scale(S: np.ndarray, seen: sp.csr_matrix) -> Floats:
    """Per row: the largest |score| over the row's unseen items (1 when there is none)."""
    A = np.abs(np.asarray(S, dtype=np.float64))
    A[seen.nonzero()] = 0.0
    top = A.max(axis=1) if A.shape[1] else np.zeros(len(A))
    return np.where(top > 0, top, 1.0)


def simplex(n: int, step: float) -> list[tuple[float, ...]]:
    """Weight vectors of n non-negative parts summing to 1, on a grid of `step`."""
    m = round(1.0 / step)
    return [
        tuple(c / m for c in combo)
        for combo in itertools.product(range(m + 1), repeat=n)
        if sum(combo) == m
    ]


def blend_weights(
    parts: Sequence[np.ndarray], seen: sp.csr_matrix, target: Ints, step: float
) -> tuple[tuple[float, ...], float]:
    """(weights, NDCG@10) of the best grid point; the first point wins ties."""
    normed = [np.asarray(P, dtype=np.float64) / unseen_scale(P, seen)[:, None] for P in parts]
    rows = np.arange(len(target))
    best: tuple[tuple[float, ...], float] = ((1.0,) + (0.0,) * (len(parts) - 1), -1.0)
    for w in simplex(len(parts), step):
        S = sum(wi * P for wi, P in zip(w, normed, strict=True))
        assert isinstance(S, np.ndarray)
        S[seen.nonzero()] = -np.inf
        rank = (S[rows, target][:, None] < S).sum(axis=1)
        ndcg = float(np.where(rank < K, 1.0 / np.log2(rank + 2.0), 0.0).mean())
        if ndcg > best[1]:
            best = (w, ndcg)
    return best


def hold_out_latest(data: Interactions, n_users: int, seed: int) -> tuple[Interactions, Ints, Ints]:
    """(data without each user's latest event, validation users, their held-out items):
    users whose held-out item is not elsewhere in their history, at most `n_users`."""
    latest = data.recency_rank() == 0
    keep = ~latest
    train = replace(
        data, user=data.user[keep], item=data.item[keep], weight=data.weight[keep],
        age_days=data.age_days[keep], seq=data.seq[keep], _cache={},
    )  # fmt: skip
    X = train.matrix()
    u, i = data.user[latest], data.item[latest]
    ok = (np.asarray(X[u, i]).ravel() == 0) & (np.diff(X.indptr)[u] > 0)
    u, i = u[ok], i[ok]
    if len(u) > n_users:
        pick = np.sort(np.random.default_rng(seed).choice(len(u), n_users, replace=False))
        u, i = u[pick], i[pick]
    return train, u.astype(np.int64), i.astype(np.int64)


class Blend(Recommender):
    name = "blend"
    config_class = BlendConfig
    config: BlendConfig

    def _component(self, name: str) -> Recommender:
        cfg: ModelConfig = getattr(self.config, name)
        return CLASSES[name](cfg.replace(data=self.config.data))

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        names: list[str] = [str(n) for n in self.config.components]
        if self.config.weights is not None:
            weights = [float(self.config.weights[n]) for n in names]
            self.val_ndcg_ = float("nan")
        else:
            train, users, target = hold_out_latest(
                data, self.config.validation_users, self.config.random_state
            )
            parts = [self._component(n).fit(train).scores(users) for n in names]
            w, self.val_ndcg_ = blend_weights(
                parts, train.matrix()[users], target, self.config.weight_step
            )
            weights = list(w)
        self.weights_: dict[str, float] = dict(zip(names, weights, strict=True))
        self.parts_: dict[str, Recommender] = {
            n: self._component(n).fit(data) for n in names if self.weights_[n] > 0
        }

    def _combine(self, parts: Mapping[str, np.ndarray], seen: sp.csr_matrix) -> F32:
        S = np.zeros((seen.shape[0], self.n_items))
        for n, P in parts.items():
            S += self.weights_[n] * np.asarray(P, dtype=np.float64) / unseen_scale(P, seen)[:, None]
        return S.astype(np.float32)

    def scores(self, user_rows: object) -> F32:
        self._check_fitted()
        rows = np.asarray(user_rows, dtype=np.int64)
        parts: dict[str, np.ndarray] = {n: m.scores(rows) for n, m in self.parts_.items()}
        return self._combine(parts, self.X_[rows])

    def _score_history(self, H: sp.csr_matrix) -> F32:
        # Components read their own histories; this path serves plain presence rows.
        parts: dict[str, np.ndarray] = {n: m._score_history(H) for n, m in self.parts_.items()}
        return self._combine(parts, H)

    def _user_scores(self, user_id: str, unknown: Unknown) -> tuple[F32, sp.csr_matrix | None]:
        _, hist = self._history(user_id)
        parts: dict[str, np.ndarray] = {
            n: m._user_scores(user_id, unknown)[0][None, :] for n, m in self.parts_.items()
        }
        seen = sp.csr_matrix((1, self.n_items)) if hist is None else hist
        return self._combine(parts, seen)[0], hist

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        out = np.zeros((len(hist.indices), len(items)))
        for n, m in self.parts_.items():
            s, h = m._user_scores(user_id, "popular")
            if h is None or not len(h.indices):
                continue
            scale = unseen_scale(s[None, :], hist)[0]
            C = m._contribs(user_id, h, items)
            at = np.searchsorted(hist.indices, h.indices)
            ok = (at < len(hist.indices)) & (hist.indices[np.minimum(at, len(hist.indices) - 1)]
                                             == h.indices)  # fmt: skip
            out[at[ok]] += self.weights_[n] / scale * C[ok]
        return out

    def _item_sim(self, item: int) -> Floats:
        out = np.zeros(self.n_items)
        for n, m in self.parts_.items():
            out += self.weights_[n] * m._item_sim(item)
        return out

    def fold_in(
        self, user_id: str, item_ids: Sequence[str], weights: Sequence[float] | None = None
    ) -> Recommender:
        for m in self.parts_.values():
            m.fold_in(user_id, item_ids, weights)
        return super().fold_in(user_id, item_ids, weights)

    # ------------------------------------------------------------------ persist
    def _state(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {
            "names": np.asarray(list(self.weights_), dtype=str),
            "weights": np.asarray(list(self.weights_.values()), dtype=np.float64),
        }
        folded = list(self.folded_)
        for n, m in self.parts_.items():
            rows = {"H": m.H_}
            if folded:
                rows["F"] = sp.vstack([m.folded_[u] for u in folded]).tocsr()
            for key, M in rows.items():
                out.update({f"{n}.{key}_{a}": getattr(M, a) for a in ("data", "indices", "indptr")})
            out.update({f"{n}.{k}": v for k, v in m._state().items()})
        return out

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.weights_ = dict(zip(arrays["names"].tolist(), arrays["weights"].tolist(), strict=True))
        folded = list(self.folded_)
        self.parts_ = {}
        for n, w in self.weights_.items():
            if w <= 0:
                continue
            m = self._component(n)
            m.users_, m.items_, m.X_, m.pop_ = self.users_, self.items_, self.X_, self.pop_
            m.catalog_, m.data_config_, m.fitted_at_ = self.catalog_, self.config.data, ""
            m._reset_caches()

            def csr(key: str, n_rows: int, n: str = n) -> sp.csr_matrix:
                a = [arrays[f"{n}.{key}_{x}"] for x in ("data", "indices", "indptr")]
                return sp.csr_matrix(tuple(a), shape=(n_rows, self.n_items))

            m.H_ = csr("H", self.n_users)
            if folded:
                F = csr("F", len(folded))
                m.folded_ = {u: F[r] for r, u in enumerate(folded)}
            prefix = f"{n}."
            m._set_state({k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)})
            self.parts_[n] = m
