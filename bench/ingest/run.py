"""Ingest benchmark: Seamline's validated ingest vs a bare DuckDB load of the same file.

Writes a synthetic world (1M users, ~10M events) once, converts its events to Parquet, then
runs each job in a fresh subprocess (so peak RSS is the job's own) and reports the median
of --repeat runs, side by side, in bench/ingest/results.{md,json}.

    python bench/ingest/run.py [--users 1000000] [--repeat 3]

Floor (issue 2): Seamline >= 0.5x bare DuckDB's events/s; peak RSS < 6 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "ingest"

# Each job runs in its own interpreter and prints {"seconds", "rows", "peak_rss_mb"}.
JOB = r"""
import json, resource, sys, time
kind, fmt, src, db = sys.argv[1:5]
t0 = time.perf_counter()
if kind == "duckdb":
    import duckdb
    con = duckdb.connect(db)
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    con.execute(f"CREATE TABLE events AS SELECT * FROM {reader}('{src}')")
    rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
else:
    from seamline import Workspace
    s = Workspace(db).ingest(events=src).to_dict()
    rows = s["accepted"]
    assert s["rows"] == s["accepted"] + s["rejected"] + s["duplicates"]
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mb": rss}))
"""


def prepare(users: int) -> tuple[Path, Path]:
    from seamline.data.synthetic import generate_world

    world = OUT / f"world-{users}"
    csv = world / "events.csv"
    if not csv.exists():
        print(f"generating {users:,}-user world in {world} ...", flush=True)
        generate_world(users, 7, world)
    parquet = world / "events.parquet"
    if not parquet.exists():
        import duckdb

        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{csv}', all_varchar=true)) "
            f"TO '{parquet}' (FORMAT parquet)"
        )
    return csv, parquet


def run_job(kind: str, fmt: str, src: Path) -> dict[str, float]:
    target = OUT / f"target-{kind}-{fmt}"
    shutil.rmtree(target, ignore_errors=True)
    db = str(target / "bare.duckdb") if kind == "duckdb" else str(target)
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", JOB, kind, fmt, str(src), db],
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(target, ignore_errors=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    csv, parquet = prepare(args.users)
    rows: list[dict[str, object]] = []
    for fmt, src in (("csv", csv), ("parquet", parquet)):
        runs: dict[str, list[dict[str, float]]] = {"duckdb": [], "seamline": []}
        for i in range(args.repeat):  # interleaved, so drift hits both sides alike
            for kind in runs:
                r = run_job(kind, fmt, src)
                runs[kind].append(r)
                print(
                    f"{fmt} {kind} run {i + 1}: {r['seconds']:.2f}s "
                    f"{r['rows']:,.0f} rows, peak {r['peak_rss_mb']:,.0f} MiB",
                    flush=True,
                )
        med = {k: statistics.median(x["seconds"] for x in v) for k, v in runs.items()}
        for kind, v in runs.items():
            n = v[0]["rows"]
            rows.append(
                {
                    "format": fmt,
                    "loader": kind,
                    "rows": int(n),
                    "median_seconds": round(med[kind], 2),
                    "events_per_s": round(n / med[kind]),
                    "peak_rss_mb": round(max(x["peak_rss_mb"] for x in v)),
                    "throughput_vs_duckdb": round(med["duckdb"] / med[kind], 3),
                }
            )
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "users": args.users,
        "repeat": args.repeat,
        "machine": f"{platform.machine()}, {_cores()} cores",
        "rows": rows,
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (HERE / "results.md").write_text(_markdown(result))
    print(_markdown(result))


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _markdown(r: dict[str, object]) -> str:
    lines = [
        f"# Ingest benchmark ({r['date']}, {r['machine']})",
        "",
        f"Synthetic world of {r['users']:,} users; median of {r['repeat']} interleaved runs, "
        "each in a fresh process. `duckdb` = bare `CREATE TABLE AS SELECT * FROM "
        "read_csv/read_parquet`; `seamline` = validation, rejects, dedupe, bot flags, store.",
        "",
        "| format | loader | rows | median s | events/s | x bare DuckDB | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for x in r["rows"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {x['format']} | {x['loader']} | {x['rows']:,} | "
            f"{x['median_seconds']} | {x['events_per_s']:,} | "
            f"{x['throughput_vs_duckdb']} | {x['peak_rss_mb']:,} |"
        )
    lines += ["", "Floor: seamline >= 0.5x bare DuckDB throughput, peak RSS < 6 GiB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
