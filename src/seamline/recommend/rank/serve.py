"""Serving two stages: a retriever's candidates for one user, re-ordered by a ranker.

`ServingRanker` holds a fitted ranker, the feature snapshot it reads at serving time and
the retriever it was trained behind. `recommend` asks the retriever for `candidates`
items (with its filters, domain and explanations), scores them with the ranker and keeps
the best `k`; a model other than the ranker's retriever, or an unknown user, gets the
retriever's list unchanged (the ranker learned on that retriever's candidates only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.recommend.base import Recommendation, Recommender, Unknown
from seamline.recommend.rank.assemble import FeatureSnapshot

if TYPE_CHECKING:
    from seamline.recommend.rank.ranker import FieldRanker


@dataclass
class ServingRanker:
    ranker: FieldRanker
    snapshot: FeatureSnapshot
    retriever: str  # the model name whose candidates it was trained on
    candidates: int = 300
    info: Mapping[str, Any] | None = None

    def applies_to(self, model: Recommender, user_id: str) -> bool:
        return model.name == self.retriever and user_id in model.users_

    def recommend(
        self,
        model: Recommender,
        user_id: str,
        k: int = 10,
        *,
        domain: str | None = None,
        exclude_seen: bool = True,
        filters: Mapping[str, Any] | None = None,
        unknown: Unknown = "popular",
    ) -> list[Recommendation]:
        n = max(k, self.candidates) if self.applies_to(model, user_id) else k
        recs = model.recommend([user_id], k=n, domain=domain, exclude_seen=exclude_seen,
                               filters=filters, unknown=unknown)[0]  # fmt: skip
        recs = [r for r in recs if np.isfinite(r.score)]
        if n == k or len(recs) <= 1:
            return recs[:k]
        scores = np.array([r.score for r in recs], dtype=np.float64)
        sd = scores.std()
        frame = pd.DataFrame({
            "user_id": [user_id] * len(recs), "item_id": [r.item_id for r in recs],
            "log_rank": np.log1p(np.arange(len(recs), dtype=np.float64)),
            "score_z": (scores - scores.mean()) / (sd if sd > 0 else 1.0),
        })  # fmt: skip
        p = self.ranker.predict_proba(frame, self.snapshot)
        order = np.lexsort((np.arange(len(p)), -p))[:k]
        return [Recommendation(recs[j].item_id, float(p[j]), list(recs[j].because)) for j in order]
