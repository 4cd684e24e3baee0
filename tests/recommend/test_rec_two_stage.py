"""Two stages: retrieval candidates per user, re-ranked by a field ranker."""

from __future__ import annotations

import numpy as np
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import DataError
from seamline.recommend.rank.registry import make_ranker
from seamline.recommend.rank.two_stage import rerank, retrieve
from seamline.recommend.registry import make


def test_candidates_are_the_retrievers_unseen_top_n(synth: Interactions) -> None:
    model = make("ease", l2=50.0).fit(synth)
    users = synth.users.ids[:5]
    c = retrieve(model, users, 20)
    assert list(c.columns) == ["user_id", "item_id", "log_rank", "score_z"]
    for u in users:
        mine = c[c["user_id"] == u]
        expected = [r.item_id for r in model.recommend([u], k=20)[0]]
        assert list(mine["item_id"]) == expected  # same order as recommend()
        assert np.allclose(mine["log_rank"], np.log1p(np.arange(len(mine))))
        assert mine["score_z"].is_monotonic_decreasing
    with pytest.raises(DataError, match="'nobody' is not in the model"):
        retrieve(model, ["nobody"], 5)


def test_rerank_keeps_k_per_user_best_first(synth: Interactions) -> None:
    model = make("ease", l2=50.0).fit(synth)
    users = synth.users.ids[:30]
    c = retrieve(model, users, 30)
    labels = (c["log_rank"] == 0).to_numpy(dtype=float)  # the ranker learns to trust rank 0
    ranker = make_ranker("fm", max_epochs=2, threads=1, device="cpu", embedding_dim=4)
    ranker.fit(c, labels, synth)
    top = rerank(ranker, c, synth, 5)
    assert top.groupby("user_id").size().max() == 5 and set(top["user_id"]) == set(users)
    for _, g in top.groupby("user_id"):
        assert g["rank_score"].is_monotonic_decreasing
