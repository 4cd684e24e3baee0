"""Sequence-aware retrieval on MovieLens 100K: peers and Seamline in one run of the shared
peer protocol (../shared/bench/peers.py, temporal leave-last-one-out, full ranking,
parameters chosen on the protocol's validation split).

Peers: MostPopular, numpy EASE, implicit ALS and the shared sequential plugin's
item-transition model `seq_trans` (the 0.1111 bar). Seamline: `sl_transition`, `sl_blend`
(transition + recency EASE, weights chosen on validation) and `sl_ease` (with its recency
grid), through sequential_plugin.py. RecTools' SASRec / BERT4Rec need their own environment
and hours on two shared cores: their figures are cited from
../shared/bench/results-sequential-ml-100k.md.

    PYTHONPATH=src nice -n 10 .venv/bin/python bench/recommend/sequential.py

-> bench/recommend/sequential-ml-100k.{json,md}. SEQ_WITH_SASREC=1 adds Seamline's SASRec.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "ml-100k"

NOTES = [
    "One run, one table: peers see the binary train matrix X; seq_trans (shared plugin) and "
    "Seamline's sl_* models rebuild the order of exactly those train pairs from u.data "
    "(nothing held out is read; see seamline_plugin.py / plugin_sequential.py).",
    "sl_transition: Seamline's `transition` registry model with grid "
    "seamline.evaluate.grids.GRIDS['transition']; sl_blend: `blend` (transition + recency "
    "EASE, weights chosen on each user's latest train event); sl_ease: EASE with its "
    "recent_half_life grid.",
    "RecTools SASRec 0.0840 and BERT4Rec 0.0911 (NDCG@10) are not rerun here (separate "
    "environment, CPU-bound): see ../shared/bench/results-sequential-ml-100k.md.",
]


def main() -> None:
    models = ["mostpop", "ease", "als", "seq_trans", "sl_transition", "sl_blend", "sl_ease"]
    if os.environ.get("SEQ_WITH_SASREC") == "1":
        models.append("sl_sasrec")
    cmd = [
        sys.executable, str(SHARED / "bench" / "peers.py"), "--data-dir", str(DATA),
        "--plugin", str(HERE / "sequential_plugin.py"), "--models", ",".join(models),
        "--splits", "loo", "--skip-deepfm",
        "--out-json", str(HERE / "sequential-ml-100k.json"),
        "--out-md", str(HERE / "sequential-ml-100k.md"),
    ]  # fmt: skip
    for n in NOTES:
        cmd += ["--note", n]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run(cmd, check=True, env=env)


if __name__ == "__main__":
    main()
