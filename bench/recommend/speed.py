"""Recommender speed benchmark: fit time, peak memory and single-user latency per model.

Writes a synthetic interaction log once (default 1M users x 100k items x 10M distinct
(user, item) pairs; item popularity Zipf-like, user activity log-normal), then fits each
model in a fresh process so that peak RSS (ru_maxrss) is that model's own, and times
`recommend([user], k=10)` for single users drawn at random (median over --latency-users).
A model that refuses the scale (e.g. EASE needs an items x items dense matrix: 80 GB at
100k items) is reported as refused with its reason.

    python bench/recommend/speed.py [--users 1000000 --items 100000 --pairs 10000000]
        [--models mostpop,itemknn,...] [--out bench/recommend/speed-results.json]

Results: bench/recommend/speed-results.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "recommend"

WORKER = r"""
import json, resource, sys, time, statistics
import numpy as np, pandas as pd

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

name, path, n_lat, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
from seamline.data.dataset import Interactions
from seamline.recommend.registry import make
from seamline.errors import SeamlineError
out = {"model": name, "params": params}
t = time.perf_counter()
frame = pd.read_parquet(path)
data = Interactions.from_frame(frame)
del frame
out["load_s"] = time.perf_counter() - t
out["rss_before_fit_mb"] = rss()
try:
    model = make(name, **params)
    t = time.perf_counter()
    model.fit(data)
    out["fit_s"] = time.perf_counter() - t
except (SeamlineError, MemoryError) as e:
    out["refused"] = f"{type(e).__name__}: {e}"
    out["rss_peak_mb"] = rss()
    print(json.dumps(out)); sys.exit(0)
out["rss_peak_fit_mb"] = rss()
rng = np.random.default_rng(0)
users = [data.users.id(int(r)) for r in rng.integers(0, data.n_users, n_lat)]
lat = []
for u in users:
    t = time.perf_counter()
    model.recommend([u], k=10)
    lat.append((time.perf_counter() - t) * 1000)
out["latency_ms_median"] = statistics.median(lat)
out["latency_ms_p95"] = float(np.percentile(lat, 95))
out["rss_peak_mb"] = rss()
print(json.dumps(out))
"""


def make_log(path: Path, users: int, items: int, pairs: int, seed: int = 0) -> dict[str, int]:
    """Distinct (user, item) pairs with Zipf-like item popularity and log-normal activity."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, items + 1) ** 0.9
    pop /= pop.sum()
    act = rng.lognormal(0.0, 1.0, users)
    counts = np.minimum(np.maximum(1, np.round(act / act.sum() * pairs * 1.08)), items // 2)
    u = np.repeat(np.arange(users, dtype=np.int64), counts.astype(np.int64))
    i = rng.choice(items, size=len(u), p=pop).astype(np.int64)
    key = np.unique(u * items + i)  # drop repeated pairs, keep `pairs` of them
    key = rng.permutation(key)[:pairs]
    key.sort()
    u, i = key // items, key % items
    ts = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 180 * 86_400, len(u)), unit="s"
    )
    frame = pd.DataFrame(
        {
            "user_id": "u" + pd.Series(u).astype("string[pyarrow]"),
            "item_id": "i" + pd.Series(i).astype("string[pyarrow]"),
            "domain": np.where(i % 2 == 0, "fashion", "knowledge"),
            "event_type": "click",
            "timestamp": ts,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return {"users": len(np.unique(u)), "items": len(np.unique(i)), "pairs": len(u)}


def run_worker(name: str, path: Path, n_lat: int, params: dict, timeout: float) -> dict:
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", WORKER, name, str(path), str(n_lat), json.dumps(params)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"model": name, "refused": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
        return {"model": name, "error": f"rc={proc.returncode}: {tail[0]}", "wall_s": wall}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall_s"] = wall
    return res


def render(res: dict) -> str:
    d = res["data"]
    lines = [
        "# Recommender speed benchmark",
        "",
        f"- date: {res['date']}; machine: {res['machine']}",
        f"- data: {d['users']:,} users x {d['items']:,} items, {d['pairs']:,} distinct "
        "(user, item) pairs (synthetic, Zipf-like item popularity, log-normal activity)",
        "- each model fits in a fresh process; peak RSS = that process's high-water mark "
        "(data loading included); latency = `recommend([user], k=10)` for random single "
        f"users, median of {res['latency_users']}",
        "",
        "| model | fit s | load s | peak RSS fit MiB | RSS before fit MiB | latency median ms "
        "| p95 ms | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in res["results"]:
        note = r.get("refused") or r.get("error") or ""
        if "fit_s" in r:
            lines.append(
                f"| {r['model']} | {r['fit_s']:.1f} | {r['load_s']:.1f} | "
                f"{r['rss_peak_fit_mb']:,.0f} | {r['rss_before_fit_mb']:,.0f} | "
                f"{r['latency_ms_median']:.2f} | {r['latency_ms_p95']:.2f} | {note} |"
            )
        else:
            lines.append(f"| {r['model']} | — | — | — | — | — | — | {note} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=10_000_000)
    ap.add_argument("--models", default="mostpop,itemknn,userknn,als,bpr,ease")
    ap.add_argument("--params", default="{}", help='JSON {"model": {param: value}}')
    ap.add_argument("--latency-users", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--out", type=Path, default=HERE / "speed-results.json")
    args = ap.parse_args()
    path = OUT / f"log-{args.users}-{args.items}-{args.pairs}.parquet"
    meta = path.with_suffix(".json")
    if not path.exists():
        print(f"writing {path} ...", file=sys.stderr, flush=True)
        meta.write_text(json.dumps(make_log(path, args.users, args.items, args.pairs)))
    data = json.loads(meta.read_text())
    params = json.loads(args.params)
    results = []
    for name in args.models.split(","):
        print(f"{name} ...", file=sys.stderr, flush=True)
        r = run_worker(name, path, args.latency_users, params.get(name, {}), args.timeout)
        print(f"  {r}", file=sys.stderr, flush=True)
        results.append(r)
    res = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores",
        "data": data,
        "latency_users": args.latency_users,
        "results": results,
    }
    args.out.write_text(json.dumps(res, indent=1))
    args.out.with_suffix(".md").write_text(render(res))
    print(render(res))


if __name__ == "__main__":
    main()
