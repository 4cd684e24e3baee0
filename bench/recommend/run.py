"""Recommender quality benchmark: Seamline beside the peer libraries on MovieLens 100K.

Two jobs, each writing its results next to this file:

* ``peers``: runs ../shared/bench/peers.py (the fixed protocol at its top) with
  ``seamline_plugin.py``, so the peers (implicit ALS / BPR / ItemKNN, numpy EASE, PySpark
  ALS) and Seamline's models are fit, tuned and ranked by the same code in one run
  -> ``peers-ml-100k.{json,md}``. Needs the peers' own environment (.venv-peers, see
  docs/evaluate.md). ``--skip-spark`` leaves PySpark out (it costs ~3 minutes).
* ``project``: ingests ml-100k into a fresh workspace and times ``seamline evaluate`` on
  every model (with and without validation tuning) -> ``project-ml-100k.{json,md}``.

    .venv-peers/bin/python bench/recommend/run.py peers [--skip-spark]
    .venv/bin/python bench/recommend/run.py project [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "ml-100k"
OUT = ROOT / "bench" / "out" / "recommend"

PEERS_NOTES = [
    "Seamline models (sl_*) come through bench/recommend/seamline_plugin.py: the plugin "
    "rebuilds the protocol's split from u.data with Seamline's splitter (same fingerprint), "
    "matches it to the train matrix X it is given, and fits on that split's train events "
    "only, i.e. the same (user, item) pairs as X plus their timestamps; held-out "
    "interactions are never read. Peers see X only. The sl_* grids are "
    "seamline.evaluate.grids.GRIDS.",
    "proto_ease_recency is a numpy prototype kept in the plugin for comparison (EASE with a "
    "recency-weighted history vector), not a Seamline registry model.",
    "DeepFM (CTR task) is not rerun here: see ../shared/bench/results-ml-100k.md.",
]
METRICS = ("recall", "precision", "f1", "map", "hit_rate", "coverage", "novelty", "diversity")


def run_peers(skip_spark: bool) -> None:
    peers = SHARED / "bench" / "peers.py"
    plugin = HERE / "seamline_plugin.py"
    sys.path.insert(0, str(HERE))
    import seamline_plugin

    base = ["mostpop", "als", "bpr", "itemknn", "ease"] + ([] if skip_spark else ["spark_als"])
    models = base + list(seamline_plugin.PEER_MODELS)
    notes = list(PEERS_NOTES)
    if skip_spark:
        notes.append("PySpark ALS skipped in this run: see ../shared/bench/results-ml-100k.md.")
    cmd = [
        sys.executable, str(peers), "--data-dir", str(DATA), "--plugin", str(plugin),
        "--models", ",".join(models), "--splits", "loo,global", "--skip-deepfm",
        "--out-json", str(HERE / "peers-ml-100k.json"),
        "--out-md", str(HERE / "peers-ml-100k.md"),
    ]  # fmt: skip
    for n in notes:
        cmd += ["--note", n]
    subprocess.run(cmd, check=True)


def _row(m: dict[str, Any]) -> str:
    if "error" in m:
        return f"| {m['model']} | failed: {m['error']} |" + " |" * 10
    cells = " | ".join(f"{m[f'{c}@10']:.4f}" for c in METRICS)
    return (
        f"| {m['model']} | {m['ndcg@10']:.4f} ± {1.96 * m['ndcg@10_se']:.4f} | {cells} | "
        f"{m['fit_s']:.2f} | {json.dumps(m['params'])} |"
    )


def run_project(repeat: int) -> None:
    ws = OUT / "ml-100k-ws"
    exe = Path(sys.executable).with_name("seamline")
    rows = []
    for tune in (False, True):
        walls = []
        res: dict[str, Any] = {}
        for _ in range(repeat):
            shutil.rmtree(ws, ignore_errors=True)
            subprocess.run(
                [str(exe), "ingest", "-w", str(ws), "--dataset", "movielens-100k", str(DATA),
                 "--json"],
                check=True, capture_output=True,
            )  # fmt: skip
            t = time.perf_counter()
            proc = subprocess.run(
                [str(exe), "evaluate", "-w", str(ws), "--models", "all", "--split", "loo",
                 "-k", "10", "--json", "--tune" if tune else "--no-tune"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            walls.append(time.perf_counter() - t)
            res = json.loads(proc.stdout)
        rows.append({"tune": tune, "wall_s": walls, "median_s": statistics.median(walls), **res})
    (HERE / "project-ml-100k.json").write_text(json.dumps(rows, indent=1, default=str))
    lines = [
        "# `seamline evaluate` on MovieLens 100K (temporal leave-last-one-out, k = 10)",
        "",
        "Wall time of the whole command (read events, split, fit, rank every unseen item "
        f"for 943 users, store), median of {repeat} runs on the shared 2-core machine.",
        "",
    ]
    head = " | ".join(f"{c}@10" for c in METRICS)
    for r in rows:
        lines += [
            f"## {'with' if r['tune'] else 'without'} validation tuning: "
            f"{r['median_s']:.1f} s (runs: {', '.join(f'{w:.1f}' for w in r['wall_s'])})",
            "",
            f"| model | ndcg@10 (±1.96 SE) | {head} | fit s | params |",
            "|---|---|" + "---|" * len(METRICS) + "---|---|",
            *(_row(m) for m in r["results"]),
            "",
        ]
    (HERE / "project-ml-100k.md").write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("job", choices=["peers", "project"])
    ap.add_argument("--skip-spark", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.job == "peers":
        run_peers(args.skip_spark)
    else:
        run_project(args.repeat)


if __name__ == "__main__":
    main()
