"""Wide events: keys outside the canonical columns are packed into `attrs` in linear time,
and a batch with more distinct such keys than the documented cap is refused (413)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from seamline.api import ServiceSettings, create_app
from seamline.data.records import record_columns
from seamline.workspace import Workspace


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def wide_batch(n_events: int, keys_per_event: int, prefix: str = "W") -> list[dict[str, Any]]:
    """Every event has its own extra keys: n_events x keys_per_event distinct keys."""
    return [
        {
            "event_id": f"{prefix}{i}",
            "user_id": f"WU{i % 11}",
            "item_id": "F000001",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-09-01T10:00:00Z",
            **{f"x{i}_{j}": j for j in range(keys_per_event)},
        }
        for i in range(n_events)
    ]


def test_a_wide_batch_keeps_every_key_in_attrs(demo_ws: Path, keys: dict[str, str]) -> None:
    batch = wide_batch(1000, 5)  # 5,000 distinct extra keys in all
    with TestClient(create_app(demo_ws)) as c:
        r = c.post("/v1/events", json={"events": batch}, headers=auth(keys["ingest"]))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["rows"], body["accepted"], body["rejected"]) == (1000, 1000, 0)
        ws = c.app.state.service.ws  # type: ignore[attr-defined]
        with ws.connect(read_only=True) as con:
            got = dict(
                con.execute(
                    "SELECT event_id, attrs FROM events WHERE event_id LIKE 'W%'"
                ).fetchall()
            )
    assert len(got) == 1000
    # Each event keeps exactly its own keys (values as text, as file ingestion keeps them).
    assert json.loads(got["W7"]) == {f"x7_{j}": str(j) for j in range(5)}
    assert json.loads(got["W999"]) == {f"x999_{j}": str(j) for j in range(5)}


def test_more_distinct_keys_than_the_cap_is_413_and_stores_nothing(
    demo_ws: Path, keys: dict[str, str]
) -> None:
    settings = ServiceSettings(workspace=demo_ws, max_extra_keys=100)
    with TestClient(create_app(settings=settings)) as c:
        r = c.post(
            "/v1/events", json={"events": wide_batch(30, 4, "C")}, headers=auth(keys["ingest"])
        )
        assert r.status_code == 413
        assert "100" in r.json()["detail"]  # names the cap
        ok = c.post(
            "/v1/events", json={"events": wide_batch(25, 4, "D")}, headers=auth(keys["ingest"])
        )
        assert ok.status_code == 200 and ok.json()["accepted"] == 25
    with Workspace(demo_ws).connect(read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM events WHERE event_id LIKE 'C%'").fetchone()
    assert stored == (0,)


def test_the_default_cap_is_documented_in_the_openapi_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"]["/v1/events"]["post"]
    assert "413" in op["responses"]
    assert "max_extra_keys" in op["description"]


def test_packed_columns_keep_canonical_aliased_and_pii_named_keys_apart() -> None:
    records = [
        {"user_id": "u1", "TS": "2026-01-01", "email": "a@b.example", "colour": "red"},
        {"user_id": "u2", "size": 42},
        "not an object",
    ]
    table = record_columns(records, "events", label="t")
    assert {"user_id", "TS", "email", "__attrs"} <= set(table.column_names)
    assert "colour" not in table.column_names and "size" not in table.column_names
    packed = table.column("__attrs").to_pylist()
    assert [json.loads(p) for p in packed] == [{"colour": "red"}, {"size": "42"}]


def test_the_pii_policy_still_sees_packed_keys(tmp_path: Path) -> None:
    from seamline.data import readers
    from seamline.data.ingest import ingest_source
    from seamline.data.mapping import Mapping
    from seamline.pii.policy import PiiPolicy, PrivacyOptions

    record = {
        "event_id": "e1",
        "user_id": "u1",
        "item_id": "i1",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-01-01T00:00:00Z",
        "note": 'write to john.doe@example.com "soon"',
        "email": "x@y.example",
        "colour": "red",
    }
    ws = Workspace(tmp_path / "ws")
    with ws.connect() as con:
        src = readers.arrow_source(
            con, "events", record_columns([record], "events", label="t"), "t"
        )
        drop = PrivacyOptions(pii=PiiPolicy(default="drop"))
        ingest_source(con, "events", src, Mapping().for_table("events"), privacy=drop)
        (attrs,) = con.execute("SELECT attrs FROM events").fetchone()  # type: ignore[misc]
    assert json.loads(attrs) == {
        "email": None,  # PII by its name: emptied
        "note": 'write to [email removed] "soon"',  # PII in packed free text: cut out
        "colour": "red",
    }
