"""The candidate uplift models and the choice between them on validation carves of the
training part (never on the held-out part the scores are reported on).

The choice is made on repeated carves with a one-standard-error rule: on marketing data the
models' validation scores differ by less than their own noise, and picking the top score
then picks noise (bench/campaigns/hillstrom.md). Candidates are listed simplest first; the
simplest whose score is within one standard error of the best one's is chosen, so a more
flexible model must earn its place by a margin the carves can see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from seamline.campaigns.uplift.metrics import auuc, qini_coefficient, top_k_ratio
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
    """The models compared by `seamline uplift`, by name, simplest first (one linear model;
    two; four; two boosted ensembles of trees). Effects in marketing data are small against
    the outcome's noise: on validation carves of Hillstrom's training parts, linear effect
    models ranked users better than gradient-boosted ones for the X-learner and the class
    transformation (bench/campaigns/hillstrom.md), so those two use linear learners."""
    return {
        "class_transformation": ClassTransformation(LINEAR, seed),
        "t_learner_lr": TLearner(LINEAR, seed),
        "x_learner": XLearner(LINEAR, LINEAR, seed),
        "t_learner_gb": TLearner(GB, seed),
    }


Score = Callable[[np.ndarray, np.ndarray, np.ndarray], float]
CRITERIA: dict[str, Score] = {
    "qini": qini_coefficient,
    "auuc": auuc,
    "top30_ratio": top_k_ratio,
}


@dataclass(frozen=True)
class Selection:
    """The chosen model, every candidate's mean validation score, and how far each is
    behind the best (mean paired difference per carve) with that difference's standard
    error; `within` lists the candidates within one standard error of the best."""

    chosen: str
    criterion: str
    scores: dict[str, float]
    behind: dict[str, float]
    se: dict[str, float]
    within: list[str]
    carves: str


def carve_labels(strata: np.ndarray, folds: int, repeats: int, seed: int) -> list[np.ndarray]:
    """`repeats` independent partitions of the rows into `folds` carves, stratified by
    `strata`: one array of carve numbers per repeat."""
    out = []
    for r in range(repeats):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed * 1009 + r)
        label = np.zeros(len(strata), dtype=np.int64)
        for k, (_, val) in enumerate(splitter.split(np.zeros(len(strata)), strata)):
            label[val] = k
        out.append(label)
    return out


def one_se_rule(
    fold_scores: dict[str, np.ndarray], criterion: str = "", carves: str = ""
) -> Selection:
    """The first (simplest) candidate whose score is within one standard error of the best.

    `fold_scores[name]` is a (repeats, folds) array of one candidate's validation scores,
    all candidates on the same carves. The difference from the best is paired per carve and
    averaged over the repeats; its standard error is taken over the folds only (the repeats
    reuse the same rows, so they are not independent evidence)."""
    names = list(fold_scores)
    mean = {n: float(np.nanmean(fold_scores[n])) for n in names}
    best = max(names, key=lambda n: -np.inf if np.isnan(mean[n]) else mean[n])
    behind: dict[str, float] = {}
    se: dict[str, float] = {}
    for n in names:
        diff = np.nanmean(fold_scores[best] - fold_scores[n], axis=0)  # one value per fold
        behind[n] = float(np.mean(diff))
        se[n] = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    within = [n for n in names if not behind[n] > se[n]]  # NaN differences count as within
    return Selection(within[0], criterion, mean, behind, se, within, carves)


def select_model(
    models: dict[str, UpliftModel],
    X: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    *,
    folds: int = 5,
    repeats: int = 2,
    seed: int = 0,
    criterion: str = "top30_ratio",
) -> Selection:
    """Score each model (listed simplest first) on `repeats` x `folds` validation carves of
    (X, t, y), each carve predicted by a copy fitted on the rest, and choose by the
    one-standard-error rule (`one_se_rule`). Carves are stratified by arm and outcome."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion {criterion!r} (allowed: {', '.join(CRITERIA)})")
    if folds < 2 or repeats < 1:
        raise ValueError(f"need folds >= 2 and repeats >= 1 (got {folds}, {repeats})")
    score = CRITERIA[criterion]
    strata = t * 2 + (y > np.median(y)).astype(int) if len(np.unique(y)) > 1 else t
    labels = carve_labels(strata, folds, repeats, seed)
    fold_scores: dict[str, np.ndarray] = {}
    for name, model in models.items():
        s = np.full((repeats, folds), np.nan)
        for r, label in enumerate(labels):
            for k in range(folds):
                val = label == k
                m = clone_model(model).fit(X[~val], t[~val], y[~val])
                s[r, k] = score(y[val], t[val], m.predict(X[val]))
        fold_scores[name] = s
    return one_se_rule(fold_scores, criterion, f"{repeats}x{folds}")
