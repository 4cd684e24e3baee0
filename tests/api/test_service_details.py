"""Service details: security headers, the documented k cap, refit checks before saving, a
corrupt key file, the access log, model reloads off the event loop, paginated quality and
an OpenAPI document that declares what each route answers."""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seamline.api import create_app
from seamline.api.keys import KEYS_FILE
from seamline.api.middleware import enable_access_log
from seamline.api.models import ModelCache


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_security_headers(client: TestClient, keys: dict[str, str]) -> None:
    for path in ("/v1/users/U0000001", "/dashboard/", "/docs", "/health"):
        r = client.get(path, headers=auth(keys["read"]))
        assert r.status_code == 200, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "no-referrer"
    personal = client.get("/v1/users/U0000001/recommendations", headers=auth(keys["read"]))
    assert personal.headers["cache-control"] == "no-store"
    assert "'unsafe-inline'" not in client.get("/dashboard/").headers["content-security-policy"]
    refused = client.get("/v1/users/U0000001")  # errors carry them too
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"


@dataclass
class Rec:
    item_id: str
    score: float
    because: tuple[str, ...] = ()


class CountingModel:
    """Recommends exactly the k items asked for, so a cap on k would show."""

    name_ = "counting"

    def recommend(self, user_ids: list[str], k: int = 10, **kw: Any) -> list[list[Rec]]:
        return [[Rec(f"I{i}", 1.0 / (i + 1)) for i in range(k)] for _ in user_ids]

    def similar_items(self, item_id: str, k: int = 10) -> list[Rec]:
        return [Rec(f"I{i}", 1.0 / (i + 1)) for i in range(k)]


def test_k_up_to_the_documented_1000(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["read"])
    client.app.state.service.models.set(CountingModel(), "counting")  # type: ignore[attr-defined]
    body = client.get("/v1/users/U0000004/recommendations?k=1000", headers=h).json()
    assert body["k"] == 1000 and len(body["items"]) == 1000  # not silently 200
    sim = client.get("/v1/items/F000001/similar?k=1000", headers=h).json()
    assert len(sim["items"]) == 1000
    too_many = client.get("/v1/users/U0000004/recommendations?k=1001", headers=h)
    assert too_many.status_code == 422
    assert client.get("/v1/items/F000001/similar?k=1001", headers=h).status_code == 422
    doc = client.get("/openapi.json").json()
    (k_param,) = [
        p
        for p in doc["paths"]["/v1/users/{user_id}/recommendations"]["get"]["parameters"]
        if p["name"] == "k"
    ]
    assert k_param["schema"]["maximum"] == 1000


def test_refit_with_a_bad_default_saves_nothing(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    before = sorted(p.name for p in (demo_ws / "models").iterdir())
    r = client.post(
        "/v1/models/fit",
        json={"models": ["mostpop"], "default": "itemknn"},
        headers=auth(keys["admin"]),
    )
    assert r.status_code == 422
    assert "default" in r.text
    assert sorted(p.name for p in (demo_ws / "models").iterdir()) == before
    listed = client.get("/v1/models", headers=auth(keys["read"])).json()
    assert [m["name"] for m in listed] == ["ease"]


def test_a_corrupt_key_file_is_a_500_without_its_path(
    demo_ws: Path, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(demo_ws)) as c:
        (demo_ws / KEYS_FILE).write_text("{not json")
        with caplog.at_level(logging.ERROR):
            r = c.get("/v1/whoami", headers=auth(keys["read"]))
        assert r.status_code == 500
        assert str(demo_ws) not in r.text and KEYS_FILE not in r.text
        assert any(KEYS_FILE in (rec.exc_text or rec.getMessage()) for rec in caplog.records)


def test_each_request_is_logged_once(client: TestClient, keys: dict[str, str]) -> None:
    access = logging.getLogger("seamline.api.access")
    saved = (access.level, access.propagate, list(access.handlers))
    root_lines = io.StringIO()
    root_handler = logging.StreamHandler(root_lines)
    logging.getLogger().addHandler(root_handler)  # as the CLI's logging.basicConfig does
    ours = io.StringIO()
    try:
        enable_access_log(ours)
        enable_access_log(ours)  # twice: still one handler
        client.get("/v1/whoami", headers=auth(keys["read"]))
    finally:
        logging.getLogger().removeHandler(root_handler)
        for h in access.handlers:
            if h not in saved[2]:
                access.removeHandler(h)
        access.setLevel(saved[0])
        access.propagate = saved[1]
    lines = [ln for ln in ours.getvalue().splitlines() if "/v1/whoami" in ln]
    assert len(lines) == 1
    assert "/v1/whoami" not in root_lines.getvalue()


def test_a_refit_reloads_the_model_off_the_event_loop(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_loop: list[bool] = []
    load = ModelCache._load

    def recording_load(self: ModelCache) -> None:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        load(self)

    monkeypatch.setattr(ModelCache, "_load", recording_load)
    body = {"models": ["mostpop"], "default": "mostpop"}
    assert client.post("/v1/models/fit", json=body, headers=auth(keys["admin"])).is_success
    loads_by_refit = len(on_loop)
    r = client.get("/v1/users/U0000004/recommendations", headers=auth(keys["read"]))
    assert r.json()["model"] == "mostpop"
    assert loads_by_refit >= 1
    assert on_loop == [False] * loads_by_refit  # loaded in the refit's worker thread only


def test_quality_is_paginated_grouped_and_shows_no_server_paths(
    client: TestClient, keys: dict[str, str], demo_ws: Path
) -> None:
    event: dict[str, Any] = {
        "user_id": "U0000001",
        "item_id": "F000001",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-09-01T10:00:00Z",
    }
    for i in range(3):
        batch = {"events": [{**event, "event_id": f"Q{i}"}], "batch_id": f"b{i}"}
        assert client.post("/v1/events", json=batch, headers=auth(keys["ingest"])).is_success
    h = auth(keys["read"])
    full = client.get("/v1/quality?limit=500", headers=h)
    assert str(demo_ws.parent) not in full.text and "/" not in str(
        [g["source"] for g in full.json()["batches"]["items"]]
    )
    groups = full.json()["batches"]
    # Three API batches of one key on one day: one group.
    api_groups = [g for g in groups["items"] if g["source"].startswith("api:")]
    assert len(api_groups) == 1 and api_groups[0]["batches"] == 3
    files = {g["source"] for g in groups["items"]} - {api_groups[0]["source"]}
    assert files >= {"events.csv", "items.csv", "users.csv"}
    page = client.get("/v1/quality?limit=1&offset=1", headers=h).json()["batches"]
    assert (page["total"], page["offset"], page["limit"]) == (groups["total"], 1, 1)
    assert page["items"] == groups["items"][1:2]
    assert "ingests" not in full.json()


def test_openapi_declares_a_schema_for_every_answer(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    declared: dict[str, set[str]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok not in ({}, {"type": "object"}), f"{method} {path}"
            codes = set(op["responses"])
            declared[f"{method.upper()} {path}"] = codes
            if "requestBody" in op:
                assert op["requestBody"]["content"]["application/json"]["schema"]
            if "requestBody" in op or op.get("parameters"):  # input that can miss the schema
                assert "422" in codes, f"{method} {path}"
    assert {"409", "404"} <= declared["POST /v1/experiments/{name}/assignments"]
    assert "413" in declared["POST /v1/events"]
    assert "409" in declared["GET /v1/users/{user_id}/recommendations"]
