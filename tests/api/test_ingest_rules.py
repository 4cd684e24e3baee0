"""`POST /v1/events` applies the same id rules as file ingest (one cleaning SQL)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from seamline.data.columns import MAX_ID_CHARS


def _event(i: int, **kw: Any) -> dict[str, Any]:
    base = {
        "event_id": f"R{i}",
        "user_id": "U0000001",
        "item_id": "F000001",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-01-02T10:00:00Z",
    }
    return {**base, **kw}


def test_unusable_ids_posted_to_the_service_are_rejected(
    client: TestClient, keys: dict[str, str]
) -> None:
    batch = [
        _event(1),
        _event(2, user_id="u" * (MAX_ID_CHARS + 1)),
        _event(3, user_id="U\u202e1"),
        _event(4, item_id={"nested": True}),
        _event(5, user_id=["a", "b"]),
        _event(6, value=1e308),
    ]
    r = client.post(
        "/v1/events", json={"events": batch}, headers={"Authorization": f"Bearer {keys['ingest']}"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["rejected"]) == (1, 5)
    assert {(e["position"], e["reason"]) for e in body["errors"]} == {
        (2, "id_too_long"),
        (3, "bad_id"),
        (4, "bad_id"),
        (5, "bad_id"),
        (6, "out_of_range"),
    }
