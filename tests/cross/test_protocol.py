"""The cold-start protocol: seeded split, what is hidden, metrics, CLI shape and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.errors import ConfigError, DataError
from seamline.evaluate.cross import cold_split, evaluate_cross
from seamline.evaluate.cross.baselines import BASELINES
from seamline.workspace import Workspace


def test_cold_split_hides_every_target_event_of_a_seeded_fifth(
    two_domain_frame: pd.DataFrame,
) -> None:
    s = cold_split(two_domain_frame, "knowledge", "fashion", seed=3)
    assert s.n_shared == 240 and len(s.cold_users) == 48
    cold = set(s.cold_users)
    train_tgt = s.train.loc[s.train["domain"] == "fashion", "user_id"]
    assert not cold & set(train_tgt)  # no target event of a cold user is trained on
    train_src = set(s.train.loc[s.train["domain"] == "knowledge", "user_id"])
    assert cold <= train_src  # their source history is
    assert set(s.hidden["user_id"]) == cold
    n_hidden_events = two_domain_frame["user_id"].isin(cold) & (
        two_domain_frame["domain"] == "fashion"
    )
    assert len(s.train) + int(n_hidden_events.sum()) == len(two_domain_frame)
    again = cold_split(two_domain_frame, "knowledge", "fashion", seed=3)
    assert again.cold_users == s.cold_users
    assert cold_split(two_domain_frame, "knowledge", "fashion", seed=4).cold_users != s.cold_users


def test_baselines_and_the_joint_model_on_a_shared_signal(
    two_domain_frame: pd.DataFrame,
) -> None:
    r = evaluate_cross(
        two_domain_frame, "knowledge", "fashion", k=10, seeds=[0, 1], models=BASELINES
    ).to_dict()
    rows = {x["model"]: x for x in r["results"]}
    assert list(rows) == ["popular", "target_only", "joint_ease", "joint_als"]
    assert r["users"] == 48 and r["seeds"] == [0, 1]
    # a target-only model never saw the cold users: it is popularity
    assert rows["target_only"]["ndcg@10"] == pytest.approx(rows["popular"]["ndcg@10"])
    # books predict clothes in this world: the joint model carries it
    assert rows["joint_ease"]["ndcg@10"] > 1.5 * rows["popular"]["ndcg@10"]
    for row in rows.values():
        assert 0 <= row["recall@10"] <= 1 and row["ndcg@10_se"] > 0
        assert len(row["ndcg@10_seeds"]) == 2
        assert row["ndcg@10_spread"] == pytest.approx(np.std(row["ndcg@10_seeds"], ddof=1))


def test_items_only_in_hidden_events_count_as_misses() -> None:
    ev = pd.DataFrame(
        [(f"u{u}", f"b{u % 3}", "knowledge") for u in range(10)]
        + [(f"u{u}", "c0", "fashion") for u in range(10)]
        + [("u0", "c-only-u0", "fashion"), ("u1", "c-only-u1", "fashion")],
        columns=["user_id", "item_id", "domain"],
    )
    ev["event_type"] = "view"
    r = evaluate_cross(ev, "knowledge", "fashion", seeds=[0], models=["popular"], frac=0.5)
    cold = set(cold_split(ev, "knowledge", "fashion", 0, 0.5).cold_users)
    # every cold user's c0 is hidden too; c0 is still in the catalog through warm users
    expected = np.mean([0.5 if u in ("u0", "u1") else 1.0 for u in sorted(cold)])
    assert r.to_dict()["results"][0]["recall@10"] == pytest.approx(expected)


def test_bad_domains_and_one_domain_data(two_domain_frame: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="unknown source domain 'books'"):
        cold_split(two_domain_frame, "books", "fashion", 0)
    with pytest.raises(ConfigError, match="both 'fashion'"):
        cold_split(two_domain_frame, "fashion", "fashion", 0)
    with pytest.raises(DataError, match="no events in the target domain 'other'"):
        cold_split(two_domain_frame, "knowledge", "other", 0)
    with pytest.raises(ConfigError, match="unknown cross-domain model 'nope'"):
        evaluate_cross(two_domain_frame, "knowledge", "fashion", models=["nope"])


def test_cli_json_follows_the_interface(two_domain_ws: Workspace) -> None:
    res = CliRunner().invoke(
        app,
        ["evaluate-cross", "--workspace", str(two_domain_ws.path), "--source", "knowledge",
         "--target", "fashion", "-k", "10", "--seed", "7", "--seeds", "1", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["source"] == "knowledge" and out["target"] == "fashion"
    assert out["users"] == 48 and out["seeds"] == [7]
    models = [r["model"] for r in out["results"]]
    assert "popular" in models and "joint_ease" in models
    for r in out["results"]:
        assert isinstance(r["ndcg@10"], float) and isinstance(r["recall@10"], float)


def test_cli_errors_are_one_line(two_domain_ws: Workspace) -> None:
    res = CliRunner().invoke(
        app,
        ["evaluate-cross", "-w", str(two_domain_ws.path), "--source", "knowledge",
         "--target", "other", "--seeds", "1"],
    )  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0
    assert "no events in the target domain 'other'" in res.stderr
