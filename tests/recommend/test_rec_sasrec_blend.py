"""SASRec (PyTorch) and the blend of retrievers, on small ordered data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError
from seamline.recommend import persist
from seamline.recommend.blend import blend_weights, simplex
from seamline.recommend.registry import load_model, make

TINY = {"factors": 16, "blocks": 1, "heads": 1, "max_len": 8, "epochs": 10, "patience": 10,
        "threads": 1, "learning_rate": 0.01, "dropout": 0.0, "device": "cpu"}  # fmt: skip
T0 = pd.Timestamp("2024-01-01", tz="UTC")


def cycles(n_users: int = 60, n_items: int = 12, length: int = 10) -> pd.DataFrame:
    """Every user walks the items in one fixed cycle (0 -> 1 -> ... -> 11 -> 0), starting
    anywhere: the next item is always the one after the latest."""
    rng = np.random.default_rng(0)
    rows = []
    for u in range(n_users):
        start = int(rng.integers(n_items))
        for t in range(length):
            item = (start + t) % n_items
            rows.append((f"u{u}", f"i{item}", "other", "rate", T0 + pd.Timedelta(minutes=t)))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "domain", "event_type", "timestamp"])


@pytest.fixture(scope="module")
def data() -> Interactions:
    return Interactions.from_frame(cycles())


@pytest.fixture(scope="module")
def sasrec(data: Interactions) -> object:
    return make("sasrec", **TINY).fit(data)


def next_of(item: str, step: int = 1) -> str:
    return f"i{(int(item[1:]) + step) % 12}"


def test_sasrec_learns_what_comes_next(sasrec: object, data: Interactions) -> None:
    m = sasrec
    info = m.train_info_  # type: ignore[attr-defined]
    assert info["val_ndcg"] > 0.8 and info["best_epoch"] >= 1
    # a newcomer who took i3 then i4 is offered i5 first, because of i4 (the latest)
    m.fold_in("new", ["i3", "i4"])  # type: ignore[attr-defined]
    top = m.recommend(["new"], k=1)[0][0]  # type: ignore[attr-defined]
    assert top.item_id == "i5" and top.because[0] == "i4"


def test_sasrec_is_seeded_and_round_trips(
    sasrec: object, data: Interactions, tmp_path: Path
) -> None:
    again = make("sasrec", **TINY).fit(data)
    rows = np.arange(data.n_users)
    np.testing.assert_array_equal(again.scores(rows), sasrec.scores(rows))  # type: ignore[attr-defined]
    folder = persist.save(again, tmp_path / "sasrec")
    meta = json.loads((folder / persist.META).read_text())
    assert meta["model"] == "sasrec" and meta["config"]["factors"] == 16
    loaded = load_model(folder)
    np.testing.assert_array_equal(loaded.scores(rows), again.scores(rows))
    with np.load(folder / persist.ARRAYS, allow_pickle=False) as z:
        assert any(k.startswith("state_net.") for k in z.files)


def test_sasrec_config_errors_name_the_field() -> None:
    with pytest.raises(ConfigError, match="multiple of heads"):
        make("sasrec", factors=10, heads=3)
    with pytest.raises(ConfigError, match="device"):
        make("sasrec", device="tpu")


def test_simplex_and_weight_search() -> None:
    assert simplex(2, 0.5) == [(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)]
    assert len(simplex(3, 0.1)) == 66
    import scipy.sparse as sp

    good = np.eye(4)[[1, 2, 3, 0]]  # ranks each user's target first
    noise = np.random.default_rng(0).random((4, 4))
    w, ndcg = blend_weights([noise, good], sp.csr_matrix((4, 4)), np.array([1, 2, 3, 0]), 0.5)
    assert w == (0.0, 1.0) and ndcg == 1.0


def test_blend_chooses_weights_folds_in_and_round_trips(data: Interactions, tmp_path: Path) -> None:
    m = make("blend", components=["transition", "sasrec"], sasrec=TINY).fit(data)
    assert set(m.weights_) == {"transition", "sasrec"}  # type: ignore[attr-defined]
    assert sum(m.weights_.values()) == pytest.approx(1.0)  # type: ignore[attr-defined]
    uid = data.users.id(0)
    recs = m.recommend([uid], k=3)[0]
    assert recs and all(r.because for r in recs)
    m.fold_in("new", ["i7", "i8"])
    top = m.recommend(["new"], k=1)[0][0]
    assert top.item_id == "i9" and "i8" in top.because
    loaded = load_model(persist.save(m, tmp_path / "blend"))
    rows = np.arange(data.n_users)
    np.testing.assert_allclose(loaded.scores(rows), m.scores(rows), rtol=1e-6)
    assert [r.to_dict() for r in loaded.recommend(["new"], k=3)[0]] == [
        r.to_dict() for r in m.recommend(["new"], k=3)[0]
    ]


def test_blend_with_given_weights_skips_the_search(data: Interactions) -> None:
    m = make("blend", weights={"transition": 1.0, "ease": 0.0}).fit(data)
    assert list(m.parts_) == ["transition"]  # type: ignore[attr-defined]
    t = make("transition", normalize=0.8).fit(data)
    assert [r.item_id for r in m.recommend(["u1"], k=5)[0]] == [
        r.item_id for r in t.recommend(["u1"], k=5)[0]
    ]
    with pytest.raises(ConfigError, match="one number per component"):
        make("blend", weights={"transition": 1.0})
