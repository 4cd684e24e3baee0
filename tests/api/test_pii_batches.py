"""Posted batches holding PII, one after another: each is masked by the default policy.

The masker is a Python function registered with DuckDB through the first batch's cursor;
later cursors call it from the shared catalog. Before its reference was kept, the second
batch called freed memory (a TypeError from an unrelated function, or a crash)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from seamline.api import create_app


def test_every_batch_with_pii_is_masked(demo_ws: Path, keys: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {keys['ingest']}"}
    with TestClient(create_app(demo_ws)) as c:
        for b in range(3):
            events = [
                {
                    "event_id": f"P{b}-{i}",
                    "user_id": "PU1",
                    "item_id": "F000001",
                    "domain": "fashion",
                    "event_type": "review",
                    "timestamp": f"2026-09-0{b + 1}T10:00:0{i}Z",
                    "note": "call Mr. John Smith at 13912345678",
                }
                for i in range(5)
            ]
            r = c.post("/v1/events", json={"events": events}, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["accepted"] == 5
        ws = c.app.state.service.ws  # type: ignore[attr-defined]
        with ws.connect(read_only=True) as con:
            notes = [
                json.loads(a)["note"]
                for (a,) in con.execute(
                    "SELECT attrs FROM events WHERE event_id LIKE 'P%'"
                ).fetchall()
            ]
    assert len(notes) == 15
    assert set(notes) == {"call [name removed] at [phone removed]"}
