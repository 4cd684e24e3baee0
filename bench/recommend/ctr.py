"""CTR on ml-100k: Seamline's DeepFM / FM / LR against deepctr-torch's DeepFM, side by side.

    nice -n 10 .venv/bin/python bench/recommend/ctr.py [--data-dir ../shared/data/ml-100k]
        [--peers-python /work/venv-peers/bin/python] [--rounds 3] [--threads 1]

The task is the peer benchmark's (`../shared/bench/peers.py`, worker `deepfm`): label
rating >= 4, random 80/20 split (seed 42), fields user, item, gender, age bucket,
occupation and genres. deepctr-torch runs through that worker unchanged except for its
thread count, which is set to ours so both sides train on the same number of threads.
Rounds alternate the two DeepFMs so that load on the machine hits both alike; the table
gives medians over rounds and the ratio of train seconds. FM and LR run once per round.
Prints a markdown table; `--out-json` keeps every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PEERS = Path(__file__).resolve().parents[3] / "shared" / "bench" / "peers.py"
CLI = "from seamline.cli.main import app; app()"
DEEPCTR = """
import json, sys
sys.path.insert(0, {bench!r})
import peers
peers.NTHREADS = {threads}
sys.exit(peers.main(["--worker", "deepfm", "--data-dir", {data!r}, "--worker-out", {out!r}]))
"""


def run_peer(python: str, data: str, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        code = DEEPCTR.format(bench=str(PEERS.parent), threads=threads, data=data, out=out)
        p = subprocess.run([python, "-c", code], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"deepctr-torch worker failed: {p.stderr[-2000:]}")
        res: dict[str, Any] = json.loads(Path(out).read_text())
    m = res["metrics"]
    return {"auc": m["auc"], "logloss": m["logloss"], "train_seconds": res["train_s"],
            "epochs": res["config"]["epochs"]}  # fmt: skip


def run_ours(model: str, data: str, threads: int) -> dict[str, Any]:
    cmd = [sys.executable, "-c", CLI, "evaluate-ctr", "--dataset", "movielens-100k", data,
           "--model", model, "--device", "cpu", "--threads", str(threads), "--json"]  # fmt: skip
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"seamline evaluate-ctr failed: {p.stderr[-2000:]}")
    res: dict[str, Any] = json.loads(p.stdout)
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(PEERS.parents[1] / "data" / "ml-100k"))
    ap.add_argument("--peers-python", default="/work/venv-peers/bin/python")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out-json")
    a = ap.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {"deepctr-torch DeepFM": [], "deepfm": [],
                                             "fm": [], "lr": []}  # fmt: skip
    for r in range(a.rounds):
        order = ["peer", "deepfm"] if r % 2 == 0 else ["deepfm", "peer"]
        for who in order:
            if who == "peer":
                runs["deepctr-torch DeepFM"].append(run_peer(a.peers_python, a.data_dir, a.threads))
            else:
                runs["deepfm"].append(run_ours("deepfm", a.data_dir, a.threads))
        for model in ("fm", "lr"):
            runs[model].append(run_ours(model, a.data_dir, a.threads))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    med = {k: {f: statistics.median(x[f] for x in v) for f in ("auc", "logloss", "train_seconds")}
           for k, v in runs.items()}  # fmt: skip
    peer_s = med["deepctr-torch DeepFM"]["train_seconds"]
    names = {"deepfm": "Seamline DeepFM", "fm": "Seamline FM", "lr": "Seamline LR"}
    print(f"{a.rounds} rounds, {a.threads} thread(s) each; medians over rounds\n")
    print("| model | AUC | logloss | train s | train s / deepctr-torch | epochs |")
    print("|---|---|---|---|---|---|")
    for k, v in runs.items():
        m = med[k]
        epochs = ", ".join(str(x["epochs"]) for x in v)
        ratio = m["train_seconds"] / peer_s
        print(f"| {names.get(k, k)} | {m['auc']:.4f} | {m['logloss']:.4f} | "
              f"{m['train_seconds']:.1f} | {ratio:.2f} | {epochs} |")  # fmt: skip
    if a.out_json:
        Path(a.out_json).write_text(json.dumps({"runs": runs, "medians": med}, indent=1))


if __name__ == "__main__":
    main()
