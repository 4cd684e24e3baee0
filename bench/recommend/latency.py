"""Recommender speed on ml-100k: fit seconds and single-user recommend() latency.

    .venv/bin/python bench/recommend/latency.py [DATA_DIR] [--two-stage-only]
        (DATA_DIR defaults to ../shared/data/ml-100k)

Each model is fitted `FITS` times (median reported); latency is the median over 500
recommend([user], k=10) calls for random known users, with explanations, as the REST
service calls it. Two stages: EASE's 300 candidates re-ranked by a DeepFM trained in the
workspace (`seamline fit-ranker`), the path the service takes for a known user when a
ranker is trained; 500 calls, one CPU thread. Writes nothing; paste the tables into
latency.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seamline.data.dataset import Interactions
from seamline.recommend.registry import MODELS, make
from seamline.workspace import Workspace

FITS = 3
CALLS = 500
PARAMS = {"ease": {"l2": 500.0, "recent_half_life": 5.0}, "itemknn": {"k": 200}}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data_dir = Path(args[0] if args else "../shared/data/ml-100k")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        ws.ingest_dataset("movielens-100k", data_dir)
        t0 = time.perf_counter()
        data = Interactions.from_workspace(ws)
        load_s = time.perf_counter() - t0
        two_stage(ws, data)
        if "--two-stage-only" in sys.argv:
            return
    print(f"ml-100k: {data.n_users} users x {data.n_items} items, {data.n_events} events; "
          f"Interactions.from_workspace {load_s:.2f} s")  # fmt: skip
    print("| model | fit s (median of 3) | recommend 1 user, k=10: median ms | p95 ms |")
    print("|---|---|---|---|")
    rng = np.random.default_rng(0)
    users = [data.users.id(int(r)) for r in rng.integers(0, data.n_users, CALLS)]
    for name in MODELS:
        fits = []
        for _ in range(FITS):
            t0 = time.perf_counter()
            m = make(name, **PARAMS.get(name, {})).fit(data)
            fits.append(time.perf_counter() - t0)
        m.recommend(users[:5], k=10)  # warm caches
        lat = []
        for u in users:
            t0 = time.perf_counter()
            m.recommend([u], k=10)
            lat.append((time.perf_counter() - t0) * 1e3)
        p95 = float(np.percentile(lat, 95))
        print(f"| {name} | {statistics.median(fits):.2f} | {statistics.median(lat):.2f} | "
              f"{p95:.2f} |")  # fmt: skip


def two_stage(ws: Workspace, data: Interactions) -> None:
    import torch

    from seamline.recommend import store
    from seamline.recommend.rank.store import fit_ranker, load_ranker

    torch.set_num_threads(1)
    store.fit_models(ws, ["ease"], params={"ease": PARAMS["ease"]})
    t0 = time.perf_counter()
    info = fit_ranker(ws, "deepfm", candidates=300, params={"threads": 1, "device": "cpu"})
    fit_s = time.perf_counter() - t0
    model, ranker = store.load_model(ws, "ease"), load_ranker(ws)
    assert ranker is not None
    rng = np.random.default_rng(1)
    users = [data.users.id(int(r)) for r in rng.integers(0, data.n_users, CALLS)]
    for u in users[:5]:
        ranker.recommend(model, u, 10)  # warm up
    lat, base = [], []
    for u in users:
        t0 = time.perf_counter()
        ranker.recommend(model, u, 10)
        lat.append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        model.recommend([u], k=10)
        base.append((time.perf_counter() - t0) * 1e3)
    print(f"\nTwo stages (ranker fit incl. candidates: {fit_s:.1f} s, {info['rows']:,} rows, "
          f"{info['training']['epochs']} epochs)\n")  # fmt: skip
    print("| path | median ms | p95 ms |")
    print("|---|---|---|")
    for name, v in (("ease alone, k=10", base), ("ease 300 candidates + deepfm, k=10", lat)):
        print(f"| {name} | {statistics.median(v):.2f} | {float(np.percentile(v, 95)):.2f} |")


if __name__ == "__main__":
    main()
