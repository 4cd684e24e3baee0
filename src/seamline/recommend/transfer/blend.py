"""The transfer blend (`transfer`): how much to trust the other domain, learned per target.

Components: the target domain's popularity, co-interest item-to-item (`xitem`), EMCDR
(`emcdr`) and, when the catalog has text, the content bridge (`content`). Each one's scores
over a target domain's items are scaled to [0, 1] per user, and the blend is their
weighted sum with weights on a simplex grid (`step`), so it runs from pure popularity
(no trust in the source) to a single transfer method.

The weights are chosen per target domain on a validation carve of the training users
(`validate`): a seeded sample of users active in the target and another domain has its
target events hidden, the components are fitted on the rest, and the grid point with the
best NDCG@k over the hidden items wins (ties: the point with more popularity). The
components are then refitted on all the data. A domain no user shares with another gets
co-interest and EMCDR at equal weights (nothing to validate a transfer on).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.recommend.base import F32, Ints, Recommender
from seamline.recommend.transfer.config import TransferConfig
from seamline.recommend.transfer.content import ContentBridge, has_text
from seamline.recommend.transfer.cross_item import CrossItem
from seamline.recommend.transfer.domains import domain_masks, popularity_share, scale_rows
from seamline.recommend.transfer.emcdr import EMCDR
from seamline.recommend.transfer.validate import choose_weights

SHARED = ("users_", "items_", "X_", "H_", "pop_", "catalog_", "data_config_", "fitted_at_")


class Transfer(Recommender):
    name = "transfer"
    config_class = TransferConfig
    config: TransferConfig

    def _components(self, with_text: bool) -> dict[str, Recommender]:
        c = self.config
        out: dict[str, Recommender] = {"xitem": CrossItem(c.xitem), "emcdr": EMCDR(c.emcdr)}
        if with_text:
            out["content"] = ContentBridge(c.content)
        return out

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        with_text = has_text(self)
        self.masks_ = domain_masks(self)
        self.share_ = popularity_share(X, self.masks_).astype(np.float32)
        self.weights_, self.validation_ = choose_weights(
            self, data, lambda: self._components(with_text)
        )
        self.parts_ = {n: m.fit(data) for n, m in self._components(with_text).items()}
        # A domain nobody else shares (one-domain data) has nothing to validate a transfer
        # on: its users are served by co-interest and EMCDR's in-domain factors, equally.
        for t in self.masks_:
            if t not in self.weights_:
                self.weights_[t] = np.array(
                    [0.5 if n in ("xitem", "emcdr") else 0.0 for n in self.component_names]
                )

    @property
    def component_names(self) -> list[str]:
        return ["popular", *self.parts_]

    def component_scores(self, H: sp.csr_matrix) -> dict[str, F32]:
        out = {"popular": np.repeat(self.share_[None, :], H.shape[0], axis=0)}
        for n, m in self.parts_.items():
            out[n] = m._score_history(H)
        if H.shape[0] == 1:  # `because` for this user reuses them (one user per request)
            self._last = (H.indices.tobytes(), H.data.tobytes(), out)
        return out

    def _one(self, hist: sp.csr_matrix) -> dict[str, F32]:
        last = getattr(self, "_last", None)
        if (
            last is not None
            and last[0] == hist.indices.tobytes()
            and last[1] == hist.data.tobytes()
        ):
            return last[2]
        return self.component_scores(hist)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        parts = self.component_scores(H)
        S = np.zeros((H.shape[0], self.n_items), dtype=np.float32)
        for t, m in self.masks_.items():
            w = self.weights_[t]
            for n, wn in zip(self.component_names, w, strict=True):
                if wn > 0:
                    S[:, m] += wn * scale_rows(parts[n], m)
        return S

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        # Each component's contributions divided by its score span over the item's domain
        # for this user (as `scale_rows` does) and weighted as the blend weighs it.
        dom = np.asarray(self.catalog_.side["domain"], dtype=object)
        C = np.zeros((len(hist.indices), len(items)))
        names = self.component_names
        parts = self._one(hist)
        for n, m in self.parts_.items():
            k = names.index(n)
            s = parts[n][0]
            scale = np.zeros(len(items))
            for t, mask in self.masks_.items():
                sel = dom[items] == t
                span = float(s[mask].max() - s[mask].min()) if mask.any() else 0.0
                if sel.any() and span > 0:
                    scale[sel] = self.weights_[t][k] / span
            if scale.any():
                C += m._contribs(user_id, hist, items) * scale[None, :]
        return C

    def _state(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {"share": self.share_}
        for t, w in self.weights_.items():
            out[f"weights__{t}"] = np.asarray(w, dtype=np.float64)
        out["components"] = np.asarray(list(self.parts_), dtype=str)
        for n, m in self.parts_.items():
            out.update({f"{n}__{k}": v for k, v in m._state().items()})
        return out

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        self.share_ = a["share"]
        self.masks_ = domain_masks(self)
        self.weights_ = {k[9:]: v for k, v in a.items() if k.startswith("weights__")}
        self.validation_ = {}
        names = [str(n) for n in a["components"].tolist()]
        self.parts_ = self._components("content" in names)
        for n, m in self.parts_.items():
            for attr in SHARED:
                if hasattr(self, attr):
                    setattr(m, attr, getattr(self, attr))
            m._reset_caches()
            m._set_state({k[len(n) + 2 :]: v for k, v in a.items() if k.startswith(n + "__")})
