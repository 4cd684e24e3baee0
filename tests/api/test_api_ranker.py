"""The trained ranker in the workspace: `seamline fit-ranker`, `seamline recommend` and the
service re-rank the default model's candidates with it; a stale ranker is not served."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from seamline.api import create_app
from seamline.api.keys import KeyStore
from seamline.cli.main import app
from seamline.errors import NotFittedError
from seamline.recommend import store
from seamline.recommend.rank.store import load_ranker, ranker_info
from seamline.workspace import Workspace

PARAMS = {"max_epochs": 2, "embedding_dim": 4, "hidden": [8], "threads": 1, "device": "cpu"}


@pytest.fixture(scope="module")
def ranked_ws(demo_ws_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with a DeepFM trained behind its EASE model (by the CLI)."""
    ws = Path(shutil.copytree(demo_ws_template, tmp_path_factory.mktemp("ranked") / "ws"))
    res = CliRunner().invoke(app, ["fit-ranker", "-w", str(ws), "--candidates", "50",
                                   "--params", json.dumps(PARAMS), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["retriever"] == "ease" and out["ranker"] == "deepfm" and out["positives"] > 0
    assert {"auc", "logloss", "calibration"} <= set(out["metrics"])
    assert sorted(p.name for p in Path(out["path"]).iterdir()) == [
        "ranker.json", "serving.json", "snapshot.json", "snapshot.npz", "weights.npz",
    ]  # fmt: skip
    return ws


def test_recommend_reranks_the_models_candidates(ranked_ws: Path) -> None:
    ws = Workspace(ranked_ws)
    model, ranker = store.load_model(ws), load_ranker(ws)
    assert ranker is not None and ranker.retriever == "ease" and ranker.candidates == 50
    user = model.users_.id(3)
    pool = {r.item_id: r for r in model.recommend([user], k=50)[0]}
    recs = ranker.recommend(model, user, 10)
    assert len(recs) == 10 and all(r.item_id in pool for r in recs)
    assert all(r.because == pool[r.item_id].because for r in recs)
    p = [r.score for r in recs]
    assert p == sorted(p, reverse=True) and min(p) > 0 and max(p) < 1
    res = CliRunner().invoke(app, ["recommend", "-w", str(ranked_ws), "-u", user, "--json"])
    assert res.exit_code == 0, res.output
    assert [r["item_id"] for r in json.loads(res.stdout)] == [r.item_id for r in recs]
    plain = CliRunner().invoke(app, ["recommend", "-w", str(ranked_ws), "-u", user,
                                     "--no-rerank", "--json"])  # fmt: skip
    expected = [r.item_id for r in model.recommend([user], k=10)[0]]
    assert [r["item_id"] for r in json.loads(plain.stdout)] == expected
    # an unknown user gets the model's fallback list, not a re-ranked one
    assert not ranker.applies_to(model, "NOBODY")


def test_the_serving_encoding_equals_the_general_one(ranked_ws: Path) -> None:
    from seamline.recommend.rank.assemble import pair_fields
    from seamline.recommend.rank.fast import PairEncoder

    ranker = load_ranker(Workspace(ranked_ws))
    assert ranker is not None and ranker.ranker.encoder is not None
    fast = PairEncoder.build(ranker.ranker.encoder, ranker.snapshot)
    assert fast is not None
    snap = ranker.snapshot
    ids = np.array([*snap.items.ids[:40], "unseen-item"], dtype=object)
    rank, z = np.log1p(np.arange(41.0)), np.linspace(2, -1, 41)
    for user in (snap.users.ids[5], "NOBODY"):
        frame = pd.DataFrame({"user_id": user, "item_id": ids, "log_rank": rank, "score_z": z})
        slow = ranker.ranker.encoder.transform(pair_fields(frame, snap)[0])
        quick = fast.encode(user, fast.item_rows(ids), rank, z)
        assert (slow.sparse == quick.sparse).all() and (slow.multi == quick.multi).all()
        assert np.allclose(slow.dense, quick.dense, atol=1e-6)


def test_the_service_answers_with_the_ranker(ranked_ws: Path, tmp_path: Path) -> None:
    ws = Path(shutil.copytree(ranked_ws, tmp_path / "ws"))
    key = KeyStore(ws).create(["read"], name="test-read")[1]
    model = store.load_model(Workspace(ws))
    user = model.users_.id(3)
    with TestClient(create_app(ws)) as client:
        body = client.get(f"/v1/users/{user}/recommendations?k=5",
                          headers={"Authorization": f"Bearer {key}"}).json()  # fmt: skip
    ranker = load_ranker(Workspace(ws))
    assert ranker is not None
    assert body["model"] == "ease" and body["ranker"] == "deepfm"
    assert [r["item_id"] for r in body["items"]] == [
        r.item_id for r in ranker.recommend(model, user, 5)
    ]
    assert np.isclose(body["items"][0]["score"], ranker.recommend(model, user, 1)[0].score)


def test_the_report_shows_the_ctr_metrics_and_calibration(ranked_ws: Path) -> None:
    from seamline.report.recommend import recommend_section

    info = ranker_info(Workspace(ranked_ws))
    section = recommend_section(Workspace(ranked_ws))
    assert info is not None and section is not None
    html = str(section.html)
    assert "Ranker: deepfm behind ease" in html and "CTR metrics (held-out users)" in html
    assert f"{info['metrics']['auc']:.4f}" in html and "Reliability (calibration)" in html
    assert 'aria-label="calibration"' in html  # the reliability chart


def test_a_stale_ranker_is_not_served(ranked_ws: Path, tmp_path: Path) -> None:
    ws = Workspace(Path(shutil.copytree(ranked_ws, tmp_path / "ws")))
    store.mark_stale(ws, "users were erased")
    info = ranker_info(ws)
    assert info is not None and info["stale"] and info["stale_reason"] == "users were erased"
    with pytest.raises(NotFittedError, match=r"the ranker is stale .* seamline fit-ranker"):
        load_ranker(ws)
