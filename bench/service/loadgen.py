"""A small load generator for the service: asyncio, keep-alive HTTP/1.1, run as its own process.

Plain asyncio streams rather than an HTTP client library: the generator shares the machine
with the server, so it must spend as little CPU per request as it can. It prints one JSON
line: requests, errors, seconds, throughput and latency percentiles (ms).

    python bench/service/loadgen.py recs --url http://127.0.0.1:8000 --key KEY \
        --users users.txt --seconds 10 --concurrency 16
    python bench/service/loadgen.py events --url ... --key KEY --events 200000 --batch 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from urllib.parse import urlparse


class Conn:
    """One keep-alive connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: str, body: bytes = b""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length) if length else b""
        return status, data


def summary(
    latencies: list[float], errors: int, seconds: float, extra: dict[str, object]
) -> dict[str, object]:
    lat = sorted(latencies)

    def q(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else float("nan")

    return {
        "requests": len(lat),
        "errors": errors,
        "seconds": round(seconds, 3),
        "per_second": round(len(lat) / seconds, 1) if seconds else 0.0,
        "p50_ms": q(0.50),
        "p90_ms": q(0.90),
        "p99_ms": q(0.99),
        "max_ms": round(lat[-1] * 1000, 2) if lat else float("nan"),
        **extra,
    }


async def recs(args: argparse.Namespace) -> dict[str, object]:
    u = urlparse(args.url)
    with open(args.users, encoding="utf-8") as f:
        users = [line.strip() for line in f if line.strip()]
    rng = random.Random(args.seed)
    headers = f"Authorization: Bearer {args.key}\r\n"
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + args.seconds
    domains = ["knowledge", "fashion"]
    rate = float(args.rate or 0)

    async def worker(i: int) -> None:
        nonlocal errors
        conn = Conn(u.hostname or "127.0.0.1", u.port or 80)
        n = 0
        while time.perf_counter() < deadline:
            user = rng.choice(users)
            path = f"/v1/users/{user}/recommendations?domain={domains[i % 2]}&k={args.k}"
            t = time.perf_counter()
            if rate:
                # Open loop: this worker's n-th request is due at a fixed time and its
                # latency counts from then, so a slow server cannot hide its queue (no
                # coordinated omission).
                due = started + (i + n * args.concurrency) / rate
                n += 1
                if due > t:
                    await asyncio.sleep(due - t)
                t = due
            try:
                status, _ = await conn.request("GET", path, headers)
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                errors += 1
                conn = Conn(u.hostname or "127.0.0.1", u.port or 80)
                continue
            if status == 200:
                latencies.append(time.perf_counter() - t)
            else:
                errors += 1

    await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
    extra = {"concurrency": args.concurrency, "offered_rate": rate or None}
    return summary(latencies, errors, time.perf_counter() - started, extra)


async def events(args: argparse.Namespace) -> dict[str, object]:
    u = urlparse(args.url)
    headers = f"Authorization: Bearer {args.key}\r\nContent-Type: application/json\r\n"
    n_batches = args.events // args.batch
    # Bodies are built before the clock starts: the generator measures the service.
    bodies = []
    for b in range(n_batches):
        evs = [
            {
                "event_id": f"LOAD-{args.run}-{b}-{i}",
                "user_id": f"LU{(b * 7919 + i) % 20000:06d}",
                "item_id": f"F{(b + i) % 500:06d}",
                "domain": "fashion" if i % 3 else "knowledge",
                "event_type": "view" if i % 5 else "click",
                "timestamp": f"2026-10-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                "session_id": f"LS{b}-{i // 10}",
                "channel": "app",
            }
            for i in range(args.batch)
        ]
        bodies.append(json.dumps({"events": evs, "batch_id": f"load-{args.run}-{b}"}).encode())
    latencies: list[float] = []
    errors = 0
    accepted = 0
    queue = list(range(n_batches))

    async def worker() -> None:
        nonlocal errors, accepted
        conn = Conn(u.hostname or "127.0.0.1", u.port or 80)
        while queue:
            b = queue.pop()
            t = time.perf_counter()
            try:
                status, data = await conn.request("POST", "/v1/events", headers, bodies[b])
            except (ConnectionError, OSError, asyncio.IncompleteReadError):
                errors += 1
                conn = Conn(u.hostname or "127.0.0.1", u.port or 80)
                continue
            if status == 200:
                latencies.append(time.perf_counter() - t)
                accepted += json.loads(data)["accepted"]
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    seconds = time.perf_counter() - started
    out = summary(
        latencies, errors, seconds, {"concurrency": args.concurrency, "batch": args.batch}
    )
    out["events_sent"] = n_batches * args.batch
    out["events_accepted"] = accepted
    out["events_per_second"] = round(accepted / seconds, 1) if seconds else 0.0
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recs")
    r.add_argument("--users", required=True)
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("--k", type=int, default=10)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--rate", type=float, default=0, help="offered requests/s (0: closed loop)")
    e = sub.add_parser("events")
    e.add_argument("--events", type=int, default=200_000)
    e.add_argument("--batch", type=int, default=5_000)
    e.add_argument("--run", default="0")
    for s in (r, e):
        s.add_argument("--url", required=True)
        s.add_argument("--key", required=True)
        s.add_argument("--concurrency", type=int, default=8)
    args = p.parse_args()
    result = asyncio.run(recs(args) if args.mode == "recs" else events(args))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
