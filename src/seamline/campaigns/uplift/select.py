"""The candidate uplift models and the choice between them on validation carves of the
training part (never on the held-out part the scores are reported on)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from seamline.campaigns.uplift.metrics import qini_coefficient, top_k_ratio
from seamline.campaigns.uplift.models import (
    ClassTransformation,
    Learner,
    TLearner,
    UpliftModel,
    XLearner,
    clone_model,
)

GB = Learner("gb")
LINEAR = Learner("linear", {"C": 1.0})


def default_models(seed: int = 0) -> dict[str, UpliftModel]:
    """The models compared by `seamline uplift`, by name. Effects in marketing data are small
    against the outcome's noise: on validation carves of Hillstrom's training parts, linear
    effect models ranked users better than gradient-boosted ones for the X-learner and the
    class transformation (bench/campaigns/hillstrom.md), so those two use linear learners."""
    return {
        "t_learner_gb": TLearner(GB, seed),
        "t_learner_lr": TLearner(LINEAR, seed),
        "x_learner": XLearner(LINEAR, LINEAR, seed),
        "class_transformation": ClassTransformation(LINEAR, seed),
    }


CRITERIA: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "qini": qini_coefficient,
    "top30_ratio": top_k_ratio,
}


@dataclass(frozen=True)
class Selection:
    """The chosen model's name and every candidate's mean validation score."""

    chosen: str
    criterion: str
    scores: dict[str, float]


def select_model(
    models: dict[str, UpliftModel],
    X: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    *,
    folds: int = 3,
    seed: int = 0,
    criterion: str = "top30_ratio",
) -> Selection:
    """Score each model on `folds` validation carves of (X, t, y), each fitted on the rest,
    and choose the best. The carves' predictions become percentile ranks within their carve
    and are scored together on all rows: three times the rows of one carve, so a steadier
    choice than the mean of per-carve scores. Folds are stratified by arm and outcome."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion {criterion!r} (allowed: {', '.join(CRITERIA)})")
    score = CRITERIA[criterion]
    # One carve still trains on 2/3 and validates on 1/3.
    splitter = StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=seed)
    strata = t * 2 + (y > np.median(y)).astype(int) if len(np.unique(y)) > 1 else t
    carves = list(splitter.split(X, strata))[: max(folds, 1)]
    means: dict[str, float] = {}
    for name, model in models.items():
        ranks = np.full(len(y), np.nan)
        for fit_idx, val_idx in carves:
            m = clone_model(model).fit(X[fit_idx], t[fit_idx], y[fit_idx])
            u = m.predict(X[val_idx])
            ranks[val_idx] = (np.argsort(np.argsort(u, kind="stable")) + 0.5) / len(u)
        seen = ~np.isnan(ranks)
        means[name] = float(score(y[seen], t[seen], ranks[seen]))
    chosen = max(means, key=lambda k: -np.inf if np.isnan(means[k]) else means[k])
    return Selection(chosen=chosen, criterion=criterion, scores=means)
