"""Feature and segmentation benchmark, plus the ARI check on a 100,000-user world.

Speed: on a synthetic world (default 1M users, ~10M events) it ingests once, then runs
each job in a fresh subprocess (so peak RSS is the job's own) and reports the median of
--repeat runs: all feature families (`build_features`), segmentation (`run_segmentation`,
k auto), and, side by side, the RFM family in SQL against the same recency / frequency /
monetary definitions in pandas (data read from the same store).

Quality: `--ari` builds seeded worlds (default 100,000 users) and reports the adjusted Rand
index of K-means and Ward segments with k chosen automatically against truth/users.csv.

    python bench/features/run.py [--users 1000000] [--repeat 3]
    python bench/features/run.py --ari [--ari-users 100000] [--seeds 11]

Targets (issue 3): 1M users / 10M events in minutes; ARI >= 0.8 at 5,000 and 100,000 users.
Results go to bench/features/results.{md,json} (each mode updates its own part).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "features"
RESULTS = HERE / "results.json"
JOBS_ONLY: list[str] = []  # --jobs: run only these (e.g. after a failure, with --reuse)

JOB = r"""
import json, resource, sys, time
kind, ws_path, extra = sys.argv[1], sys.argv[2], sys.argv[3]
from seamline.workspace import Workspace
ws = Workspace(ws_path)
t0 = time.perf_counter()
info = {}
if kind == "ingest":
    f = json.loads(extra)
    s = ws.ingest(events=f["events"], items=f["items"], users=f["users"]).to_dict()
    info = {"rows": s["accepted"]}
elif kind == "features":
    from seamline.features import FeatureConfig, build_features
    r = build_features(ws, FeatureConfig(utc_offset_hours=8))
    info = {"users": r.users, "columns": len(r.columns), "family_seconds": r.family_seconds}
elif kind == "rfm_sql":
    from seamline.features import FeatureConfig, build_features
    r = build_features(ws, FeatureConfig(families=("rfm",), embedding_dim=0))
    info = {"users": r.users}
elif kind == "rfm_pandas":
    import pandas as pd
    with ws.connect(read_only=True) as con:
        ev = con.execute(
            'SELECT user_id, event_type, "timestamp" AS ts, value, session_id FROM events'
        ).df()
    as_of = ev.ts.max()
    buy = ev[ev.event_type.isin(["purchase", "enroll"])]
    g = ev.groupby("user_id").ts.agg(["min", "max"])
    b = buy.groupby("user_id").agg(
        last_buy=("ts", "max"), frequency=("session_id", "nunique"), monetary=("value", "sum")
    )
    out = g.join(b, how="left")
    out["recency_days"] = (as_of - out.last_buy).dt.total_seconds() / 86400
    out["frequency"] = out.frequency.fillna(0)
    buyers = out.frequency > 0
    for col, asc in (("recency_days", False), ("frequency", True), ("monetary", True)):
        pr = out.loc[buyers, col].rank(method="min", ascending=asc, pct=False)
        n = buyers.sum()
        out.loc[buyers, col + "_score"] = ((pr - 1) / max(n - 1, 1) * 5).clip(upper=4.999) // 1 + 1
    info = {"users": len(out)}
elif kind == "segment":
    from seamline.segments import SegmentConfig, run_segmentation
    r = run_segmentation(ws, SegmentConfig(method=extra))
    info = {"k": r["k"], "silhouette": r["silhouette"], "stability": r["stability"].get("ari_mean")}
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": rss, **info}))
"""


def job(kind: str, ws: Path, extra: str = "") -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", JOB, kind, str(ws), extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.exit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    # The job's result is its last JSON line (libraries may print before it).
    text = proc.stdout.replace("\r", "\n")  # progress bars redraw with carriage returns
    lines = [ln for ln in text.splitlines() if ln.startswith('{"seconds"')]
    if not lines:
        sys.exit(f"{kind} printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def world(users: int, seed: int) -> Path:
    from seamline.data.synthetic import generate_world

    shared = HERE.parent / "out" / "ingest" / f"world-{users}"  # the ingest bench's world
    if seed == 7 and (shared / "events.csv").exists() and (shared / "truth").exists():
        return shared
    folder = OUT / f"world-{users}-{seed}"
    if not (folder / "truth" / "world.json").exists():
        print(f"generating {users:,}-user world (seed {seed}) ...", flush=True)
        generate_world(users, seed, folder)
    return folder


def ingest(folder: Path, name: str) -> tuple[Path, dict]:
    ws = OUT / name
    shutil.rmtree(ws, ignore_errors=True)
    files = {t: str(folder / f"{t}.csv") for t in ("events", "items", "users")}
    return ws, job("ingest", ws, json.dumps(files))


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def speed(users: int, repeat: int, results: dict) -> dict:
    folder = world(users, 7)
    ws = OUT / f"ws-{users}"
    old = results.get("speed") or {}
    if "--reuse" in sys.argv and ws.exists() and old.get("users") == users:
        ing = old["ingest"]  # the workspace of the previous run, as it was ingested
    else:
        ws, ing = ingest(folder, f"ws-{users}")
    print(f"ingest: {ing['seconds']:.1f}s, {ing['rows']:,} events", flush=True)
    out: dict = {"users": users, "events": ing["rows"], "ingest": ing, "jobs": {}}
    if "--reuse" in sys.argv:
        out["jobs"] = old.get("jobs", {})
    results["speed"] = out
    # rfm_sql makes an RFM-only feature version, so the full features run after it.
    plan = [("rfm_sql", ""), ("rfm_pandas", ""), ("features", ""), ("segment", "kmeans"),
            ("segment", "hierarchical")]  # fmt: skip
    only = set(JOBS_ONLY)
    for kind, extra in plan:
        name = f"{kind}-{extra}" if extra else kind
        if only and name not in only:
            continue
        runs = [job(kind, ws, extra) for _ in range(1 if kind == "segment" else repeat)]
        out["jobs"][name] = {
            "seconds_median": round(median_of(runs, "seconds"), 2),
            "peak_rss_mb_median": round(median_of(runs, "peak_rss_mb")),
            "runs": runs,
        }
        print(f"{name}: {out['jobs'][name]['seconds_median']:.1f}s, "
              f"{out['jobs'][name]['peak_rss_mb_median']} MB", flush=True)  # fmt: skip
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # partial results survive
    if "--keep" not in sys.argv:
        shutil.rmtree(ws, ignore_errors=True)
    return out


def ari(users: int, seeds: list[int]) -> list[dict]:
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    from seamline.features import FeatureConfig, build_features
    from seamline.segments import SegmentConfig, export_assignment, run_segmentation
    from seamline.workspace import Workspace

    rows = []
    for seed in seeds:
        folder = world(users, seed)
        ws_path, _ = ingest(folder, f"ws-ari-{users}-{seed}")
        ws = Workspace(ws_path)
        build_features(ws, FeatureConfig(utc_offset_hours=8))
        truth = pd.read_csv(folder / "truth" / "users.csv").set_index("user_id")["segment"]
        for method in ("kmeans", "hierarchical"):
            t0 = time.perf_counter()
            r = run_segmentation(ws, SegmentConfig(method=method))
            secs = time.perf_counter() - t0
            got = pd.read_csv(export_assignment(ws, ws_path / "a.csv")).set_index("user_id")
            score = adjusted_rand_score(truth.loc[got.index], got["segment"])
            rows.append({"users": users, "seed": seed, "method": method, "k": r["k"],
                         "best_k_by": r["best_k_by"], "ari": round(float(score), 4),
                         "silhouette": r["silhouette"],
                         "stability": r["stability"].get("ari_mean"),
                         "seconds": round(secs, 1)})  # fmt: skip
            print(rows[-1], flush=True)
        shutil.rmtree(ws_path, ignore_errors=True)
    return rows


def write(results: dict) -> None:
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Features and segments benchmark", ""]
    lines.append(f"Machine: {results.get('machine', '')}. `python bench/features/run.py` "
                 "(speed) and `--ari` (quality); raw numbers in results.json.")  # fmt: skip
    s = results.get("speed")
    if s:
        j = s["jobs"]
        lines += ["", f"## Speed: {s['users']:,} users, {s['events']:,} events", "",
                  "| job | median s | peak RSS MB | runs |", "|---|---:|---:|---:|"]  # fmt: skip
        lines.append(f"| ingest (for reference) | {s['ingest']['seconds']:.1f} | "
                     f"{s['ingest']['peak_rss_mb']:.0f} | 1 |")  # fmt: skip
        for name, r in j.items():
            lines.append(f"| {name} | {r['seconds_median']:.1f} | {r['peak_rss_mb_median']} "
                         f"| {len(r['runs'])} |")  # fmt: skip
        sql, pdm = j["rfm_sql"]["seconds_median"], j["rfm_pandas"]["seconds_median"]
        rss_ratio = j["rfm_pandas"]["peak_rss_mb_median"] / j["rfm_sql"]["peak_rss_mb_median"]
        lines += ["", "Side by side (RFM: recency, frequency, monetary and quintile scores):", "",
                  "| | seconds | peak RSS MB |", "|---|---:|---:|",
                  f"| Seamline SQL (`families=('rfm',)`) | {sql:.1f} | "
                  f"{j['rfm_sql']['peak_rss_mb_median']} |",
                  f"| pandas groupby, same definitions | {pdm:.1f} | "
                  f"{j['rfm_pandas']['peak_rss_mb_median']} |",
                  f"| ratio pandas / SQL | {pdm / sql:.2f}x | {rss_ratio:.2f}x |"]  # fmt: skip
        fam = j["features"]["runs"][0].get("family_seconds", {})
        if fam:
            lines += ["", "Seconds per family (first run): "
                      + ", ".join(f"{k} {v:.1f}" for k, v in fam.items())]  # fmt: skip
    for note in results.get("notes", []):
        lines += ["", note]
    a = results.get("ari")
    if a:
        lines += ["", "## Planted segments recovered (k chosen automatically)", "",
                  "| users | seed | method | k | best k by (sil / CH / DB) | ARI | silhouette "
                  "| bootstrap ARI | seconds |",
                  "|---:|---:|---|---:|---|---:|---:|---:|---:|"]  # fmt: skip
        for r in a:
            b = r["best_k_by"]
            lines.append(
                f"| {r['users']:,} | {r['seed']} | {r['method']} | {r['k']} | "
                f"{b.get('silhouette')} / {b.get('calinski_harabasz')} / {b.get('davies_bouldin')}"
                f" | {r['ari']:.3f} | {r['silhouette']:.3f} | {r['stability']} | {r['seconds']} |"
            )
    (HERE / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ari", action="store_true")
    ap.add_argument("--ari-users", type=int, default=100_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11])
    ap.add_argument("--keep", action="store_true", help="keep the benchmark workspace")
    ap.add_argument("--reuse", action="store_true", help="reuse a kept workspace")
    ap.add_argument("--jobs", default="", help="comma-separated job names to run")
    ap.add_argument("--render", action="store_true", help="only rewrite results.md")
    args = ap.parse_args()
    JOBS_ONLY.extend(j for j in args.jobs.split(",") if j)
    OUT.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    if args.render:
        pass
    elif args.ari:
        results["ari"] = ari(args.ari_users, args.seeds)
    else:
        results["speed"] = speed(args.users, args.repeat, results)
    write(results)


if __name__ == "__main__":
    main()
