"""Cross-domain cold start on the public two-domain sets and the synthetic world.

    nice -n 10 .venv/bin/python bench/cross/run.py eval DATASET [--seeds 5] [--out DIR]
    nice -n 10 .venv/bin/python bench/cross/run.py speed [--users 20000]

`eval` runs `seamline.evaluate.cross` (the protocol of `seamline evaluate-cross`) in both
directions on one dataset: `douban` (book = knowledge <-> music = other), `amazon`
(clothing = fashion <-> sports = other), from ../shared/data, or `synthetic` (the 20,000-user
world, knowledge <-> fashion), and writes DIR/<dataset>.json. `table` prints results.md's
tables from those files. `speed` fits the transfer blend on the 20,000-user world and times
single-user recommendations for users with no target history (median of 500 calls), in
wall-clock and in process CPU time (the shared machine's load inflates wall-clock).
Workspaces are cached under $TMPDIR/seamline-bench-cross.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from seamline.data.dataset import Interactions
from seamline.data.synthetic import generate_world
from seamline.evaluate.cross import evaluate_cross, load_events
from seamline.recommend.registry import make
from seamline.workspace import Workspace

HERE = Path(__file__).parent
DATA = Path(os.environ.get("SEAMLINE_DATA", HERE.parents[1] / ".." / "shared" / "data"))
CACHE = Path(tempfile.gettempdir()) / "seamline-bench-cross"
SETS = {
    "douban": ("douban-book-music", "douban-book-music", ("knowledge", "other")),
    "amazon": ("amazon-cloth-sport", "amazon-cloth-sport", ("fashion", "other")),
    "synthetic": (None, None, ("knowledge", "fashion")),
}
WORLD_USERS = 20_000


def workspace(name: str) -> Workspace:
    dataset, folder, _ = SETS[name]
    path = CACHE / name
    if (path / "done").exists():
        return Workspace(path / "ws")
    ws = Workspace(path / "ws")
    if dataset is None:
        world = path / "world"
        generate_world(WORLD_USERS, 0, world)
        ws.ingest(events=world / "events.csv", items=world / "items.csv",
                  users=world / "users.csv")  # fmt: skip
    else:
        ws.ingest_dataset(dataset, DATA / str(folder))
    (path / "done").write_text("")
    return ws


HEAD = "| model | NDCG@10 mean | spread (sd, seeds) | ± se | Recall@10 | × popular | fit s |"


def run_eval(name: str, seeds: int, out: Path) -> None:
    ws = workspace(name)
    a, b = SETS[name][2]
    results = []
    for source, target in ((a, b), (b, a)):
        events = load_events(ws, source, target)
        r = evaluate_cross(events, source, target, k=10, seeds=range(seeds)).to_dict()
        results.append(r)
        print(json.dumps({x["model"]: round(x.get("ndcg@10", -1), 4) for x in r["results"]}))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1))


def row(x: dict[str, Any]) -> str:
    if "error" in x:
        return f"| {x['model']} | failed: {x['error']} | | | | | |"
    cells = [x["ndcg@10"], x["ndcg@10_spread"], x["ndcg@10_se"], x["recall@10"]]
    return (
        f"| {x['model']} | " + " | ".join(f"{c:.4f}" for c in cells)
        + f" | {x.get('vs_popular', 0):.2f} | {x['fit_s']:.1f} |"
    )  # fmt: skip


def table(out: Path) -> None:
    for name in SETS:
        f = out / f"{name}.json"
        if not f.exists():
            continue
        for r in json.loads(f.read_text()):
            print(f"\n### {name}: {r['source']} -> {r['target']}\n")
            print(f"{r['users']} cold users of {r['shared_users']} shared, seeds {r['seeds']}\n")
            print(HEAD)
            print("|---|---|---|---|---|---|---|")
            for x in r["results"]:
                print(row(x))


def speed(users: int, fits_n: int = 3) -> None:
    ws = workspace("synthetic") if users == WORLD_USERS else None
    if ws is None:
        raise SystemExit("speed runs on the cached 20,000-user world")
    data = Interactions.from_workspace(ws)
    fits, cpu = [], []
    for _ in range(fits_n):
        t0, c0 = time.perf_counter(), time.process_time()
        model = make("transfer").fit(data)
        fits.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    X = data.matrix()
    dom = np.asarray(data.item_domain, dtype=object)
    fashion = np.asarray((X[:, dom == "fashion"] > 0).sum(axis=1)).ravel()
    cold = [data.users.ids[u] for u in np.flatnonzero(fashion == 0)]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(cold), size=500)
    lat, lat_cpu = [], []
    for p in picks:
        t0, c0 = time.perf_counter(), time.process_time()
        model.recommend([cold[p]], k=10, domain="fashion")
        lat.append((time.perf_counter() - t0) * 1000)
        lat_cpu.append((time.process_time() - c0) * 1000)
    print(
        f"world: {data.n_users} users x {data.n_items} items, {data.n_events} events; "
        f"{len(cold)} users without fashion history"
    )
    print(f"transfer fit: median {statistics.median(fits):.1f} s of {[round(f, 1) for f in fits]}")
    print(
        f"recommend 1 cold user, k=10, domain=fashion, with because: median "
        f"{statistics.median(lat):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms"
    )
    print(f"weights: {model.validation_}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["eval", "table", "speed"])
    p.add_argument("dataset", nargs="?", choices=list(SETS))
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--users", type=int, default=WORLD_USERS)
    p.add_argument("--fits", type=int, default=3)
    p.add_argument("--out", type=Path, default=HERE / "out")
    a = p.parse_args()
    if a.what == "eval":
        if a.dataset is None:
            raise SystemExit("eval needs a dataset: " + ", ".join(SETS))
        run_eval(a.dataset, a.seeds, a.out)
    elif a.what == "table":
        table(a.out)
    else:
        speed(a.users, a.fits)


if __name__ == "__main__":
    main()
