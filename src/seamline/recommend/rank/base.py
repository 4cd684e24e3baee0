"""The `Ranker` protocol: a second stage that re-scores candidates with user and item
features (the coming DeepFM stage implements it).

A retrieval model (`Recommender`) proposes candidates per user; a ranker is fitted on
labelled (user, item) candidate pairs with the dataset's feature frames and returns, for
new pairs, the probability of the positive label (a click, a purchase). Candidates come as
a frame with `user_id` and `item_id` columns (and any pair features); features come from
`Interactions.user_features` / `item_features`, frames indexed by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError

if TYPE_CHECKING:
    from seamline.config import SeamlineConfig
    from seamline.data.dataset import Interactions
    from seamline.data.store import Store

PAIR_KEYS = ("user_id", "item_id")


@runtime_checkable
class Ranker(Protocol):
    """fit(candidates, labels, data) -> self; predict_proba(candidates, data) -> P(label=1)."""

    name: ClassVar[str]
    config: SeamlineConfig

    def fit(
        self, candidates: pd.DataFrame, labels: npt.ArrayLike, data: Interactions
    ) -> Ranker: ...

    def predict_proba(
        self, candidates: pd.DataFrame, data: Interactions
    ) -> npt.NDArray[np.float64]: ...


def pair_features(candidates: pd.DataFrame, data: Interactions) -> pd.DataFrame:
    """The candidates with their user's and item's features joined on (prefixed `user_` /
    `item_`): the design matrix a ranker starts from. Unknown ids get NaN features."""
    missing = [c for c in PAIR_KEYS if c not in candidates.columns]
    if missing:
        raise DataError(f"candidates lack column {missing[0]!r}; they need {', '.join(PAIR_KEYS)}")
    out = candidates.reset_index(drop=True)
    for side, frame in (("user", data.user_features), ("item", data.item_features)):
        if frame is None:
            continue
        joined = frame.add_prefix(f"{side}_").reindex(out[f"{side}_id"].astype(str))
        out = pd.concat([out, joined.reset_index(drop=True)], axis=1)
    return out


def load_user_features(ws: Store) -> pd.DataFrame | None:
    """The features stage's current user table (indexed by user id), or None before it ran."""
    from seamline.features.build import load_features

    try:
        frame = load_features(ws)
    except DataError:
        return None
    return frame.set_index("user_id")
