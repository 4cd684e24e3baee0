"""Wide events through the running service: a batch of 1,000 events with 5,000 distinct
extra keys in all (5 per event), posted to `seamline serve` on loopback, repeated.

Before the fix one such batch took minutes (one column per distinct key, quadratic); the
goal is an answer within 2 s. Writes wide-events.json and wide-events.md beside this file.

    .venv/bin/python bench/service/wide_events.py [--repeats 5] [--users 300]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the child-process server is a test helper

GOAL_SECONDS = 2.0


def batch(run: int, events: int, keys_per_event: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"WIDE{run}-{i}",
            "user_id": f"U{i % 300 + 1:07d}",
            "item_id": "F000001",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-09-01T10:00:00Z",
            **{f"k{run}_{i}_{j}": f"v{j}" for j in range(keys_per_event)},
        }
        for i in range(events)
    ]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--users", type=int, default=300)
    p.add_argument("--events", type=int, default=1000)
    p.add_argument("--keys-per-event", type=int, default=5)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "service-wide")
    args = p.parse_args()

    import httpx

    from _support.server import ServerProcess, demo_workspace
    from seamline.api.keys import KeyStore

    ws = args.out / "ws"
    if not (ws / "seamline.duckdb").exists():
        demo_workspace(args.out, n_users=args.users, seed=7)
    _, key = KeyStore(ws).create(["ingest"], name="bench-wide")
    seconds: list[float] = []
    with ServerProcess(ws) as srv, httpx.Client(timeout=600) as http:
        for run in range(args.repeats):
            body = {"events": batch(run, args.events, args.keys_per_event)}
            t0 = time.perf_counter()
            r = http.post(
                srv.url + "/v1/events", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            seconds.append(time.perf_counter() - t0)
            r.raise_for_status()
            assert r.json()["accepted"] == args.events, r.text
            print(f"run {run + 1}: {seconds[-1]:.3f} s", flush=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "events": args.events,
        "distinct_extra_keys": args.events * args.keys_per_event,
        "seconds": [round(s, 3) for s in seconds],
        "median_seconds": round(statistics.median(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "goal_seconds": GOAL_SECONDS,
        "pass": max(seconds) < GOAL_SECONDS,
    }
    (HERE / "wide-events.json").write_text(json.dumps(result, indent=2) + "\n")
    (HERE / "wide-events.md").write_text(
        "# Wide events through the service\n\n"
        f"One batch of {args.events:,} events with {result['distinct_extra_keys']:,} distinct "
        f"extra keys, posted {args.repeats} times to `seamline serve` on loopback "
        f"({result['machine']['cpus']} CPUs, {result['when']}).\n\n"
        f"| median | max | goal |\n|---|---|---|\n| {result['median_seconds']} s | "
        f"{result['max_seconds']} s | < {GOAL_SECONDS} s |\n\n"
        "Regenerate: `.venv/bin/python bench/service/wide_events.py`.\n"
    )
    print("PASS" if result["pass"] else "FAIL", json.dumps(result))


if __name__ == "__main__":
    main()
