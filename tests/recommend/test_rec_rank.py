"""The Ranker protocol and the feature join a ranker starts from."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from seamline.config import SeamlineConfig
from seamline.data.dataset import Interactions
from seamline.errors import DataError
from seamline.recommend.rank.base import Ranker, load_user_features, pair_features
from seamline.workspace import Workspace


class PriceConfig(SeamlineConfig):
    what: ClassVar[str] = "price ranker config"
    cheap_below: float = 50.0


class PriceRanker:
    """A stand-in ranker: cheaper items and older users are likelier to convert."""

    name: ClassVar[str] = "price"

    def __init__(self) -> None:
        self.config = PriceConfig()

    def fit(
        self, candidates: pd.DataFrame, labels: npt.ArrayLike, data: Interactions
    ) -> PriceRanker:
        self.base_ = float(np.mean(labels))
        return self

    def predict_proba(
        self, candidates: pd.DataFrame, data: Interactions
    ) -> npt.NDArray[np.float64]:
        x = pair_features(candidates, data)
        cheap = (x["item_price"] < self.config.cheap_below).to_numpy(dtype=np.float64)
        return np.clip(self.base_ + 0.2 * cheap + 0.001 * x["user_age"].fillna(0).to_numpy(), 0, 1)


def test_a_feature_ranker_fits_the_protocol(synth: Interactions) -> None:
    users = pd.DataFrame({"user_id": synth.users.ids[:3], "age": [20.0, 30.0, 40.0]})
    data = synth.with_features(user_features=users)
    assert data.item_features is not None and "price" in data.item_features.columns
    pairs = pd.DataFrame({"user_id": [*synth.users.ids[:3], "stranger"],
                          "item_id": synth.items.ids[:4]})  # fmt: skip
    x = pair_features(pairs, data)
    assert list(x["user_age"][:3]) == [20.0, 30.0, 40.0] and np.isnan(x["user_age"][3])
    assert list(x["item_price"]) == list(data.item_features["price"][:4])
    ranker = PriceRanker().fit(pairs, [1, 0, 0, 1], data)
    assert isinstance(ranker, Ranker)
    p = ranker.predict_proba(pairs, data)
    assert p.shape == (4,) and ((p >= 0) & (p <= 1)).all()
    with pytest.raises(DataError, match="candidates lack column 'item_id'"):
        pair_features(pairs[["user_id"]], data)


def test_user_features_before_the_features_stage(rec_ws: Workspace) -> None:
    assert load_user_features(rec_ws) is None
