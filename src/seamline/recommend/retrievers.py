"""The first stage of a two-stage recommender: which retriever proposes candidates.

`fit_retriever(data)` fits the sequence-aware retriever measured best on ml-100k
(leave-last-one-out NDCG@10, see docs/recommend.md): the item-transition model with the
parameters its validation grid chose. `candidates(model, users, n)` is each user's top `n`
unseen items as the ranker reads them (`rank.two_stage.retrieve`).

    model = fit_retriever(interactions)
    frame = candidates(model, ["u1", "u2"], n=300)  # user_id, item_id, log_rank, score_z
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from seamline.data.dataset import Interactions
from seamline.recommend.base import Recommender
from seamline.recommend.rank.two_stage import retrieve
from seamline.recommend.registry import make

# name and parameters of the best retriever (ml-100k validation: normalize 0.8 > 0.5)
BEST_RETRIEVER: tuple[str, Mapping[str, Any]] = ("transition", {"normalize": 0.8})


def fit_retriever(
    data: Interactions, name: str | None = None, params: Mapping[str, Any] | None = None
) -> Recommender:
    """A fitted retriever: `BEST_RETRIEVER` unless a registry model `name` is given."""
    if name is None:
        name, default = BEST_RETRIEVER
        params = {**default, **(params or {})}
    return make(name, **dict(params or {})).fit(data)


def candidates(model: Recommender, users: Sequence[str], n: int = 300) -> pd.DataFrame:
    """user_id, item_id, log_rank, score_z: each known user's top `n` unseen items."""
    return retrieve(model, users, n)
