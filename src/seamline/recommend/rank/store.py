"""The workspace's served ranker: trained behind a saved retriever, kept in
`<workspace>/models/.ranker/` (a name no model can take), reloaded by the service when it
changes.

Training follows the two-stage protocol of `bench/recommend/two_stage.py`: each user's
latest item is held out, the retriever (same name and config as the saved one) is refitted
without it, and its top `candidates` per user are the ranker's rows, labelled 1 where they
hold the held-out item. The ranker then serves behind the saved retriever with a feature
snapshot of all events. Like models, a ranker from an older privacy epoch is stale.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seamline.data.dataset import Interactions
from seamline.errors import DataError, NotFittedError
from seamline.progress import Progress, step
from seamline.recommend.rank.assemble import FeatureSnapshot
from seamline.recommend.rank.base import load_user_features
from seamline.recommend.rank.ranker import FieldRanker
from seamline.recommend.rank.registry import make_ranker
from seamline.recommend.rank.serve import ServingRanker
from seamline.recommend.rank.two_stage import retrieve
from seamline.recommend.registry import check_model
from seamline.recommend.store import _versions, load_model, models_dir

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)

Measure = Callable[[np.ndarray, np.ndarray], dict[str, Any]]
FOLDER = ".ranker"
HOLDOUT = 0.2  # share of users whose candidates only measure the ranker
INFO = "serving.json"


def ranker_dir(ws: Store) -> Path:
    return models_dir(ws) / FOLDER


def without_latest(data: Interactions) -> tuple[Interactions, np.ndarray, np.ndarray]:
    """(data without each user's latest item, held-out user rows, item rows), for users
    with at least two distinct items."""
    X = data.matrix().tocsr()
    last = data.recency_rank() == 0
    u, i = data.user[last], data.item[last]
    ok = np.diff(X.indptr)[u] >= 2
    u, i = u[ok], i[ok]
    held = np.zeros(data.n_events, dtype=bool)
    key = data.user.astype(np.int64) * data.n_items + data.item
    held[np.isin(key, u.astype(np.int64) * data.n_items + i)] = True
    keep = ~held
    rest = dataclasses.replace(
        data, user=data.user[keep], item=data.item[keep], weight=data.weight[keep],
        age_days=data.age_days[keep], seq=data.seq[keep], _cache={},
    )  # fmt: skip
    return rest, u, i


def fit_ranker(
    ws: Store,
    ranker: str = "deepfm",
    retriever: str | None = None,
    candidates: int = 300,
    params: dict[str, Any] | None = None,
    measure: Measure | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train ranker `ranker` behind saved model `retriever` (default: the default model)
    and save it as the workspace's served ranker; returns its summary. With `measure`,
    a seeded fifth of the users is kept out of training and `measure(labels, p)` on
    their candidates is stored as the ranker's metrics."""
    with step(progress, "reading events"):
        model = load_model(ws, retriever, segments=False)
        data = Interactions.from_workspace(
            ws, config=model.data_config_, user_features=load_user_features(ws)
        )
        rest, hu, hi = without_latest(data)
    if len(hu) == 0:
        raise DataError("no user has two distinct items: nothing to train a ranker on")
    with step(progress, f"candidates from {model.name}"):
        first = check_model(model.name)(model.config).fit(rest)
        users = data.users.to_array().astype(object)[hu]
        rows = retrieve(first, list(users), candidates)
        truth = {(a, b) for a, b in zip(users, data.items.to_array()[hi], strict=True)}
        y = np.fromiter((pair in truth for pair in zip(rows["user_id"], rows["item_id"],
                         strict=True)), dtype=np.float64, count=len(rows))  # fmt: skip
    cfg = {"device": "auto", **(params or {})}
    held = np.zeros(len(rows), dtype=bool)
    if measure is not None:
        seed = int(cfg.get("seed", 42))
        out_users = np.random.default_rng(seed).random(len(users)) < HOLDOUT
        held = rows["user_id"].isin(set(users[out_users])).to_numpy()
    with step(progress, f"training {ranker}"):
        rk = make_ranker(ranker, **cfg).fit(rows[~held], y[~held], rest)
    metrics: dict[str, Any] = {}
    if measure is not None and held.any() and 0 < y[held].sum() < held.sum():
        metrics = measure(y[held], rk.predict_proba(rows[held], rest))
    version, epoch, _ = _versions(ws)
    info = {
        "ranker": ranker, "retriever": model.name, "candidates": candidates,
        "rows": len(rows), "positives": int(y.sum()), "users": len(users),
        "metrics": metrics, "training": rk.log.to_dict(), "data_version": version,
        "privacy_epoch": epoch, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    folder = ranker_dir(ws)
    tmp = folder.with_name(FOLDER + ".saving")
    if tmp.exists():
        shutil.rmtree(tmp)
    rk.save(tmp)
    FeatureSnapshot.from_interactions(data).save(tmp)
    (tmp / INFO).write_text(json.dumps(info, indent=1))
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return {**info, "path": str(folder)}


def ranker_info(ws: Store) -> dict[str, Any] | None:
    f = ranker_dir(ws) / INFO
    if not f.is_file():
        return None
    out: dict[str, Any] = json.loads(f.read_text())
    _, epoch, reason = _versions(ws)
    out["stale"] = int(out.get("privacy_epoch") or 0) < epoch
    out["stale_reason"] = reason if out["stale"] else None
    return out


def load_ranker(ws: Store, device: str = "cpu") -> ServingRanker | None:
    """The served ranker, or None when none is trained; NotFittedError when it is stale
    (users were erased or re-keyed since it was trained)."""
    info = ranker_info(ws)
    if info is None:
        return None
    if info["stale"]:
        raise NotFittedError(
            f"the ranker is stale ({info['stale_reason']}); retrain it: "
            f"seamline fit-ranker --workspace {ws.path}"
        )
    folder = ranker_dir(ws)
    rk = FieldRanker.load(folder, device=device)
    return ServingRanker(rk, FeatureSnapshot.load(folder), str(info["retriever"]),
                         int(info["candidates"]), info)  # fmt: skip
