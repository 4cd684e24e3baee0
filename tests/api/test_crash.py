"""A service killed (SIGKILL) in the middle of a stream of ingestion requests loses no
event it acknowledged: each batch commits before its reply."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from _support.server import ServerProcess
from seamline.api.keys import KeyStore
from seamline.workspace import Workspace

BATCH = 300


def _batch(sender: int, n: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"K{sender}-{n}-{i}",
            "user_id": f"KU{i % 50}",
            "item_id": f"F{i % 40:06d}",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-10-01T12:00:00Z",
        }
        for i in range(BATCH)
    ]


def test_acknowledged_events_survive_sigkill(demo_ws: Path, tmp_path: Path) -> None:
    _, key = KeyStore(demo_ws).create(["ingest", "read"])
    headers = {"Authorization": f"Bearer {key}"}
    with Workspace(demo_ws).connect() as con:
        before = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]

    acked: list[list[dict[str, Any]]] = []
    lock = threading.Lock()
    enough = threading.Event()
    server = ServerProcess(demo_ws, log_file=tmp_path / "server.log").start()

    problems: list[str] = []

    def send(sender: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
            for n in range(10_000):
                batch = _batch(sender, n)
                try:
                    r = c.post("/v1/events", json={"events": batch})
                except httpx.TransportError:
                    return  # the server is gone
                if r.status_code != 200 or r.json()["accepted"] != BATCH:
                    problems.append(f"{r.status_code}: {r.text[:300]}")
                    enough.set()
                    return
                with lock:
                    acked.append(batch)
                    if len(acked) >= 8:
                        enough.set()

    senders = [threading.Thread(target=send, args=(s,)) for s in range(3)]
    for t in senders:
        t.start()
    assert enough.wait(120), "the service acknowledged too few batches to test a crash"
    server.kill()  # mid-stream: the other senders have requests in flight
    for t in senders:
        t.join(60)

    assert problems == []
    ids = [e["event_id"] for batch in acked for e in batch]
    assert len(ids) >= 8 * BATCH
    # After a restart the service finds every acknowledged event: posting them again
    # yields only duplicates.
    again = ServerProcess(demo_ws, log_file=tmp_path / "server.log")
    with again, httpx.Client(base_url=again.url, headers=headers, timeout=60) as c:
        for batch in acked:
            r = c.post("/v1/events", json={"events": batch}).json()
            assert (r["accepted"], r["duplicates"]) == (0, BATCH)
    with Workspace(demo_ws).connect() as con:
        stored = con.execute(
            "SELECT count(*) FROM events WHERE event_id IN (SELECT unnest(?))", [ids]
        ).fetchone()[0]  # type: ignore[index]
        total = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
    assert stored == len(ids)
    # Unacknowledged in-flight batches may or may not have landed, but never in part.
    assert (total - before - len(ids)) % BATCH == 0
