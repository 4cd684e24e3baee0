"""Cross-domain cold start on the public two-domain sets and the synthetic world.

    nice -n 10 .venv/bin/python bench/cross/run.py eval DATASET [--seeds 5] [--out DIR]
    nice -n 10 .venv/bin/python bench/cross/run.py speed [--users 20000]

`eval` runs `seamline.evaluate.cross` (the protocol of `seamline evaluate-cross`) in both
directions on one dataset: `douban` (book = knowledge <-> music = other), `amazon`
(clothing = fashion <-> sports = other), from ../shared/data, or `synthetic` (the 20,000-user
world, knowledge <-> fashion), and writes DIR/<dataset>.json (default bench/cross/results).
`table` prints results.md's tables from those files. `speed` fits the transfer blend on
the 20,000-user world and times single-user recommendations for users with no target
history (median of 500 calls), in wall-clock and in process CPU time (the shared machine's
load inflates wall-clock).
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


# `target_only` is `popular` by construction (the protocol's check, in the tests) and the
# MLP map is measured in `--models`-chosen runs: the shared machine's CPU is scarce.
MODELS = ("popular", "joint_ease", "joint_als", "xitem", "emcdr", "transfer")


def run_eval(name: str, seeds: int, out: Path, models: list[str]) -> None:
    """Seed by seed, both directions, merged into DIR/<dataset>.json after each (so an
    interrupted run keeps the seeds it finished)."""
    ws = workspace(name)
    a, b = SETS[name][2]
    out.mkdir(parents=True, exist_ok=True)
    events = {(s, t): load_events(ws, s, t) for s, t in ((a, b), (b, a))}
    done: dict[tuple[str, str], Any] = {}
    for seed in range(seeds):
        for (source, target), ev in events.items():
            r = evaluate_cross(ev, source, target, k=10, seeds=[seed], models=models)
            prev = done.get((source, target))
            if prev is not None:
                r.seeds = prev.seeds + r.seeds
            done[(source, target)] = r
            print(seed, source, target, {x["model"]: round(x.get("ndcg@10", -1), 4)
                                         for x in r.to_dict()["results"]}, flush=True)  # fmt: skip
        results = [d.to_dict() for d in done.values()]
        (out / f"{name}.json").write_text(json.dumps(results, indent=1))


def row(x: dict[str, Any]) -> str:
    if "error" in x:
        return f"| {x['model']} | failed: {x['error']} | | | | | |"
    cells = [x["ndcg@10"], x["ndcg@10_spread"], x["ndcg@10_se"], x["recall@10"]]
    return (
        f"| {x['model']} | " + " | ".join(f"{c:.4f}" for c in cells)
        + f" | {x.get('vs_popular', 0):.2f} | {x['fit_s']:.1f} |"
    )  # fmt: skip


OURS = ("xitem", "emcdr", "emcdr_mlp", "content", "transfer")
JOINT = ("joint_ease", "joint_als")


def floor(r: dict[str, Any]) -> str:
    """One line: the best transfer method against popularity and the best joint model."""
    got = {x["model"]: x for x in r["results"] if "ndcg@10" in x}
    ours = max((got[m] for m in OURS if m in got), key=lambda x: x["ndcg@10"], default=None)
    joint = max((got[m] for m in JOINT if m in got), key=lambda x: x["ndcg@10"], default=None)
    pop = got.get("popular")
    if ours is None or joint is None or pop is None:
        return "floor: not measured"
    gain = ours["ndcg@10"] - joint["ndcg@10"]
    spread = max(ours["ndcg@10_spread"], joint["ndcg@10_spread"])
    return (
        f"best Seamline method {ours['model']} {ours['ndcg@10']:.4f}: "
        f"{ours['ndcg@10'] / pop['ndcg@10']:.2f}x popular ({pop['ndcg@10']:.4f}), "
        f"{ours['ndcg@10'] / joint['ndcg@10']:.2f}x the best joint model {joint['model']} "
        f"({joint['ndcg@10']:.4f}); gain over it {gain:+.4f} vs seed spread {spread:.4f}"
    )


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
            print(f"\n{floor(r)}")


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
    print(
        f"transfer fit: wall median {statistics.median(fits):.1f} s of "
        f"{[round(f, 1) for f in fits]}; CPU median {statistics.median(cpu):.1f} s"
    )
    print(
        f"recommend 1 cold user, k=10, domain=fashion, with because: wall median "
        f"{statistics.median(lat):.2f} ms (p95 {np.percentile(lat, 95):.2f}); CPU median "
        f"{statistics.median(lat_cpu):.2f} ms (p95 {np.percentile(lat_cpu, 95):.2f})"
    )
    print(f"weights: {model.validation_}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["eval", "table", "speed"])
    p.add_argument("dataset", nargs="?", choices=list(SETS))
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--users", type=int, default=WORLD_USERS)
    p.add_argument("--fits", type=int, default=3)
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--models", default=",".join(MODELS))
    a = p.parse_args()
    if a.what == "eval":
        if a.dataset is None:
            raise SystemExit("eval needs a dataset: " + ", ".join(SETS))
        run_eval(a.dataset, a.seeds, a.out, a.models.split(","))
    elif a.what == "table":
        table(a.out)
    else:
        speed(a.users, a.fits)


if __name__ == "__main__":
    main()
