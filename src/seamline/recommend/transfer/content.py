"""Content bridge (`content`): item text carries interest where no user did.

Each item's text (title, category, brand from the catalog) becomes TF-IDF over character
2-4-grams, which needs no tokenizer and so serves Chinese titles as well as English, reduced
by a seeded truncated SVD and L2-normalised. A user's profile is the weighted mean of their
items' vectors; an item's score is its cosine with the profile. A course on tailoring and a
tailored jacket share n-grams although no user took both, so a user with no history in the
target domain is still scored by what their source-domain items say. Items without text
get a zero vector (score 0).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.data.textvec import char_ngram_vectors
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.transfer.config import ContentBridgeConfig


def item_texts(model: Recommender) -> list[str]:
    side = model.catalog_.side
    parts = [side["title"], side["category"], side["brand"]]
    return [
        " ".join(
            str(p[j]).replace("_", " ") for p in parts if p[j] not in (None, "") and p[j] == p[j]
        )
        for j in range(len(model.items_))
    ]


def has_text(model: Recommender) -> bool:
    return sum(1 for t in item_texts(model) if t.strip()) >= 2


class ContentBridge(Recommender):
    name = "content"
    config_class = ContentBridgeConfig
    config: ContentBridgeConfig

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        c = self.config
        texts = item_texts(self)
        E = np.zeros((len(texts), c.dim), dtype=np.float32)
        present = [j for j, t in enumerate(texts) if t.strip()]
        Z = char_ngram_vectors([texts[j] for j in present], c.dim, c.max_features, c.random_state)
        if Z.shape[1]:
            E[np.asarray(present), : Z.shape[1]] = Z
        self.E_ = E

    def _score_history(self, H: sp.csr_matrix) -> F32:
        H = sp.csr_matrix(H, dtype=np.float32)
        P = np.asarray(H @ self.E_, dtype=np.float32)
        norms = np.linalg.norm(P, axis=1, keepdims=True)
        P = np.asarray(P / np.where(norms > 0, norms, 1.0), dtype=np.float32)
        return np.asarray(P @ self.E_.T, dtype=np.float32)

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        w = np.asarray(hist.data, dtype=np.float64)
        E = self.E_.astype(np.float64)
        return w[:, None] * (E[hist.indices] @ E[items].T)

    def _item_sim(self, item: int) -> Floats:
        return np.asarray(self.E_ @ self.E_[item], dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {"E": self.E_}

    def _set_state(self, a: Mapping[str, np.ndarray]) -> None:
        self.E_ = a["E"]
