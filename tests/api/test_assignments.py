"""Assignments need the `assign` scope and happen only within an experiment's window; its
status comes from the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from seamline.experiments.assignment import ExperimentConfig
from seamline.experiments.store import list_experiments
from seamline.experiments.window import status
from seamline.workspace import Workspace


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def iso(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_status_follows_the_window() -> None:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    window = {"start": "2026-09-01T00:00:00Z", "end": "2026-10-01T00:00:00Z"}
    assert status(ExperimentConfig("e", **window), now) == "ended"  # end is exclusive
    assert status(ExperimentConfig("e", **window), now - timedelta(seconds=1)) == "running"
    assert status(ExperimentConfig("e", start="2026-10-02T00:00:00Z"), now) == "scheduled"
    assert status(ExperimentConfig("e"), now) == "running"  # no bounds: open


def test_assignments_need_the_assign_scope(client: TestClient, keys: dict[str, str]) -> None:
    design = {"name": "live", "arms": [{"name": "control"}, {"name": "new"}]}
    assert client.post("/v1/experiments", json=design, headers=auth(keys["admin"])).is_success
    path = "/v1/experiments/live/assignments"
    r = client.post(path, json={"user_id": "U0000001"}, headers=auth(keys["read"]))
    assert r.status_code == 403 and "assign" in r.json()["detail"]
    r = client.post(path, json={"user_id": "U0000001"}, headers=auth(keys["assign"]))
    assert r.status_code == 200 and r.json()["arm"] in ("control", "new")
    # An assign key reads nothing else.
    assert client.get("/v1/quality", headers=auth(keys["assign"])).status_code == 403


def test_assignments_outside_the_window_are_409_and_record_nothing(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    h = auth(keys["admin"])
    ended = {"name": "past", "start": iso(-90), "end": iso(-60)}
    scheduled = {"name": "future", "start": iso(10), "end": iso(40)}
    running = {"name": "now", "start": iso(-1), "end": iso(30)}
    for design in (ended, scheduled, running):
        assert client.post("/v1/experiments", json=design, headers=h).status_code == 200
    answers = {
        name: client.post(
            f"/v1/experiments/{name}/assignments",
            json={"user_id": "U0000002"},
            headers=auth(keys["assign"]),
        )
        for name in ("past", "future", "now")
    }
    assert answers["past"].status_code == 409 and "ended" in answers["past"].json()["detail"]
    assert answers["future"].status_code == 409
    assert "scheduled" in answers["future"].json()["detail"]
    assert answers["now"].status_code == 200
    listed = {e["name"]: e for e in client.get("/v1/experiments", headers=h).json()}
    assert {n: listed[n]["status"] for n in ("past", "future", "now")} == {
        "past": "ended",
        "future": "scheduled",
        "now": "running",
    }
    assert listed["past"]["exposures"] == {} and listed["future"]["exposures"] == {}
    # The synthetic campaign's window ended: it no longer shows as running.
    assert listed["coupon-sep2026"]["status"] == "ended"


def test_the_library_listing_derives_status_too(demo_ws: Path) -> None:
    found = {e["name"]: e["status"] for e in list_experiments(Workspace(demo_ws))}
    assert found["coupon-sep2026"] == "ended"


def test_unknown_experiment_is_404(client: TestClient, keys: dict[str, str]) -> None:
    r = client.post(
        "/v1/experiments/nope/assignments", json={"user_id": "U1"}, headers=auth(keys["assign"])
    )
    assert r.status_code == 404
    assert client.get("/v1/experiments/nope/report", headers=auth(keys["read"])).status_code == 404
