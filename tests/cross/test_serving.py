"""A user with no history in the asked domain is served by the saved transfer model: the
CLI and the service, with `because` naming the source-domain items."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from seamline.api import create_app
from seamline.api.keys import KeyStore
from seamline.cli.main import app
from seamline.recommend import store
from seamline.recommend.transfer.route import COLD_BELOW, domain_history
from seamline.workspace import Workspace

LEARNER = "u0"  # took courses, never bought clothes


@pytest.fixture
def served_ws(two_domain_frame: pd.DataFrame, tmp_path: Path) -> Workspace:
    frame = two_domain_frame.loc[
        ~((two_domain_frame["user_id"] == LEARNER) & (two_domain_frame["domain"] == "fashion"))
    ]
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=path)
    store.fit_models(ws, ["mostpop", "ease", "transfer"])
    store.set_default(ws, "ease")
    return ws


def _courses(two_domain_frame: pd.DataFrame) -> set[str]:
    f = two_domain_frame
    return set(f.loc[(f["user_id"] == LEARNER) & (f["domain"] == "knowledge"), "item_id"])


def test_cli_serves_a_cold_user_with_the_transfer_model(
    served_ws: Workspace, two_domain_frame: pd.DataFrame
) -> None:
    run = CliRunner().invoke(
        app, ["recommend", "-w", str(served_ws.path), "--user", LEARNER, "--domain", "fashion",
              "-k", "5", "--json"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "the transfer model serves" in run.stderr
    recs = json.loads(run.stdout)
    assert len(recs) == 5 and all(r["item_id"].startswith("cloth-") for r in recs)
    courses = _courses(two_domain_frame)
    assert all(r["because"] and set(r["because"]) <= courses for r in recs)


def test_cli_keeps_the_default_model_for_a_warm_user(served_ws: Workspace) -> None:
    model = store.load_model(served_ws)
    assert domain_history(model, "u1", "fashion") >= COLD_BELOW
    run = CliRunner().invoke(
        app, ["recommend", "-w", str(served_ws.path), "--user", "u1", "--domain", "fashion",
              "--json"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "transfer" not in run.stderr
    # an explicit --model is obeyed even for a cold user
    run = CliRunner().invoke(
        app, ["recommend", "-w", str(served_ws.path), "--user", LEARNER, "--domain", "fashion",
              "--model", "ease", "--json"],
    )  # fmt: skip
    assert run.exit_code == 0 and "transfer" not in run.stderr


def test_service_answers_a_cold_user_from_the_transfer_model(
    served_ws: Workspace, two_domain_frame: pd.DataFrame
) -> None:
    _, key = KeyStore(served_ws.path).create(["read"], name="t")
    with TestClient(create_app(served_ws.path)) as c:
        h = {"Authorization": f"Bearer {key}"}
        cold = c.get(f"/v1/users/{LEARNER}/recommendations?domain=fashion&k=4", headers=h)
        assert cold.status_code == 200, cold.text
        body = cold.json()
        assert body["model"] == "transfer"
        assert all(set(i["because"]) <= _courses(two_domain_frame) for i in body["items"])
        assert all(i["because"] for i in body["items"])
        warm = c.get("/v1/users/u1/recommendations?domain=fashion&k=4", headers=h).json()
        assert warm["model"] == "ease"
        anywhere = c.get(f"/v1/users/{LEARNER}/recommendations?k=4", headers=h).json()
        assert anywhere["model"] == "ease"  # no domain asked: the default model


def test_first_recommend_fits_the_transfer_model_too(
    two_domain_frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame = two_domain_frame.loc[
        ~((two_domain_frame["user_id"] == LEARNER) & (two_domain_frame["domain"] == "fashion"))
    ]
    frame.to_csv(tmp_path / "events.csv", index=False)
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=tmp_path / "events.csv")
    run = CliRunner().invoke(
        app, ["recommend", "-w", str(ws.path), "--user", LEARNER, "--domain", "fashion",
              "--json"],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "and the transfer model" in run.stderr
    assert "the transfer model serves" in run.stderr
    assert {m["name"] for m in store.list_models(ws)} == {"mostpop", "ease", "transfer"}
    assert store.get_default(ws) == "ease"
