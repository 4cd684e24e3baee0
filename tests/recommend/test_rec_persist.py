"""Saved models: one metadata document with a format version; old files still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import DataError
from seamline.recommend import persist
from seamline.recommend.knn import ItemKNN
from seamline.recommend.registry import load_model, make

DATA = Path(__file__).parent / "data"
FORMAT1 = DATA / "format1" / "models"


@pytest.mark.parametrize("name", ["itemknn", "als"])
def test_a_format_1_model_loads_and_recommends_as_before(name: str) -> None:
    """Files written by the version before model configs (model.json + manifest.json)."""
    m = load_model(FORMAT1 / name)
    assert m.name == name
    expected = json.loads((FORMAT1 / name / "expected.json").read_text())
    got = m.recommend(["u1", "u5", "nobody"], k=3, domain="fashion")
    assert [[r.to_dict() for r in rs] for rs in got] == expected
    assert m.data_config_.half_life_days == 30.0
    if name == "itemknn":  # the old flat parameter `k` is the config's `neighbours`
        assert m.config.neighbours == 5 and m.config.recent_half_life == 2.0  # type: ignore[attr-defined]
    meta = persist.read_meta(FORMAT1 / name)
    assert meta["format"] == 1 and meta["name"] == name and meta["stale"] is False


def test_saved_files_are_one_document_with_the_format(tmp_path: Path) -> None:
    events = pd.read_csv(DATA / "format1-events.csv")
    data = Interactions.from_frame(events, half_life_days=30.0)
    m = make("itemknn", K=4, aggregate="max").fit(data)
    folder = persist.save(m, tmp_path / "m", {"name": "mine"})
    assert sorted(p.name for p in folder.iterdir()) == ["arrays.npz", "model.json"]
    meta = json.loads((folder / "model.json").read_text())
    assert meta["format"] == persist.FORMAT == 2 and meta["name"] == "mine"
    assert meta["config"]["neighbours"] == 4 and meta["config"]["data"]["aggregate"] == "max"
    assert meta["data"]["half_life_days"] == 30.0  # what the model was fitted on
    m2 = load_model(folder, expect=ItemKNN)
    assert m2.get_params() == m.get_params() and m2.data_config_ == m.data_config_
    np.testing.assert_array_equal(m.scores(np.arange(5)), m2.scores(np.arange(5)))


def test_unreadable_or_newer_files_say_to_refit(tmp_path: Path) -> None:
    folder = shutil.copytree(FORMAT1 / "als", tmp_path / "als")
    meta = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps({**meta, "format": 9}))
    with pytest.raises(DataError, match=r"format 9.*refit it: seamline fit --models als"):
        load_model(folder)
    (folder / "model.json").write_text(json.dumps(meta))
    (folder / "arrays.npz").write_bytes(b"not an archive")
    with pytest.raises(DataError, match=r"cannot read.*refit it: seamline fit --models als"):
        load_model(folder)
    (folder / "model.json").write_text(json.dumps({**meta, "model": "svd"}))
    with pytest.raises(DataError, match="unknown model 'svd'"):
        load_model(folder)
    with pytest.raises(DataError, match="holds a ALS, not a ItemKNN"):
        load_model(FORMAT1 / "als", expect=ItemKNN)
