"""Model configs: one validated config per model, aliases, data preparation nested."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.data.prep import InteractionsConfig
from seamline.errors import ConfigError
from seamline.evaluate.grids import GRIDS
from seamline.recommend.als import ALS
from seamline.recommend.candidates import Catalog, as_mask
from seamline.recommend.config import EASEConfig, ItemKNNConfig
from seamline.recommend.ease import EASE
from seamline.recommend.knn import ItemKNN, UserKNN
from seamline.recommend.registry import MODELS, check_models, make, model_config


def test_config_or_keywords_and_aliases() -> None:
    assert ItemKNN(ItemKNNConfig(neighbours=7)).config == ItemKNN(neighbours=7).config
    for spelling in ("neighbours", "k", "K"):
        assert ItemKNN(**{spelling: 9}).config.neighbours == 9
        assert UserKNN({spelling: 9}).config.neighbours == 9
    assert EASE(**{"lambda": 50.0}).config.l2 == 50.0
    assert ALS(reg=0.5).config.regularization == 0.5
    # keywords given with a config replace its fields, whatever their spelling
    assert ItemKNN(ItemKNNConfig(neighbours=7), k=3).config.neighbours == 3
    m = EASE(l2=10.0)
    assert m.get_params() == m.config.params() and m.get_params()["l2"] == 10.0
    assert repr(m).startswith("EASE(data={'event_weights': None") and "l2=10.0" in repr(m)
    with pytest.raises(ConfigError, match="EASE takes a EASEConfig or a dict"):
        EASE(ItemKNNConfig())  # type: ignore[arg-type]


def test_data_preparation_is_nested_and_flat_keys_move_into_it() -> None:
    flat = model_config("ease", l2=5.0, aggregate="binary", half_life_days=3.0)
    nested = model_config("ease", l2=5.0, data={"aggregate": "binary", "half_life_days": 3.0})
    assert flat == nested
    assert flat.data == InteractionsConfig(aggregate="binary", half_life_days=3.0)
    # MostPopular's own half-life stays the model's (it decays popularity, not the matrix)
    assert model_config("mostpop", half_life_days=2.0).data.half_life_days is None


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("ease", {"l2": 0}, "invalid ease config: l2: Input should be greater than 0"),
        ("ease", {"recent_half_life": -1}, "recent_half_life: Input should be greater than 0"),
        ("itemknn", {"k": 0}, "neighbours: Input should be greater than or equal to 1"),
        ("itemknn", {"shrink": -1.0}, "shrink: Input should be greater than or equal to 0"),
        ("als", {"factors": 2.5}, "factors: Input should be a valid integer"),
        ("als", {"alpha": float("inf")}, "alpha: Input should be a finite number"),
        ("bpr", {"learning_rate": "fast"}, "learning_rate: Input should be a valid number"),
        ("mostpop", {"half_life_days": 0}, "half_life_days: Input should be greater than 0"),
        ("ease", {"aggregate": "mean"}, "data.aggregate: Input should be 'sum', 'max' or 'binary'"),
        ("ease", {"depth": 3}, "model 'ease' has no parameter 'depth'; allowed: data, l2 (or "
         "lambda), recent_half_life, max_items, threads"),
    ],
)  # fmt: skip
def test_invalid_values_name_the_field(name: str, params: dict, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        make(name, **params)
    assert message in str(e.value)


def test_one_model_name_check() -> None:
    assert check_models(["ease", "als"]) == ["ease", "als"]
    with pytest.raises(ConfigError, match="unknown model 'svd'; allowed: mostpop, userknn"):
        check_models(["ease", "svd"])
    with pytest.raises(ConfigError, match="no models given"):
        check_models([])


def test_every_grid_point_is_a_valid_config() -> None:
    assert set(GRIDS) == set(MODELS)
    for name, grid in GRIDS.items():
        configs = [model_config(name, **p) for p in grid]
        assert len({c.model_dump_json() for c in configs}) == len(grid), name
    assert EASEConfig.model_validate(GRIDS["ease"][0]).l2 == 400.0


def test_candidates_limit_recommendations(ml: Interactions) -> None:
    m = make("ease").fit(ml)
    uid = ml.users.id(3)
    allowed = [ml.items.id(j) for j in range(0, ml.n_items, 7)]
    recs = m.recommend([uid], k=5, candidates=allowed)[0]
    assert len(recs) == 5 and {r.item_id for r in recs} <= set(allowed)
    mask = as_mask(allowed, ml.items)
    assert mask is not None and mask.sum() == len(allowed)
    assert [r.item_id for r in m.recommend([uid], k=5, candidates=mask)[0]] == [
        r.item_id for r in recs
    ]
    with pytest.raises(ConfigError, match="candidate mask has shape"):
        m.recommend([uid], candidates=np.ones(3, dtype=bool))
    with pytest.raises(Exception, match="unknown candidate item ids"):
        m.recommend([uid], candidates=["nope"])


def test_catalog_masks_domains_and_filters(synth: Interactions) -> None:
    cat = Catalog.from_interactions(synth)
    fashion = cat.mask("fashion")
    assert fashion is not None and (synth.item_domain[fashion] == "fashion").all()
    assert cat.mask("fashion") is fashion  # cached
    cheap = cat.mask(None, {"price_max": 50})
    assert cheap is not None and (synth.item_price[cheap] <= 50).all()
    assert cat.mask() is None
    with pytest.raises(ConfigError, match="unknown filter 'colour'; allowed: category"):
        cat.mask(None, {"colour": "red"})


def test_dataset_carries_user_and_item_features(ml: Interactions) -> None:
    users = pd.DataFrame({"user_id": ["2", "1", "zz"], "age": [30.0, 40.0, 50.0]})
    items = pd.DataFrame({"price": [9.0]}, index=pd.Index(["3"], name="item_id"))
    d = ml.with_features(user_features=users, item_features=items)
    assert list(d.user_features.index[:2]) == ml.users.ids[:2]  # type: ignore[union-attr]
    assert d.user_features.loc["1", "age"] == 40.0  # type: ignore[union-attr]
    assert len(d.user_features) == ml.n_users and "zz" not in d.user_features.index  # type: ignore[union-attr]
    assert d.item_features.loc["3", "price"] == 9.0  # type: ignore[union-attr]
    assert np.isnan(d.item_features.loc["4", "price"])  # type: ignore[union-attr]
    assert d.matrix().nnz == ml.matrix().nnz
