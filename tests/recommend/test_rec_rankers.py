"""DeepFM, FM and logistic regression rankers: training, the Ranker protocol, save / load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError, DataError, NotFittedError
from seamline.recommend.rank.base import Ranker
from seamline.recommend.rank.ranker import DeepFM, FieldRanker
from seamline.recommend.rank.registry import RANKERS, make_ranker
from seamline.recommend.rank.samples import training_pairs

FAST = {
    "max_epochs": 2,
    "threads": 1,
    "embedding_dim": 4,
    "hidden": (8,),
    "batch_size": 256,
    "device": "cpu",
}


def _xor_task(n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    """The label is an interaction of two fields: a linear model cannot learn it."""
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    noise = rng.integers(0, 50, n)
    tags = np.where(a == 1, "x|y", "z")
    frame = pd.DataFrame({"a": a.astype(str), "b": b.astype(str), "noise": noise.astype(str),
                          "tags": tags, "num": rng.normal(size=n)})  # fmt: skip
    return frame, (a ^ b).astype(float)


@pytest.mark.parametrize("name", ["deepfm", "fm", "lr"])
def test_rankers_learn_what_their_form_allows(name: str) -> None:
    frame, y = _xor_task()
    r = make_ranker(name, **{**FAST, "max_epochs": 6, "learning_rate": 0.02})
    r.fit_frame(frame, y, sparse=["a", "b", "noise"], multi=["tags"], dense=["num"])
    p = r.predict_frame(frame)
    assert p.shape == (len(y),) and ((p > 0) & (p < 1)).all()
    acc = float(((p > 0.5) == (y == 1)).mean())
    # pairwise terms capture a XOR b; a first-order model stays near chance
    assert acc > 0.95 if name != "lr" else acc < 0.8
    assert 1 <= r.log.best_epoch <= r.log.epochs <= 6 and len(r.log.valid_loss) == r.log.epochs


def test_early_stopping_keeps_the_best_epoch() -> None:
    frame, _ = _xor_task(2000)
    y = np.random.default_rng(1).integers(0, 2, len(frame)).astype(float)  # pure noise
    r = make_ranker("deepfm", **{**FAST, "max_epochs": 30, "patience": 2, "learning_rate": 0.05})
    r.fit_frame(frame, y, sparse=["a", "b", "noise"])
    assert r.log.epochs < 30 and r.log.epochs - r.log.best_epoch == 2
    assert min(r.log.valid_loss) == r.log.valid_loss[r.log.best_epoch - 1]


def test_ranker_protocol_save_and_load(synth: Interactions, tmp_path: Path) -> None:
    users = pd.DataFrame({"user_id": synth.users.ids,
                          "segment": [f"s{k % 3}" for k in range(synth.n_users)],
                          "age": np.arange(synth.n_users, dtype=float) % 60})  # fmt: skip
    data = synth.with_features(user_features=users)
    pairs, labels = training_pairs(data, negatives=2, seed=3)
    assert labels.sum() == synth.matrix().nnz and (labels == 0).sum() > 0
    r = DeepFM(**FAST).fit(pairs, labels, data)
    assert isinstance(r, Ranker)
    assert {"user_segment", "price_band", "domain"} <= set(r.encoder.sparse)  # type: ignore[union-attr]
    assert {"days_since_last", "domain_share", "user_age"} <= set(r.encoder.dense)  # type: ignore[union-attr]
    new = pd.DataFrame({"user_id": [synth.users.ids[0], "stranger"],
                        "item_id": [synth.items.ids[0], "unseen-item"]})  # fmt: skip
    p = r.predict_proba(new, data)
    assert p.shape == (2,) and np.isfinite(p).all()
    saved = r.save(tmp_path / "ranker")
    assert sorted(f.name for f in saved.iterdir()) == ["ranker.json", "weights.npz"]
    back = FieldRanker.load(saved, device="cpu")
    assert type(back) is DeepFM and back.config == r.config
    assert np.allclose(back.predict_proba(new, data), p)
    assert np.allclose(back.predict_proba(pairs[:50], data), r.predict_proba(pairs[:50], data))


def test_exposures_give_the_negatives(synth: Interactions) -> None:
    X = synth.matrix().tocsr()
    u0 = synth.users.ids[0]
    unseen = [synth.items.ids[j] for j in range(synth.n_items) if X[0, j] == 0][:3]
    seen = synth.items.ids[X[0].indices[0]]
    shown = pd.DataFrame(
        {"user_id": [u0] * 4 + ["stranger"], "item_id": [*unseen, seen, unseen[0]]}
    )
    pairs, labels = training_pairs(synth, exposures=shown)
    neg = pairs[labels == 0]
    assert list(neg["item_id"]) == unseen and set(neg["user_id"]) == {u0}


def test_bad_input_and_unfitted() -> None:
    with pytest.raises(NotFittedError):
        DeepFM().predict_frame(pd.DataFrame({"a": ["1"]}))
    with pytest.raises(DataError, match="labels must be 0 or 1"):
        DeepFM(**FAST).fit_frame(pd.DataFrame({"a": ["1", "2"]}), [0, 2], sparse=["a"])
    with pytest.raises(ConfigError, match="unknown ranker 'gbdt'; allowed: deepfm, fm, lr"):
        make_ranker("gbdt")
    with pytest.raises(ConfigError, match="dropout"):
        make_ranker("deepfm", dropout=1.5)
    assert set(RANKERS) == {"deepfm", "fm", "lr"}


def test_without_torch_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    with pytest.raises(ConfigError, match=r"install the 'deep' extra"):
        DeepFM(**FAST).fit_frame(pd.DataFrame({"a": ["1", "2"]}), [0, 1], sparse=["a"])
