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
# Effects are small against the outcome's noise: shallow, strongly regularised trees.
GB_EFFECT = Learner("gb", {"max_depth": 2, "learning_rate": 0.05, "max_iter": 100})


def default_models(seed: int = 0) -> dict[str, UpliftModel]:
    """The models compared by `seamline uplift`, by name."""
    return {
        "t_learner_gb": TLearner(GB, seed),
        "t_learner_lr": TLearner(LINEAR, seed),
        "x_learner": XLearner(GB, GB_EFFECT, seed),
        "class_transformation": ClassTransformation(GB, seed),
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
    criterion: str = "qini",
) -> Selection:
    """Score each model on `folds` validation carves of (X, t, y) (each carve is fitted on
    the rest) and choose the best mean score. Folds are stratified by arm."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion {criterion!r} (allowed: {', '.join(CRITERIA)})")
    score = CRITERIA[criterion]
    # One carve still trains on 2/3 and validates on 1/3.
    splitter = StratifiedKFold(n_splits=max(folds, 2), shuffle=True, random_state=seed)
    strata = t * 2 + (y > np.median(y)).astype(int) if len(np.unique(y)) > 1 else t
    carves = list(splitter.split(X, strata))[: max(folds, 1)]
    means: dict[str, float] = {}
    for name, model in models.items():
        vals = []
        for fit_idx, val_idx in carves:
            m = clone_model(model).fit(X[fit_idx], t[fit_idx], y[fit_idx])
            vals.append(score(y[val_idx], t[val_idx], m.predict(X[val_idx])))
        means[name] = float(np.nanmean(vals))
    chosen = max(means, key=lambda k: -np.inf if np.isnan(means[k]) else means[k])
    return Selection(chosen=chosen, criterion=criterion, scores=means)
