"""The cold-start protocol, fixed and seeded.

1. Events of the two domains only; users active in both are the shared users.
2. For each seed, a random 20% of the shared users (`numpy.random.default_rng(seed)`)
   become cold: all their target-domain events are hidden. Every other event (their
   source-domain events included) is train.
3. Each model is fitted on train; for each cold user it ranks every target-domain item of
   the train catalog (items seen only in hidden events cannot be ranked and count as
   misses: they stay in the denominator of recall and NDCG).
4. Recall@k and NDCG@k over the cold users' hidden target items (with standard errors over
   users, `metrics.RankingMetrics`); over several seeds the mean and the spread
   (standard deviation across seeds) of each.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.errors import ConfigError, DataError
from seamline.evaluate.cross.baselines import SCORERS, check_scorers
from seamline.evaluate.cross.split import COLD_FRACTION, ColdSplit, ScoreFn, cold_split
from seamline.evaluate.metrics import RankingMetrics, top_k

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions

log = logging.getLogger(__name__)


@dataclass
class SeedResult:
    seed: int
    users: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> metrics
    fit_s: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class CrossResult:
    source: str
    target: str
    k: int
    seeds: list[SeedResult]
    models: list[str]
    n_shared: int
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        k = self.k
        rows = []
        for m in self.models:
            done = [s for s in self.seeds if m in s.metrics]
            row: dict[str, Any] = {"model": m}
            if not done:
                row["error"] = next((s.errors[m] for s in self.seeds if m in s.errors), "")
                rows.append(row)
                continue
            for name in (f"ndcg@{k}", f"recall@{k}"):
                vals = np.array([s.metrics[m][name] for s in done])
                ses = np.array([s.metrics[m][name + "_se"] for s in done])
                row[name] = float(vals.mean())
                # the standard error of the seed mean, from the per-seed user-level errors
                row[name + "_se"] = float(math.sqrt((ses**2).sum()) / len(ses))
                row[name + "_spread"] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
                row[name + "_seeds"] = [float(v) for v in vals]
            row["fit_s"] = float(np.mean([s.fit_s[m] for s in done]))
            rows.append(row)
        base = next((r for r in rows if r["model"] == "popular" and f"ndcg@{k}" in r), None)
        if base is not None and base[f"ndcg@{k}"] > 0:
            for r in rows:
                if f"ndcg@{k}" in r:
                    r["vs_popular"] = r[f"ndcg@{k}"] / base[f"ndcg@{k}"]
        return {
            "source": self.source,
            "target": self.target,
            "k": k,
            "seeds": [s.seed for s in self.seeds],
            "users": self.seeds[0].users if self.seeds else 0,
            "shared_users": self.n_shared,
            "results": rows,
            "seconds": self.seconds,
        }


def score_cold(split: ColdSplit, data: Interactions, fn: ScoreFn, k: int) -> dict[str, float]:
    """Recall@k and NDCG@k of `fn` over the split's cold users' hidden target items."""
    items = data.items
    n = len(items)
    target = np.asarray(data.item_domain == split.target)
    rows = data.users.indices(split.cold_users)
    hid = split.hidden
    # items only in hidden events get indices past the catalog: they can never be hit
    idx = items.indices(hid["item_id"].tolist())
    unseen = sorted({i for i, j in zip(hid["item_id"], idx, strict=True) if j < 0})
    extra = {it: n + t for t, it in enumerate(unseen)}
    idx = np.array(
        [j if j >= 0 else extra[i] for i, j in zip(hid["item_id"], idx, strict=True)],
        dtype=np.int64,
    )
    pos = {u: r for r, u in enumerate(split.cold_users)}
    trow = np.array([pos[u] for u in hid["user_id"]], dtype=np.int64)
    acc = RankingMetrics(k, n + len(unseen), catalog_size=int(target.sum()))
    X = data.matrix()
    for c in range(0, len(rows), 512):
        rb = rows[c : c + 512]
        S = np.array(fn(rb), dtype=np.float64)
        if S.shape != (len(rb), n):
            raise DataError(f"scores have shape {S.shape}, expected {(len(rb), n)}")
        S[~np.isfinite(S)] = -np.inf
        S[:, ~target] = -np.inf
        sub = X[rb]
        S[np.repeat(np.arange(len(rb)), np.diff(sub.indptr)), sub.indices] = -np.inf
        sel = (trow >= c) & (trow < c + len(rb))
        acc.add(top_k(S, k), trow[sel] - c, idx[sel])
    return acc.result()


def evaluate_cross(
    events: pd.DataFrame,
    source: str,
    target: str,
    *,
    k: int = 10,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    models: Sequence[str] | None = None,
    frac: float = COLD_FRACTION,
) -> CrossResult:
    """Run the protocol over `seeds` for `models` (names of `baselines.SCORERS`)."""
    from seamline.data.dataset import Interactions

    if k < 1:
        raise ConfigError(f"k must be at least 1, got {k}")
    if not seeds:
        raise ConfigError("give at least one seed")
    names = check_scorers(models)
    started = time.perf_counter()
    out: list[SeedResult] = []
    n_shared = 0
    for seed in seeds:
        split = cold_split(events, source, target, int(seed), frac)
        n_shared = split.n_shared
        data = Interactions.from_frame(split.train)
        res = SeedResult(int(seed), len(split.cold_users))
        for name in names:
            t0 = time.perf_counter()
            try:
                fn = SCORERS[name](data, split)
                res.fit_s[name] = time.perf_counter() - t0
                res.metrics[name] = score_cold(split, data, fn, k)
            except (ConfigError, DataError) as e:
                res.errors[name] = str(e)
            log.info("seed %d %s: %s", seed, name, res.metrics.get(name, res.errors.get(name)))
        out.append(res)
    result = CrossResult(source, target, k, out, names, n_shared)
    result.seconds = time.perf_counter() - started
    return result
