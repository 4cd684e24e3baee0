"""One writer at a time: concurrent batches through the service's workspace lose nothing
and count every overlap once, while reads go on beside them."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from seamline.api.service import ServiceWorkspace
from seamline.data.records import ingest_records


def _events(ids: range) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"C{i}",
            "user_id": f"CU{i % 13}",
            "item_id": "F000001",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-10-01T00:00:00Z",
        }
        for i in ids
    ]


def test_concurrent_batches_and_reads(demo_ws: Path) -> None:
    ws = ServiceWorkspace(demo_ws).open()
    try:
        with ws.connect(read_only=True) as con:
            before = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
        results: list[dict[str, Any]] = []
        reads: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def writer(w: int) -> None:
            try:
                for b in range(6):
                    # Writers overlap: each batch shares half its ids with another writer's.
                    start = (w * 6 + b) * 100
                    r = ingest_records(ws, _events(range(start, start + 200)), f"t{w}-{b}")
                    with lock:
                        results.append(r)
            except BaseException as e:
                errors.append(e)

        def reader() -> None:
            try:
                for _ in range(30):
                    with ws.connect(read_only=True) as con:
                        n = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
                    reads.append(int(n))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        threads.append(threading.Thread(target=reader))
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        unique = len(
            {
                i
                for w in range(4)
                for b in range(6)
                for i in range((w * 6 + b) * 100, (w * 6 + b) * 100 + 200)
            }
        )
        assert sum(r["accepted"] for r in results) == unique
        assert sum(r["accepted"] + r["duplicates"] for r in results) == 24 * 200
        with ws.connect(read_only=True) as con:
            after = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
            committed = [
                int(r[0])
                for r in con.execute(
                    "SELECT accepted FROM ingests WHERE file LIKE 't%' ORDER BY ingest_id"
                ).fetchall()
            ]
        assert after - before == unique
        # Reads saw whole batches only: every count read is the store after some number of
        # batches, in commit order (the ingest log), never part of one.
        totals = {before + sum(committed[:i]) for i in range(len(committed) + 1)}
        assert set(reads) <= totals
        assert reads == sorted(reads)
    finally:
        ws.close()
