"""The REST service through its HTTP interface (in-process ASGI client)."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seamline.api import ServiceSettings, create_app
from seamline.experiments.assignment import assign
from seamline.experiments.store import get_experiment
from seamline.workspace import Workspace


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def event(i: int, **kw: Any) -> dict[str, Any]:
    return {
        "event_id": f"T{i}",
        "user_id": f"TU{i % 7}",
        "item_id": "F000001",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-09-01T10:00:00Z",
        **kw,
    }


# --- security ---------------------------------------------------------------------------
def test_health_and_version_need_no_key(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/v1/version").json()["api"] == "v1"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/users/U0000001/recommendations"),
        ("GET", "/v1/quality"),
        ("POST", "/v1/events"),
        ("POST", "/v1/experiments"),
    ],
)
def test_no_key_or_a_bad_key_is_401(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, json={}).status_code == 401
    r = client.request(method, path, json={}, headers=auth("sl_000000000000_nope"))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_scope_is_403(client: TestClient, keys: dict[str, str]) -> None:
    r = client.post("/v1/events", json={"events": [event(1)]}, headers=auth(keys["read"]))
    assert r.status_code == 403
    assert "ingest" in r.json()["detail"]
    assert client.get("/v1/quality", headers=auth(keys["ingest"])).status_code == 403
    r = client.post("/v1/experiments", json={"name": "x"}, headers=auth(keys["read"]))
    assert r.status_code == 403
    # admin implies read and ingest
    assert client.get("/v1/quality", headers=auth(keys["admin"])).status_code == 200


def test_revoked_key_stops_working_in_a_running_service(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    from seamline.api.keys import KeyStore

    assert client.get("/v1/whoami", headers=auth(keys["read"])).status_code == 200
    KeyStore(demo_ws).revoke(keys["read"])
    assert client.get("/v1/whoami", headers=auth(keys["read"])).status_code == 401


def test_cors_is_closed_by_default_and_opens_for_listed_origins(
    demo_ws: Path, keys: dict[str, str]
) -> None:
    pre = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(demo_ws)) as c:
        r = c.options("/v1/quality", headers=pre)
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/v1/quality", headers={**auth(keys["read"]), "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
    settings = ServiceSettings(workspace=demo_ws, cors_origins=["https://shop.example"])
    with TestClient(create_app(settings=settings)) as c:
        r = c.options("/v1/quality", headers={**pre, "Origin": "https://shop.example"})
        assert r.headers["access-control-allow-origin"] == "https://shop.example"
        r = c.options("/v1/quality", headers=pre)
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"


def test_request_size_limits(demo_ws: Path, keys: dict[str, str]) -> None:
    settings = ServiceSettings(workspace=demo_ws, max_body_bytes=2_000, max_batch_events=3)
    with TestClient(create_app(settings=settings)) as c:
        big = {"events": [event(i, title="x" * 100) for i in range(40)]}
        r = c.post("/v1/events", json=big, headers=auth(keys["ingest"]))
        assert r.status_code == 413
        r = c.post(
            "/v1/events",
            json={"events": [event(i) for i in range(4)]},
            headers=auth(keys["ingest"]),
        )
        assert r.status_code == 413
        assert "at most 3" in r.json()["detail"]
        r = c.post(
            "/v1/events",
            json={"events": [event(i) for i in range(3)]},
            headers=auth(keys["ingest"]),
        )
        assert r.status_code == 200


def test_logs_name_routes_not_user_ids(
    client: TestClient, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    secret_user = "U-PRIVATE-4242"
    with caplog.at_level(logging.DEBUG):
        client.get(f"/v1/users/{secret_user}", headers=auth(keys["read"]))
        client.get(f"/v1/users/{secret_user}/recommendations", headers=auth(keys["read"]))
        client.post(
            "/v1/events",
            json={"events": [event(1, user_id=secret_user)]},
            headers=auth(keys["ingest"]),
        )
    # The service's own loggers (the test client's httpx logger is the caller's side).
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("seamline"))
    assert "GET /v1/users/{user_id}/recommendations" in text  # the access log is there ...
    assert secret_user not in text  # ... without the id


# --- ingestion --------------------------------------------------------------------------
def test_events_batch_counts_and_per_row_errors(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    batch = [
        event(1),
        event(2, domain="shoes"),
        "not an object",
        event(3, timestamp="2026-13-01"),
        event(1),  # repeated id within the batch
        event(4, user_id=None),
        event(5, value=19.9, event_type="purchase", extra_field={"a": 1}),
    ]
    r = client.post("/v1/events", json={"events": batch}, headers=auth(keys["ingest"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["accepted"], body["rejected"], body["duplicates"]) == (7, 2, 4, 1)
    assert body["rows"] == body["accepted"] + body["rejected"] + body["duplicates"]
    found = {(e["position"], e["reason"]) for e in body["errors"]}
    assert found == {
        (2, "bad_domain"),
        (3, "malformed_line"),
        (4, "bad_timestamp"),
        (6, "missing_user_id"),
    }
    # A retry of the same batch adds nothing: idempotent by event_id.
    again = client.post("/v1/events", json={"events": batch}, headers=auth(keys["ingest"])).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    with Workspace(demo_ws).connect() as con:
        rows = con.execute(
            "SELECT event_id, value, attrs FROM events WHERE event_id IN ('T1', 'T5') ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == ["T1", "T5"]
    assert rows[1][1] == pytest.approx(19.9)
    assert "extra_field" in rows[1][2]  # unknown columns are kept as attributes


def test_events_body_must_be_an_object_with_events(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert (
        client.post("/v1/events", json=[event(1)], headers=auth(keys["ingest"])).status_code == 422
    )
    r = client.post("/v1/events", json={"events": []}, headers=auth(keys["ingest"]))
    assert r.json()["rows"] == 0


# --- reads ------------------------------------------------------------------------------
def test_quality_overview_and_users(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    h = auth(keys["read"])
    with Workspace(demo_ws).connect() as con:
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
        some_user = con.execute("SELECT min(user_id) FROM events").fetchone()[0]  # type: ignore[index]
        user_events = con.execute(
            "SELECT count(*) FROM events WHERE user_id = ?", [some_user]
        ).fetchone()[0]  # type: ignore[index]
    assert client.get("/v1/quality", headers=h).json()["events"] == n_events
    ov = client.get("/v1/overview", headers=h).json()
    assert ov["events"] == n_events
    assert set(ov["kpis"]) >= {"all", "fashion", "knowledge"}
    found = client.get(f"/v1/users?q={some_user[:-1]}", headers=h).json()
    assert some_user in [u["user_id"] for u in found]
    detail = client.get(f"/v1/users/{some_user}", headers=h).json()
    assert sum(d["events"] for d in detail["by_domain"]) == user_events
    assert client.get("/v1/users/NOBODY", headers=h).status_code == 404
    # LIKE wildcards in the query are taken literally
    assert client.get("/v1/users?q=%25", headers=h).json() == []


def test_campaigns_show_the_coupon_and_its_uplift(client: TestClient, keys: dict[str, str]) -> None:
    c = client.get("/v1/campaigns", headers=auth(keys["read"])).json()
    assert [x["coupon_id"] for x in c["coupons"]] == ["SEAMLINE-SEP20"]
    (camp,) = c["campaigns"]
    assert camp["control"] == "control"
    assert {r["metric"] for r in camp["results"]} >= {"conversion", "revenue"}
    assert all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in camp["results"])
    last = camp["curve"][-1]
    # the curve ends at the report's incremental revenue
    assert last["incremental"]["coupon"] == pytest.approx(
        camp["kpis"]["coupon"]["incremental_revenue"], rel=1e-6, abs=1e-6
    )


def test_experiment_create_assign_and_report(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    design = {"name": "banner-test", "arms": [{"name": "control"}, {"name": "banner"}]}
    r = client.post("/v1/experiments", json=design, headers=auth(keys["admin"]))
    assert r.status_code == 200, r.text
    bad = client.post(
        "/v1/experiments", json={"name": "x", "arms": [{"nope": 1}]}, headers=auth(keys["admin"])
    )
    assert bad.status_code == 400
    arms = {}
    for u in ("U0000001", "U0000002", "U0000003"):
        r = client.post(
            "/v1/experiments/banner-test/assignments",
            json={"user_id": u},
            headers=auth(keys["assign"]),
        )
        assert r.status_code == 200
        arms[u] = r.json()["arm"]
    cfg = get_experiment(Workspace(demo_ws), "banner-test")
    assert arms == {u: assign(cfg, u) for u in arms}  # the library's deterministic arm
    assert (
        client.post(
            "/v1/experiments/nope/assignments", json={"user_id": "U1"}, headers=auth(keys["assign"])
        ).status_code
        == 404
    )
    listed = client.get("/v1/experiments", headers=auth(keys["read"])).json()
    assert sum(next(e for e in listed if e["name"] == "banner-test")["exposures"].values()) == 3
    rep = client.get("/v1/experiments/coupon-sep2026/report", headers=auth(keys["read"]))
    assert rep.status_code == 200
    assert rep.json()["arms"] == {"control": 150, "coupon": 150}


# --- recommendations --------------------------------------------------------------------
@dataclass
class Rec:
    item_id: str
    score: float
    because: list[str] = field(default_factory=list)


class StubModel:
    """Stands in for a fitted recommender: records what the route asked for."""

    name_ = "stub"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def recommend(self, user_ids: list[str], **kw: Any) -> list[list[Rec]]:
        self.calls.append({"user_ids": user_ids, **kw})
        return [[Rec("F000001", 0.9, ["K000001"]), Rec("NOT-IN-CATALOG", 0.5)] for _ in user_ids]

    def similar_items(self, item_id: str, k: int = 10) -> list[Rec]:
        if item_id != "F000001":
            raise KeyError(item_id)
        return [Rec("F000002", 0.7)]


def test_without_a_model_recommendations_say_how_to_get_one(
    demo_ws: Path, keys: dict[str, str]
) -> None:
    shutil.rmtree(demo_ws / "models")
    with TestClient(create_app(demo_ws)) as c:
        r = c.get("/v1/users/U0000001/recommendations", headers=auth(keys["read"]))
        assert r.status_code == 409
        assert "seamline fit" in r.json()["detail"]
        stages = c.get("/v1/stages", headers=auth(keys["read"])).json()
        assert stages["recommender"]["available"] is False


def test_recommendations_from_the_fitted_model(client: TestClient, keys: dict[str, str]) -> None:
    from seamline.recommend.store import load_model

    h = auth(keys["read"])
    svc = client.app.state.service  # type: ignore[attr-defined]
    model = load_model(svc.ws)
    detail = client.get("/v1/users/U0000004", headers=h).json()
    history = {e["item_id"] for rows in detail["history"].values() for e in rows}
    for domain in ("knowledge", "fashion"):
        r = client.get(f"/v1/users/U0000004/recommendations?domain={domain}&k=5", headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["model"] == "ease"
        expected = model.recommend(["U0000004"], k=5, domain=domain)[0]
        assert [i["item_id"] for i in body["items"]] == [e.item_id for e in expected]
        assert all(i["domain"] == domain for i in body["items"])
        assert not history & {i["item_id"] for i in body["items"]}  # seen items excluded
        assert all(set(i["because"]) <= history for i in body["items"])
        assert any(i["because"] for i in body["items"])
        scores = [i["score"] for i in body["items"]]
        assert scores == sorted(scores, reverse=True)
    new = client.get("/v1/users/NEW-USER/recommendations?k=3", headers=h).json()
    assert len(new["items"]) == 3 and all(i["because"] == [] for i in new["items"])
    sim = client.get(f"/v1/items/{new['items'][0]['item_id']}/similar?k=4", headers=h).json()
    assert len(sim["items"]) == 4


def test_recommendations_route_contract(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["read"])
    stub = StubModel()
    client.app.state.service.models.set(stub, "stub")  # type: ignore[attr-defined]
    r = client.get(
        "/v1/users/U0000001/recommendations?domain=fashion&k=5&category=tops&category=dresses"
        "&price_max=300",
        headers=h,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "stub" and body["k"] == 5
    first = body["items"][0]
    assert (first["item_id"], first["score"], first["because"]) == ("F000001", 0.9, ["K000001"])
    assert first["domain"] == "fashion" and first["title"]  # decorated from the catalog
    assert body["items"][1]["title"] is None  # unknown to the catalog: still returned
    call = stub.calls[-1]
    assert call["user_ids"] == ["U0000001"] and call["domain"] == "fashion" and call["k"] == 5
    given = {k: v for k, v in call["filters"].items() if v is not None}  # None: no filter
    assert given == {"category": ["tops", "dresses"], "price_max": 300.0}
    assert call["unknown"] == "popular"
    assert client.get("/v1/users/U1/recommendations?domain=shoes", headers=h).status_code == 422
    assert client.get("/v1/users/U1/recommendations?k=0", headers=h).status_code == 422
    sim = client.get("/v1/items/F000001/similar?k=3", headers=h).json()
    assert [i["item_id"] for i in sim["items"]] == ["F000002"]
    assert client.get("/v1/items/NOPE/similar", headers=h).status_code == 404


# --- segments ---------------------------------------------------------------------------
def test_segments_and_a_users_segment(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    from seamline.segments.repo import segment_list, user_segment

    h = auth(keys["read"])
    ws = client.app.state.service.ws  # type: ignore[attr-defined]  # the service holds the file
    segs = client.get("/v1/segments", headers=h).json()
    assert segs == segment_list(ws)
    assert sum(s["size"] for s in segs) > 0 and all(s["name_en"] for s in segs)
    r = client.get("/v1/users/U0000001/segment", headers=h)
    assert r.status_code == 200
    assert r.json()["id"] == user_segment(ws, "U0000001")["id"]  # type: ignore[index]
    assert client.get("/v1/users/NOBODY/segment", headers=h).status_code == 404
    stages = client.get("/v1/stages", headers=h).json()
    assert stages["segments"] == {"available": True, "segments": len(segs)}


def test_refit_while_serving_switches_the_model(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["read"])
    assert client.get("/v1/users/U0000004/recommendations", headers=h).json()["model"] == "ease"
    body = {"models": ["mostpop"], "default": "mostpop"}
    assert client.post("/v1/models/fit", json=body, headers=h).status_code == 403
    r = client.post("/v1/models/fit", json=body, headers=auth(keys["admin"]))
    assert r.status_code == 200, r.text
    assert [m["name"] for m in r.json()] == ["mostpop"]
    after = client.get("/v1/users/U0000004/recommendations", headers=h).json()
    assert after["model"] == "mostpop"
    assert all(i["because"] == [] for i in after["items"])  # popularity explains nothing
    listed = client.get("/v1/models", headers=h).json()
    assert {m["name"]: m["default"] for m in listed} == {"ease": False, "mostpop": True}
    bad = client.post("/v1/models/fit", json={"models": ["nope"]}, headers=auth(keys["admin"]))
    assert bad.status_code == 400
    assert "allowed" in bad.json()["detail"]


def test_segmentation_run_through_the_service(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["admin"])
    r = client.post("/v1/segments/run", json={"k": 3, "bootstrap": 0, "n_init": 2}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["k"] == 3
    assert len(client.get("/v1/segments", headers=h).json()) == 3
    bad = client.post("/v1/segments/run", json={"k": 1}, headers=h)
    assert bad.status_code == 400
