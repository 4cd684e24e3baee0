"""Models saved in the workspace: defaults, staleness, segment policy, and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.data.dataset import Interactions
from seamline.errors import ConfigError, NotFittedError
from seamline.recommend import store
from seamline.workspace import Workspace


@pytest.fixture
def ws(rec_ws: Workspace, tmp_path: Path) -> Workspace:
    """A private copy of the session workspace (tests write models into it)."""
    shutil.copytree(rec_ws.path, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


def test_fit_save_load_default_and_stale(ws: Workspace) -> None:
    with pytest.raises(NotFittedError, match="seamline fit"):
        store.load_model(ws)
    fitted = store.fit_models(ws, ["mostpop", "ease"])
    assert [f["name"] for f in fitted] == ["mostpop", "ease"]
    assert store.get_default(ws) == "ease"
    man = json.loads((ws.path / "models" / "ease" / "model.json").read_text())
    assert {"name", "model", "config", "fitted_at", "n_users", "n_items", "stale"} <= set(man)
    assert store.load_model(ws).name == "ease"
    assert store.load_model(ws, "mostpop").name == "mostpop"
    store.set_default(ws, "mostpop")
    assert store.load_model(ws).name == "mostpop"
    assert {m["name"] for m in store.list_models(ws)} == {"mostpop", "ease"}
    assert sorted(store.mark_stale(ws, "user u1 was forgotten")) == ["ease", "mostpop"]
    with pytest.raises(NotFittedError, match=r"forgotten.*seamline fit"):
        store.load_model(ws)
    store.fit_models(ws, ["mostpop"])  # refitting clears the flag
    assert store.load_model(ws, "mostpop").name == "mostpop"
    with pytest.raises(ConfigError):
        store.fit_models(ws, ["nope"])
    with pytest.raises(NotFittedError):
        store.set_default(ws, "als")


def test_segment_policy_uses_the_latest_segments(ws: Workspace) -> None:
    data = Interactions.from_workspace(ws)
    X = data.matrix()
    members = [data.users.id(r) for r in range(0, 40)]
    with ws.connect() as con:
        con.execute("CREATE TABLE IF NOT EXISTS segment_runs (run_id INTEGER, method VARCHAR, "
                    "k INTEGER, metrics JSON, created_at TIMESTAMPTZ)")  # fmt: skip
        con.execute("CREATE TABLE IF NOT EXISTS segments (run_id INTEGER, user_id VARCHAR, "
                    "segment INTEGER)")  # fmt: skip
        con.execute("INSERT INTO segment_runs VALUES (7, 'kmeans', 2, '{}', now())")
        rows = [(7, u, 1) for u in members] + [(7, "newbie", 1)]
        con.executemany("INSERT INTO segments VALUES (?, ?, ?)", rows)
    store.fit_models(ws, ["ease"])
    m = store.load_model(ws)
    seg_pop = np.asarray(X[:40].sum(axis=0)).ravel()
    best = data.items.id(int(np.argmax(seg_pop)))
    recs = m.recommend(["newbie"], k=1, unknown="segment")[0]
    assert recs[0].item_id == best
    overall = m.recommend(["stranger"], k=1, unknown="segment")[0]  # no segment: popular
    assert overall[0].item_id == data.items.id(int(np.argmax(np.asarray(X.sum(axis=0)))))


def test_cli_fit_recommend_similar(ws: Workspace) -> None:
    run = CliRunner()
    w = str(ws.path)
    res = run.invoke(app, ["fit", "-w", w, "--models", "mostpop,itemknn", "--json",
                           "--params", '{"itemknn": {"k": 20}}'])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["default"] == "itemknn"
    assert store.load_model(ws).get_params()["neighbours"] == 20
    res = run.invoke(app, ["fit", "-w", w, "--params", '{"ease": {"depth": 3}}'])
    assert res.exit_code == 2 and "no parameter 'depth'" in res.stderr
    user = Interactions.from_workspace(ws).users.id(5)
    res = run.invoke(app, ["recommend", "-w", w, "--user", user, "--domain", "fashion",
                           "-k", "10", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)
    assert len(recs) == 10 and set(recs[0]) == {"item_id", "score", "because"}
    assert all(r["item_id"].startswith("F") for r in recs)  # synthetic fashion ids
    res = run.invoke(app, ["similar", "-w", w, "--item", recs[0]["item_id"], "-k", "3", "--json"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)) == 3
    res = run.invoke(app, ["recommend", "-w", w, "--user", user, "--domain", "films"])
    assert res.exit_code == 2 and "unknown domain" in res.stderr


def test_cli_recommend_fits_when_nothing_is_saved(ws: Workspace) -> None:
    res = CliRunner().invoke(app, ["recommend", "-w", str(ws.path), "--user", "x", "--json"])
    assert res.exit_code == 0, res.output
    assert "fitting mostpop + ease" in res.stderr
    assert len(json.loads(res.stdout)) == 10
    assert store.get_default(ws) == "ease"


def test_fit_defaults_falls_back_to_itemknn_for_large_catalogs(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seamline.recommend import ease

    monkeypatch.setattr(ease, "MAX_ITEMS", 10)
    assert [f["name"] for f in store.fit_defaults(ws)] == ["mostpop", "itemknn"]
    assert store.get_default(ws) == "itemknn"
    with pytest.raises(ConfigError, match="max_items=10"):
        store.fit_models(ws, ["ease"])


def test_each_model_is_fitted_on_its_own_data_preparation(ws: Workspace) -> None:
    store.fit_models(
        ws, ["ease", "itemknn"],
        params={"itemknn": {"neighbours": 20, "data": {"aggregate": "binary"}}},
    )  # fmt: skip
    ease, knn = store.load_model(ws, "ease"), store.load_model(ws, "itemknn")
    assert ease.data_config_.aggregate == "sum" and knn.data_config_.aggregate == "binary"
    assert knn.X_.max() == 1.0 and ease.X_.max() > 1.0  # binary counts each pair once
    # keywords replace every model's data preparation (the CLI's --half-life-days)
    store.fit_models(ws, ["itemknn"], params={"itemknn": {"k": 20}}, half_life_days=7.0)
    knn = store.load_model(ws, "itemknn")
    assert knn.data_config_.half_life_days == 7.0 and knn.config.neighbours == 20  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="no parameter 'depth'"):
        store.fit_models(ws, ["ease"], params={"ease": {"depth": 3}})
