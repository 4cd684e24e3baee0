"""EMCDR-style transfer (Man et al. 2017): embed each domain, map between embeddings.

1. Embedding: per domain, PureSVD item factors V_d (a seeded truncated SVD of the binary
   users x domain-items matrix). A user's profile in domain d is the mean of the factors
   of their items there, u_d = h_d V_d / |h_d|.
2. Mapping: for each ordered pair of domains (s, t), a map M_st from u_s to u_t learned on
   the users active in both: ridge regression (closed form, with a bias) or a small MLP
   (scikit-learn's `MLPRegressor`, one ReLU layer; its weights are kept as arrays and run
   in numpy, so a saved model holds no pickle).
3. Scoring item j of domain t: (u_t + mean over the user's other domains s of M_st(u_s))
   . V_t[j]; a user with no history in t is scored by the mapped profile alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.transfer.config import EMCDRConfig
from seamline.recommend.transfer.domains import binary, domain_masks

MIN_SHARED = 5  # users active in both domains needed to learn a map


def _profiles(B: sp.csr_matrix, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean item factor per row of B, whether the row has any item)."""
    n = np.asarray(B.sum(axis=1), dtype=np.float64).ravel()
    P = np.asarray(B @ V, dtype=np.float64)
    return P / np.where(n > 0, n, 1.0)[:, None], n > 0


class EMCDR(Recommender):
    name = "emcdr"
    config_class = EMCDRConfig
    config: EMCDRConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        c = self.config
        B = binary(X)
        masks = domain_masks(self)
        V = np.zeros((X.shape[1], c.factors), dtype=np.float64)
        for m in masks.values():
            Bd = B[:, m]
            f = min(c.factors, min(Bd.shape) - 1)
            if f < 1 or Bd.nnz == 0:
                continue
            _, _, Vt = randomized_svd(Bd, f, n_iter=3, random_state=c.random_state)
            V[np.flatnonzero(m), :f] = Vt.T
        self.V_ = V.astype(np.float32)
        self._split_cache: Any = None
        self.maps_: dict[str, np.ndarray] = {}
        prof = {d: _profiles(B[:, m], V[m]) for d, m in masks.items()}
        for s in masks:
            for t in masks:
                both = prof[s][1] & prof[t][1]
                if s == t or both.sum() < MIN_SHARED:
                    continue
                self._learn(s, t, prof[s][0][both], prof[t][0][both])

    def _learn(self, s: str, t: str, Us: np.ndarray, Ut: np.ndarray) -> None:
        c = self.config
        key = f"{s}__{t}"
        if c.mapping == "ridge":
            A = np.hstack([Us, np.ones((len(Us), 1))])
            reg = c.ridge * np.eye(A.shape[1])
            reg[-1, -1] = 0.0  # the bias is not shrunk
            self.maps_[f"ridge__{key}"] = np.linalg.solve(A.T @ A + reg, A.T @ Ut)
            return
        from sklearn.neural_network import MLPRegressor

        mlp = MLPRegressor(
            hidden_layer_sizes=(c.hidden,), max_iter=c.iterations, random_state=c.random_state,
            alpha=c.ridge * 1e-3,
        )  # fmt: skip
        mlp.fit(Us, Ut)
        for n, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
            self.maps_[f"mlp{n}W__{key}"] = W
            self.maps_[f"mlp{n}b__{key}"] = b

    def _map(self, s: str, t: str, U: np.ndarray) -> np.ndarray | None:
        key = f"{s}__{t}"
        W = self.maps_.get(f"ridge__{key}")
        if W is not None:
            return np.asarray(U @ W[:-1] + W[-1], dtype=np.float64)
        if f"mlp0W__{key}" not in self.maps_:
            return None
        h = np.maximum(U @ self.maps_[f"mlp0W__{key}"] + self.maps_[f"mlp0b__{key}"], 0.0)
        return np.asarray(h @ self.maps_[f"mlp1W__{key}"] + self.maps_[f"mlp1b__{key}"])

    def _split(self) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
        """Per domain: (the factors with other domains' rows zeroed, its item indicator),
        and the domain masks; computed once per fitted or loaded model."""
        cache = getattr(self, "_split_cache", None)
        if cache is None or cache[0] is not self.V_:
            masks = domain_masks(self)
            V = self.V_.astype(np.float64)
            split = {d: (V * m[:, None], m.astype(np.float64)) for d, m in masks.items()}
            cache = self._split_cache = (self.V_, split, masks)
        return cache[1], cache[2]

    def _domain_profiles(self, H: sp.csr_matrix) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each domain's (profiles, has-history) of the history rows, without slicing
        columns: one product with the factors and one with the domain's indicator."""
        B = binary(H)
        out = {}
        for d, (Vd, ind) in self._split()[0].items():
            n = np.asarray(B @ ind, dtype=np.float64).ravel()
            P = np.asarray(B @ Vd, dtype=np.float64) / np.where(n > 0, n, 1.0)[:, None]
            out[d] = (P, n > 0)
        return out

    def latent(self, H: sp.csr_matrix, t: str) -> np.ndarray:
        """Each history row's profile in domain t: own plus mapped from the others."""
        return self._latent(self._domain_profiles(H), t)

    def _latent(self, prof: dict[str, tuple[np.ndarray, np.ndarray]], t: str) -> np.ndarray:
        own = prof[t][0]
        mapped = np.zeros_like(own)
        count = np.zeros(len(own))
        for s, (Us, has) in prof.items():
            if s == t:
                continue
            M = self._map(s, t, Us)
            if M is None:
                continue
            mapped += np.where(has[:, None], M, 0.0)
            count += has
        return own + mapped / np.maximum(count, 1.0)[:, None]

    def _score_history(self, H: sp.csr_matrix) -> F32:
        S = np.zeros((H.shape[0], self.n_items), dtype=np.float32)
        prof = self._domain_profiles(H)
        split, masks = self._split()
        for t, m in masks.items():
            S[:, m] = self._latent(prof, t) @ split[t][0][m].T
        return S

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        # Linear in the history for ridge maps: item i (domain s) adds V_i W_st V_j / |h_s|.
        dom = np.asarray(self.catalog_.side["domain"], dtype=object)
        V = self.V_.astype(np.float64)
        h = hist.indices
        C = np.zeros((len(h), len(items)))
        for t in {str(dom[j]) for j in items}:
            cols = np.flatnonzero(dom[items] == t)
            Vt = V[items[cols]].T
            for s in {str(dom[i]) for i in h}:
                rows = np.flatnonzero(dom[h] == s)
                Hs = V[h[rows]] / len(rows)
                if s == t:
                    C[np.ix_(rows, cols)] = Hs @ Vt
                elif (W := self.maps_.get(f"ridge__{s}__{t}")) is not None:
                    C[np.ix_(rows, cols)] = Hs @ W[:-1] @ Vt
        return C

    def _item_sim(self, item: int) -> Floats:
        V = self.V_.astype(np.float64)
        return np.asarray(V @ V[item], dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {"V": self.V_, **{f"map__{k}": v for k, v in self.maps_.items()}}

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        self._split_cache = None
        self.V_ = a["V"]
        self.maps_ = {k[5:]: v for k, v in a.items() if k.startswith("map__")}
