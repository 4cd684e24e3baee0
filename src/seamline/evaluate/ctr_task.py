"""CTR tasks on public data, and one train-and-measure run of a ranker on them.

`movielens-100k` is the peer benchmark's task (`shared/bench/peers.py`): every rating is a
row, label = rating >= 4, a random 80/20 split of the rows in file order (seed 42), fields
user, item, gender, age bucket (the ml-1m buckets), occupation and the genres
(multi-valued). Rows come through the project's dataset adapter, so the same validation
applies as for `seamline ingest`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import ConfigError, DataError
from seamline.evaluate.ctr import ctr_metrics, logloss

CTR_DATASETS = ("movielens-100k",)
AGE_BINS = [0, 18, 25, 35, 45, 50, 56, 200]
SEED = 42


@dataclass(frozen=True)
class CtrTask:
    name: str
    frame: pd.DataFrame  # one row per example, field columns
    labels: npt.NDArray[np.float64]
    train: npt.NDArray[np.int64]
    test: npt.NDArray[np.int64]
    sparse: list[str]
    multi: list[str]
    dense: list[str]


def movielens_ctr(path: str | Path, seed: int = SEED) -> CtrTask:
    from seamline.data.datasets import load_dataset

    src = load_dataset("movielens-100k", path)
    if src.events is None or src.items is None or src.users is None:
        raise DataError(f"{path}: the CTR task needs u.data, u.item and u.user")
    ev = src.events.select(["user_id", "item_id", "rating"]).to_pandas()
    items = src.items.select(["item_id", "tags"]).to_pandas().set_index("item_id")
    users = src.users.select(["user_id", "gender", "age", "occupation"]).to_pandas()
    df = ev.merge(users.set_index("user_id"), left_on="user_id", right_index=True, how="left")
    df["age_bucket"] = pd.cut(df["age"], bins=AGE_BINS, right=False, labels=False)
    df["genres"] = items["tags"].reindex(df["item_id"]).to_numpy()
    df = df.rename(columns={"user_id": "user", "item_id": "item"}).reset_index(drop=True)
    y = (df["rating"].to_numpy(dtype=np.float64) >= 4).astype(np.float64)
    perm = np.random.RandomState(seed).permutation(len(df))
    n_train = int(0.8 * len(df))
    return CtrTask(
        name="movielens-100k", frame=df, labels=y,
        train=perm[:n_train].astype(np.int64), test=perm[n_train:].astype(np.int64),
        sparse=["user", "item", "gender", "age_bucket", "occupation"], multi=["genres"], dense=[],
    )  # fmt: skip


def load_ctr_task(dataset: str, path: str | Path) -> CtrTask:
    if dataset not in CTR_DATASETS:
        raise ConfigError(
            f"no CTR task for dataset {dataset!r}; allowed: {', '.join(CTR_DATASETS)}"
        )
    return movielens_ctr(path)


def run_ctr(task: CtrTask, model: str = "deepfm", **params: Any) -> dict[str, Any]:
    """Fit ranker `model` on the task's train rows, measure on its test rows."""
    from seamline.recommend.rank.registry import make_ranker

    ranker = make_ranker(model, **params)
    x, y = task.frame, task.labels
    t = time.perf_counter()
    ranker.fit_frame(x.iloc[task.train], y[task.train], task.sparse, task.multi, task.dense)
    train_s = time.perf_counter() - t
    t = time.perf_counter()
    p = ranker.predict_frame(x.iloc[task.test])
    predict_s = time.perf_counter() - t
    m = ctr_metrics(y[task.test], p)
    prior = float(y[task.train].mean())
    return {
        "dataset": task.name, "model": model, "auc": m["auc"], "logloss": m["logloss"],
        "train_seconds": train_s, "predict_seconds": predict_s,
        "epochs": ranker.log.epochs, "best_epoch": ranker.log.best_epoch,
        "n_train": len(task.train), "n_test": len(task.test),
        "positive_rate_train": prior, "mean_prediction": m["mean_prediction"],
        "prior_logloss": logloss(y[task.test], np.full(len(task.test), prior)),
        "calibration": m["calibration"], "params": ranker.config.params(),
        "device": ranker.device, "fields": [*task.sparse, *task.multi, *task.dense],
    }  # fmt: skip
