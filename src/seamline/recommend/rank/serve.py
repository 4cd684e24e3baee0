"""Serving two stages: a retriever's candidates for one user, re-ordered by a ranker.

`ServingRanker` holds a fitted ranker, the feature snapshot it reads at serving time and
the retriever it was trained behind. `recommend` asks the retriever for `candidates`
items (with its filters, domain and explanations), scores them with the ranker and keeps
the best `k`; a model other than the ranker's retriever, or an unknown user, gets the
retriever's list unchanged (the ranker learned on that retriever's candidates only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.recommend.base import Recommendation, Recommender, Unknown, topk
from seamline.recommend.rank.assemble import FeatureSnapshot
from seamline.recommend.rank.fast import PairEncoder

if TYPE_CHECKING:
    from seamline.recommend.rank.ranker import FieldRanker


@dataclass
class ServingRanker:
    ranker: FieldRanker
    snapshot: FeatureSnapshot
    retriever: str  # the model name whose candidates it was trained on
    candidates: int = 300
    info: Mapping[str, Any] | None = None
    _fast: PairEncoder | None = field(default=None, init=False, repr=False)
    _fast_built: bool = field(default=False, init=False, repr=False)
    _rows: dict[int, Any] = field(default_factory=dict, init=False, repr=False)

    def applies_to(self, model: Recommender, user_id: str) -> bool:
        return model.name == self.retriever and user_id in model.users_

    def _encoder(self) -> PairEncoder | None:
        if not self._fast_built:
            assert self.ranker.encoder is not None
            self._fast = PairEncoder.build(self.ranker.encoder, self.snapshot)
            self._fast_built = True
        return self._fast

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
        if not self.applies_to(model, user_id):
            return model.recommend([user_id], k=k, domain=domain, exclude_seen=exclude_seen,
                                   filters=filters, unknown=unknown)[0]  # fmt: skip
        # the retriever's candidates as its recommend() picks them, without explaining
        # all of them: only the final k get their `because`
        s, hist = model.candidate_scores(user_id, unknown=unknown, domain=domain,
                                         filters=filters, exclude_seen=exclude_seen)  # fmt: skip
        top = topk(s, max(k, self.candidates))
        if len(top) <= 1:
            why = model.because(user_id, hist, top)
            return [Recommendation(model.items_.id(int(j)), float(s[j]), w)
                    for j, w in zip(top, why, strict=True)]  # fmt: skip
        ts = s[top]
        sd = ts.std()
        log_rank = np.log1p(np.arange(len(top), dtype=np.float64))
        score_z = (ts - ts.mean()) / (sd if sd > 0 else 1.0)
        p = self._score(model, user_id, top, log_rank, score_z)
        order = np.lexsort((np.arange(len(p)), -p))[:k]
        best = top[order]
        why = model.because(user_id, hist, best)
        ids = model.items_.ids
        return [Recommendation(ids[int(j)], float(p[o]), w)
                for j, o, w in zip(best, order, why, strict=True)]  # fmt: skip

    def _score(self, model: Recommender, user_id: str, top: Any, log_rank: Any,
               score_z: Any) -> Any:  # fmt: skip
        fast = self._encoder()
        if fast is None:  # fields beyond the snapshot's: the general path
            ids = [model.items_.ids[int(j)] for j in top]
            frame = pd.DataFrame({"user_id": user_id, "item_id": ids, "log_rank": log_rank,
                                  "score_z": score_z})  # fmt: skip
            return self.ranker.predict_proba(frame, self.snapshot)
        key = id(model.items_)  # the model's items -> snapshot rows, mapped once per model
        if key not in self._rows:
            self._rows = {key: fast.item_rows(model.items_.ids)}
        rows = self._rows[key][top]
        return self.ranker.predict_encoded(fast.encode(user_id, rows, log_rank, score_z))
