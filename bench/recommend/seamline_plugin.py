"""Seamline's recommenders as a plugin for the peer benchmark (../shared/bench/peers.py).

    .venv-peers/bin/python ../shared/bench/peers.py --data-dir ../shared/data/ml-100k \
        --plugin bench/recommend/seamline_plugin.py --splits loo,global --skip-deepfm

peers.py hands each model only the binary train matrix X (users x items, 0/1) of the split
it is fitting on (the validation split's train part while tuning, the test split's train
part for the final fit). Seamline's models can use *when* each interaction happened, so this
plugin rebuilds the same splits from the ratings file itself, with Seamline's own splitter
(`seamline.evaluate.runner.pair_split`, which reproduces the protocol's splits exactly:
same fingerprints), finds the one whose train matrix equals X, and fits the model on that
split's train events only: the same (user, item) pairs as X, plus their timestamps. Nothing
from the held-out part is used. If X matches no split (another protocol), the plugin
refuses rather than guess.

User and item indices are the protocol's (ids sorted numerically), which is also the
order `seamline.evaluate` uses, so scores line up column for column.

Models:
* `sl_<name>`: Seamline registry model <name> with its validation grid (see GRIDS).
* `proto_ease_recency`: a numpy prototype kept here for comparison: EASE (Steck 2019)
  weights learned on the binary matrix; a user's history vector weighs the item that is r
  positions from the user's most recent one by exp(-r / tau).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "ml-100k"


def _data_dir() -> Path:
    argv = sys.argv
    if "--data-dir" in argv:
        return Path(argv[argv.index("--data-dir") + 1])
    return Path(os.environ.get("SEAMLINE_PEERS_DATA", DEFAULT_DATA))


@functools.cache
def _log() -> Any:
    """The ratings file as a chronological Seamline event log (ties: file line order)."""
    from seamline.evaluate.events import load_log

    raw = pd.read_csv(
        _data_dir() / "u.data", sep="\t", header=None, names=["user", "item", "rating", "ts"]
    )
    raw["line"] = np.arange(len(raw))
    raw = raw.sort_values(["ts", "line"], kind="stable")
    frame = pd.DataFrame(
        {
            "user_id": raw["user"].astype(str).to_numpy(),
            "item_id": raw["item"].astype(str).to_numpy(),
            "domain": "other",
            "event_type": "rate",
            "timestamp": pd.to_datetime(raw["ts"].to_numpy(), unit="s", utc=True),
            "value": np.nan,
            "rating": raw["rating"].astype(float).to_numpy(),
        }
    )
    return load_log(None, frame=frame)


def _same(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return a.shape == b.shape and a.nnz == b.nnz and ((a > 0) != (b > 0)).nnz == 0


def _train_for(X: sp.csr_matrix) -> tuple[Any, Any, pd.DataFrame]:
    """(log, split, train events) of the protocol split whose train matrix is X."""
    from seamline.evaluate.events import pair_split, train_events
    from seamline.evaluate.tuning import train_matrix

    log = _log()
    if X.shape != (log.n_users, log.n_items):
        raise ValueError(f"X is {X.shape}, the ratings file gives {(log.n_users, log.n_items)}")
    for kind in ("loo", "global"):
        split, pair_of_event = pair_split(log, kind)
        for s in (split, split.validation()):
            if _same(train_matrix(s), sp.csr_matrix(X)):
                return log, s, train_events(log, s, pair_of_event)
    raise ValueError("X matches no loo/global train or validation split of the ratings file")


def fit_seamline(name: str) -> Any:
    def fit(X: sp.csr_matrix, params: dict[str, Any]) -> Any:
        from seamline.evaluate.runner import seamline_fit

        log, _, frame = _train_for(X)
        model = seamline_fit(name, params, frame, log.user_ids, log.item_ids)
        return lambda users: np.asarray(model.scores(np.asarray(users)), dtype=np.float64)

    return fit


def _recency_weights(split: Any) -> sp.csr_matrix:
    """Train matrix with exp(-r / tau)-ready ranks: value = r + 1, r = 0 for the newest."""
    u = split.users[split.train]
    i = split.items[split.train]
    n = len(u)
    pos = np.arange(n)
    by_user = np.lexsort((pos, u))
    su = u[by_user]
    starts = np.flatnonzero(np.r_[True, su[1:] != su[:-1]])
    counts = np.diff(np.r_[starts, n])
    rank = np.empty(n)
    rank[by_user] = np.repeat(starts + counts, counts) - 1 - np.arange(n)
    return sp.csr_matrix((rank + 1.0, (u, i)), shape=(split.n_users, split.n_items))


def fit_proto_ease_recency(X: sp.csr_matrix, params: dict[str, Any]) -> Any:
    _, split, _ = _train_for(X)
    Xb = sp.csr_matrix(X, dtype=np.float64)
    G = (Xb.T @ Xb).toarray()
    d = np.diag_indices(G.shape[0])
    G[d] += params["lambda"]
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    B[d] = 0.0
    R = _recency_weights(split)
    R.data = np.exp(-(R.data - 1.0) / params["tau"])
    return lambda users: np.asarray(R[users] @ B)


def _grid(**axes: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}]
    for key, values in axes.items():
        out = [dict(d, **{key: v}) for d in out for v in values]
    return out


_ENV = {"OPENBLAS_NUM_THREADS": "1"}


def _registry_models() -> dict[str, dict[str, Any]]:
    try:
        from seamline.evaluate.grids import GRIDS
        from seamline.recommend.registry import MODELS
    except ImportError:  # the recommenders are not installed in this environment
        return {}
    return {
        f"sl_{name}": {"fit": fit_seamline(name), "grid": GRIDS.get(name) or [{}], "env": _ENV}
        for name in MODELS
    }


PEER_MODELS: dict[str, dict[str, Any]] = {
    **_registry_models(),
    "proto_ease_recency": {
        "fit": fit_proto_ease_recency,
        "grid": _grid(**{"lambda": [100.0, 200.0, 400.0, 800.0], "tau": [3.0, 5.0, 10.0, 20.0]}),
        "env": {},
    },
}
