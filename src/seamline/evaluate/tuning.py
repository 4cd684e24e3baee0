"""Scoring a fitted model on a split, and the tuning loop: each grid point is fitted on the
validation split's train part and scored on its test part; the best NDCG@k wins (the first
point on ties).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.evaluate.metrics import evaluate_ranking
from seamline.evaluate.splits import Split

Ints = npt.NDArray[np.int64]


class Scorer(Protocol):
    """What evaluation needs from a fitted model: dense scores for internal user rows."""

    def scores(self, user_rows: Ints) -> npt.NDArray[np.floating[Any]]: ...


# fit(model name, params, train events, user ids, item ids) -> fitted model. The frame has
# canonical event columns; user and item ids fix the row / column order of the scores.
FitFn = Callable[[str, Mapping[str, Any], pd.DataFrame, Sequence[str], Sequence[str]], Scorer]


def train_matrix(split: Split) -> Any:
    import scipy.sparse as sp

    tr = split.train
    return sp.csr_matrix(
        (np.ones(len(tr)), (split.users[tr], split.items[tr])),
        shape=(split.n_users, split.n_items),
    )


def score_split(
    model: Scorer,
    split: Split,
    *,
    k: int,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> dict[str, float]:
    """Metrics of a fitted model on `split`'s test pairs (full ranking, train excluded)."""
    X = train_matrix(split)
    return evaluate_ranking(
        lambda rows: model.scores(rows), X, split.test_users, split.test_items, k=k,
        candidates=candidates,
    )  # fmt: skip


def tune(
    name: str,
    grid: Sequence[Mapping[str, Any]],
    fit: FitFn,
    val: Split,
    val_frame: pd.DataFrame,
    ids: tuple[Sequence[str], Sequence[str]],
    *,
    k: int,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(chosen grid point, one record per point: params, fit seconds, validation NDCG@k)."""
    tuning: list[dict[str, Any]] = []
    for p in grid:
        t0 = time.perf_counter()
        m = fit(name, p, val_frame, ids[0], ids[1])
        fs = time.perf_counter() - t0
        vm = score_split(m, val, k=k, candidates=candidates)
        tuning.append({"params": p, "fit_s": fs, f"val_ndcg@{k}": vm[f"ndcg@{k}"]})
    best = max(range(len(tuning)), key=lambda j: (tuning[j][f"val_ndcg@{k}"], -j))
    return dict(grid[best]), tuning
