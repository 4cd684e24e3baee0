"""Two stages: a retrieval model proposes a few hundred candidates per user, a ranker
re-orders them.

`retrieve` takes each user's top `n` unseen items from a fitted `Recommender` in batches
of users (one dense score block per batch) and gives the ranker two retrieval fields:
`log_rank` (log(1 + position)) and `score_z` (the score standardised within the user's
candidates), so a ranker learns how far to trust the first stage. `rerank` scores the
candidates with the ranker and keeps the best `k` per user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from seamline.errors import DataError

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions
    from seamline.recommend.base import Recommender
    from seamline.recommend.rank.base import Ranker

BATCH = 256


def retrieve(model: Recommender, users: Sequence[str], n: int) -> pd.DataFrame:
    """user_id, item_id, log_rank, score_z: each known user's top `n` unseen items."""
    rows = model.users_.positions(np.asarray(list(users), dtype=object))
    if (rows < 0).any():
        raise DataError(f"user {users[int(np.flatnonzero(rows < 0)[0])]!r} is not in the model")
    n = min(n, model.n_items)
    item_ids = model.items_.to_array().astype(object)
    parts = []
    for a in range(0, len(rows), BATCH):
        r = rows[a : a + BATCH]
        s = np.asarray(model.scores(r), dtype=np.float64)
        seen = model.X_[r].tocoo()
        s[seen.row, seen.col] = -np.inf
        top = np.argpartition(-s, n - 1, axis=1)[:, :n]
        ts = np.take_along_axis(s, top, axis=1)
        order = np.argsort(-ts, axis=1, kind="stable")
        top, ts = np.take_along_axis(top, order, axis=1), np.take_along_axis(ts, order, axis=1)
        ok = np.isfinite(ts)
        fin = np.where(ok, ts, np.nan)
        mu, sd = np.nanmean(fin, axis=1, keepdims=True), np.nanstd(fin, axis=1, keepdims=True)
        z = (fin - mu) / np.where(sd > 0, sd, 1.0)
        pos = np.broadcast_to(np.arange(n), top.shape)
        user_of = np.repeat(np.asarray(users, dtype=object)[a : a + BATCH], n).reshape(top.shape)
        parts.append(pd.DataFrame({
            "user_id": user_of[ok], "item_id": item_ids[top[ok]],
            "log_rank": np.log1p(pos[ok]).astype(np.float64), "score_z": z[ok],
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=["user_id", "item_id", "log_rank", "score_z"])
    return pd.concat(parts, ignore_index=True)


def rerank(ranker: Ranker, candidates: pd.DataFrame, data: Interactions, k: int) -> pd.DataFrame:
    """The candidates with the ranker's `rank_score`, best `k` per user, best first."""
    out = candidates.copy()
    out["rank_score"] = ranker.predict_proba(candidates, data)
    out = out.sort_values(["user_id", "rank_score"], ascending=[True, False], kind="stable")
    return out.groupby("user_id", sort=False).head(k).reset_index(drop=True)
