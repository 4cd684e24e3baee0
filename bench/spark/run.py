"""DuckDB against Spark local[2]: ingest + features + ALS on 1M, 3M and 10M-event worlds.

For each size a seeded synthetic world (events / 10 users) is written and ingested once
(ingestion runs in the workspace, DuckDB; its time is reported for both). Then each job runs
in a fresh subprocess, one engine after the other on the same workspace, while the parent
samples the resident memory of the whole process tree every 0.1 s (the JVM that pyspark
starts is a child, so it counts):

- features: every family (`build_features`, text embedding off), `--engine duckdb` vs
  `--engine spark --master local[2]` (Spark's time includes JVM start and Parquet staging);
- ALS: 32 factors, 10 iterations on all events, implicit vs MLlib (same hyper-parameters).

    nice -n 10 python bench/spark/run.py --events 1000000 3000000 [10000000]

Results: bench/spark/results.json (merged per size); it prints the table of results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "spark"
RESULTS = HERE / "results.json"

JOB = r"""
import json, sys, time
kind, engine, ws_path, memory = sys.argv[1:5]
from seamline.engine import EngineConfig
from seamline.workspace import Workspace
ws = Workspace(ws_path)
t0 = time.perf_counter()
info = {}
eng = EngineConfig(name=engine, master="local[2]" if engine == "spark" else None,
                   conf={"spark.driver.memory": memory} if engine == "spark" else {})
if kind == "features":
    from seamline.features import FeatureConfig, build_features
    r = build_features(ws, FeatureConfig(utc_offset_hours=8, embedding_dim=0), engine=eng)
    info = {"users": r.users, "columns": len(r.columns)}
elif kind == "ingest":  # the world's files into a fresh workspace, validation on `engine`
    import shutil
    from pathlib import Path
    fresh, world = Path(ws_path).parent / f"ingest-{engine}", Path(ws_path).parent / "world"
    shutil.rmtree(fresh, ignore_errors=True)
    s = Workspace(fresh).ingest(**{t: world / f"{t}.csv" for t in ("events", "items", "users")},
                                engine=eng).to_dict()
    shutil.rmtree(fresh)
    info = {k: s[k] for k in ("rows", "accepted", "rejected", "duplicates")}
elif kind == "als":
    from seamline.data.dataset import Interactions
    from seamline.recommend.registry import make
    data = Interactions.from_workspace(ws)
    if engine == "spark":  # the session MLlib then uses, with the bench's settings
        from seamline.engine.spark import spark_session
        spark_session(eng)
    t0 = time.perf_counter()  # the fit alone: loading the matrix is shared
    m = make("als", factors=32, iterations=10, engine="spark" if engine == "spark" else "implicit")
    m.fit(data)
    info = {"users": data.n_users, "items": data.n_items, "nnz": int(data.matrix().nnz)}
print(json.dumps({"seconds": round(time.perf_counter() - t0, 2), **info}))
"""


def _tree_sample(proc: psutil.Process, cpu: dict[int, float]) -> int:
    """Resident memory of the process tree now; records each process's CPU seconds."""
    total = 0
    try:
        tree = [proc, *proc.children(recursive=True)]
    except psutil.Error:  # the job ended while its children were listed
        return 0
    for p in tree:
        with contextlib.suppress(psutil.Error):  # a child that just ended
            total += p.memory_info().rss
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
    return total


def run_job(args: list[str], src: Path) -> dict:
    """Run a job, returning its JSON line plus wall time and peak RSS of its process tree."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    ps = psutil.Process(proc.pid)
    peak = [0]
    cpu: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_sample(ps, cpu))
            time.sleep(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"job {args[1:]} failed:\n{err.decode()[-3000:]}")
    line = out.decode().strip().splitlines()[-1]
    # CPU seconds of the whole tree (JVM included): less sensitive than wall time to what
    # else the machine runs; the last 0.1 s before each process ended is not seen.
    return {**json.loads(line), "wall_s": round(time.perf_counter() - t0, 2),
            "cpu_s": round(sum(cpu.values()), 1), "peak_mb": round(peak[0] / 2**20),
            "load": round(os.getloadavg()[0], 1)}  # fmt: skip


def world(events: int) -> Path:
    """The ingested workspace of a world with about `events` events (made once)."""
    from seamline.data.synthetic import generate_world
    from seamline.workspace import Workspace

    base = OUT / f"{events}"
    ws_dir = base / "ws"
    if (base / "ingest.json").exists():
        return ws_dir
    t0 = time.perf_counter()
    generate_world(events // 10, 42, base / "world")
    made = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = Workspace(ws_dir).ingest(
        events=base / "world" / "events.csv", items=base / "world" / "items.csv",
        users=base / "world" / "users.csv",
    ).to_dict()  # fmt: skip
    info = {"generate_s": round(made, 1), "ingest_s": round(time.perf_counter() - t0, 1),
            "accepted": s.get("accepted")}  # fmt: skip
    (base / "ingest.json").write_text(json.dumps(info))
    return ws_dir


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, nargs="+", default=[1_000_000, 3_000_000])
    ap.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    # ingest: the world's CSV files into a fresh workspace, validation on each engine
    ap.add_argument("--jobs", nargs="+", default=["features", "als"])
    # Spark's heap in local mode (driver = executor); DuckDB's workspace limit is 3 GB.
    ap.add_argument("--spark-memory", default="3g")
    ap.add_argument(
        "--src",
        type=Path,
        default=HERE.parents[1] / "src",
        help="sources to time (another checkout's, for a before/after)",
    )
    ap.add_argument("--results", type=Path, default=RESULTS)
    a = ap.parse_args()
    results = json.loads(a.results.read_text()) if a.results.exists() else {"sizes": {}}
    for n in a.events:
        ws = world(n)
        row = {"ingest": json.loads((ws.parent / "ingest.json").read_text())}
        for job in a.jobs:
            for engine in a.engines:
                args = [JOB, job, engine, str(ws), a.spark_memory]
                row[f"{job}_{engine}"] = r = run_job(args, a.src)
                print(n, job, engine, r, flush=True)
        row["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        results["sizes"][str(n)] = {**results["sizes"].get(str(n), {}), **row}
        results["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, shared"
        a.results.write_text(json.dumps(results, indent=2))
    write_md(results)


def write_md(results: dict) -> None:
    """Print the tables of results.md: the runs, then a fit t = a + b * events per job."""
    lines = [
        "| events | ingest s | features wall s duckdb / spark | CPU s | peak MB "
        "| ALS fit s implicit / MLlib | ALS job CPU s | ALS peak MB | load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    sizes = sorted(results["sizes"].items(), key=lambda kv: int(kv[0]))

    def pair(jobs: list[dict], key: str) -> str:
        return " / ".join(str(j.get(key, "-")) for j in jobs)

    for n, r in sizes:
        f = [r.get("features_duckdb", {}), r.get("features_spark", {})]
        a = [r.get("als_duckdb", {}), r.get("als_spark", {})]
        loads = [j.get("load") for j in (*f, *a) if j.get("load") is not None]

        lines.append(
            f"| {int(n):,} | {r['ingest']['ingest_s']} | {pair(f, 'wall_s')} | {pair(f, 'cpu_s')} "
            f"| {pair(f, 'peak_mb')} | {pair(a, 'seconds')} | {pair(a, 'cpu_s')} "
            f"| {pair(a, 'peak_mb')} | {min(loads, default='-')}-{max(loads, default='-')} |"
        )
    timed = [(n, r) for n, r in sizes if "ingest_spark" in r]
    if timed:
        lines += ["", "| events | ingest wall s duckdb / spark | CPU s | peak MB | rows accepted |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for n, r in timed:
            i = [r.get("ingest_duckdb", {}), r["ingest_spark"]]
            lines.append(f"| {int(n):,} | {pair(i, 'wall_s')} | {pair(i, 'cpu_s')} "
                         f"| {pair(i, 'peak_mb')} | {pair(i, 'accepted')} |")  # fmt: skip
    lines += ["", "| job | engine | measure | a (fixed, s) | b (s per 1M events) | points |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for job, key in (("features", "wall_s"), ("features", "cpu_s"), ("als", "seconds"),
                     ("als", "cpu_s")):  # fmt: skip
        for engine in ("duckdb", "spark"):
            pts = [(int(n), r[f"{job}_{engine}"][key]) for n, r in sizes
                   if key in r.get(f"{job}_{engine}", {})]  # fmt: skip
            if len(pts) < 2:
                continue
            x = np.array([p[0] for p in pts], dtype=float) / 1e6
            slope, icpt = np.polyfit(x, np.array([p[1] for p in pts], dtype=float), 1)
            lines.append(f"| {job} | {engine} | {key} | {icpt:.1f} | {slope:.1f} | {len(pts)} |")
    print("\n".join(lines))  # the tables of results.md


if __name__ == "__main__":
    main()
