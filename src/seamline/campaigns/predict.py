"""Per user and offer: the chance to buy without the campaign and the uplift each offer
brings, learned from a past randomised campaign.

An uplift model (`campaigns.uplift`) is chosen on validation carves of the past campaign
and fitted on all of it; a T-learner over gradient boosting gives the base rate (its
control-arm model). The new campaign differs from the past one in length and offer, so
both are transferred to first order: over `days` instead of the past window's, the base
rate is `1 - (1 - mu0)^(days / past_days)` and the uplift scales by `days / past_days`;
an offer moves buyers in proportion to its strength (its discount share, or the
assumed strength of a free lesson or a message) against the past campaign's discount.
The model's spread around the campaign's average effect is shrunk by its calibration slope
on out-of-fold predictions (`calibration_slope`). The simpler form, uplift proportional to
the base rate (the campaign's relative effect for everyone: no noisy difference of two
models), is kept unless the model's own uplift ranks repeated carves of the past campaign
better by more than one standard error, and always when the past effect is too small to be
told from zero (`choose_form`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seamline.campaigns.history import History
from seamline.campaigns.uplift import TLearner, default_models, score_uplift, select_model
from seamline.campaigns.uplift.metrics import curve_points, qini_coefficient
from seamline.campaigns.uplift.models import clone_model
from seamline.campaigns.uplift.select import GB, Selection, carve_labels, one_se_rule

if TYPE_CHECKING:
    import pandas as pd

    from seamline.campaigns.offers import Offer

# Assumed strengths (discount share with the same pull) of offers without a discount.
FREE_LESSON_STRENGTH = 0.2
CONTENT_STRENGTH = 0.05
PAST_STRENGTH = 0.2  # when the past campaign records no discount
SELECT_MAX_ROWS = 60_000  # above this the T-learner is used without a validation choice
# The past effect's z-statistic below which a per-user uplift is not trusted: the average
# effect itself is then barely told from zero, and its spread across users is mostly noise.
MIN_EFFECT_Z = 3.0
FORM_FOLDS, FORM_REPEATS = 5, 2


def offer_strength(offer: Offer) -> float:
    """How strongly the offer moves buyers, as a discount share (the spec's `pull` if set)."""
    if offer.pull is not None:
        return offer.pull
    if offer.kind == "free_lesson":
        return FREE_LESSON_STRENGTH
    if offer.kind == "content":
        return CONTENT_STRENGTH
    value = max(offer.order_value, offer.min_spend)
    return offer.face_value / value if value > 0 else PAST_STRENGTH


@dataclass
class UpliftFit:
    """The fitted models and how they were chosen and scored on the past campaign."""

    model_name: str
    model: Any
    base: TLearner
    selection: dict[str, float]
    validation: dict[str, Any]  # held-out Qini, AUUC, top-30% ratio of the chosen model
    qini_curve: list[tuple[float, float]] = field(default_factory=list)
    history_rows: int = 0
    columns: list[str] = field(default_factory=list)
    experiment: str = ""
    ate: float = 0.0  # the past campaign's effect (difference in means, all rows)
    centre: float = 0.0  # the model's mean prediction on the past campaign
    slope: float = 1.0  # calibration of the model's spread on the held-out part, in [0, 1]
    # "uplift": the model's calibrated prediction; "proportional": the base rate times the
    # campaign's relative effect (chosen when it ranks the held-out part better)
    form: str = "uplift"
    base_centre: float = 1.0  # the base-rate model's mean prediction on the past campaign
    form_check: dict[str, Any] = field(default_factory=dict)  # how the form was chosen


def fit_uplift(history: History, seed: int, model: str = "auto") -> UpliftFit:
    """The named model, or (`auto`) the one chosen on validation carves of 80% of the past
    campaign; its Qini is reported on the other 20%, then it and the base-rate model are
    fitted on all rows."""
    X = history.features.to_numpy(dtype=np.float64)
    t, y = history.treatment, history.outcome
    rng = np.random.default_rng(seed)
    held = rng.random(len(t)) < 0.2
    models = default_models(seed)
    name, scores = (model if model != "auto" else "t_learner_lr"), {}
    if model == "auto" and len(t) <= SELECT_MAX_ROWS:
        sel = select_model(models, X[~held], t[~held], y[~held], seed=seed)
        name, scores = sel.chosen, sel.scores
    form, check, oof_uplift = choose_form(models[name], X, t, y, seed)
    slope = 1.0 if form == "proportional" else calibration_slope(y, t, oof_uplift, bins=10)
    if form == "uplift":
        probe = clone_model(models[name]).fit(X[~held], t[~held], y[~held])
        score = probe.predict(X[held])
    else:
        score = TLearner(GB, seed).fit(X[~held], t[~held], y[~held]).outcomes(X[held])[0]
    validation = score_uplift(y[held], t[held], score, seed=seed).to_dict()
    curve = curve_points(y[held], t[held], score)
    fitted = models[name].fit(X, t, y)
    centre = float(np.mean(fitted.predict(X)))
    base = TLearner(GB, seed).fit(X, t, y)
    base_centre = float(np.mean(base.outcomes(X)[0]))
    return UpliftFit(
        name,
        fitted,
        base,
        scores,
        validation,
        curve,
        len(t),
        list(history.features.columns),
        history.experiment,
        float(y[t == 1].mean() - y[t == 0].mean()),
        centre,
        slope,
        form,
        base_centre,
        {
            "carves": check.carves,
            "qini": {k: round(v, 4) for k, v in check.scores.items()},
            # uplift minus proportional, paired per carve, and its standard error
            "uplift_ahead": round(check.behind["proportional"] - check.behind["uplift"], 4),
            "se": round(max(check.se.values()), 4),
            "effect_z": round(effect_z(y, t), 2),
            "min_effect_z": MIN_EFFECT_Z,
        },
    )


def effect_z(y: np.ndarray, t: np.ndarray) -> float:
    """The past campaign's difference in means over its standard error."""
    a, b = y[t == 1], y[t == 0]
    if len(a) < 2 or len(b) < 2:
        return 0.0
    se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    return float((a.mean() - b.mean()) / se) if se > 0 else 0.0


def choose_form(
    model: Any,
    X: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    seed: int,
    folds: int = FORM_FOLDS,
    repeats: int = FORM_REPEATS,
) -> tuple[str, Selection, np.ndarray]:
    """ "proportional" or "uplift", the check behind it, and the model's out-of-fold uplift
    of every row (first repeat, for the calibration slope).

    Each of `repeats` x `folds` carves is ranked by copies fitted on the rest, once by the
    model's uplift and once by the base rate (what the proportional form ranks by), and
    scored by Qini; the one-standard-error rule (`select.one_se_rule`) keeps the simpler,
    proportional form unless the uplift is better by more than its standard error. With a
    past effect under `MIN_EFFECT_Z` standard errors the form is proportional whatever the
    carves say: one check of a near-zero effect picked noise before (seed 1 of
    bench/campaigns/synthetic.md)."""
    strata = t * 2 + (y > 0).astype(int)
    labels = carve_labels(strata, folds, repeats, seed)
    scores = {"proportional": np.zeros((repeats, folds)), "uplift": np.zeros((repeats, folds))}
    first = np.zeros(len(t))
    for r, label in enumerate(labels):
        for k in range(folds):
            m = label == k
            uplift = clone_model(model).fit(X[~m], t[~m], y[~m]).predict(X[m])
            base = TLearner(GB, seed).fit(X[~m], t[~m], y[~m]).outcomes(X[m])[0]
            scores["uplift"][r, k] = qini_coefficient(y[m], t[m], uplift)
            scores["proportional"][r, k] = qini_coefficient(y[m], t[m], base)
            if r == 0:
                first[m] = uplift
    check = one_se_rule(scores, "qini", f"{repeats}x{folds}")
    form = check.chosen if effect_z(y, t) >= MIN_EFFECT_Z else "proportional"
    return form, check, first


def calibration_slope(y: np.ndarray, t: np.ndarray, score: np.ndarray, bins: int = 5) -> float:
    """How much of the predicted spread of uplift shows on held-out rows: the weighted slope
    of the observed uplift per score quintile on its mean prediction, clipped to [0, 1].
    Small effects under noisy outcomes give a flat slope, so the plan leans on the
    campaign's average effect instead of chasing noise (the winner's curse)."""
    edges = np.quantile(score, np.linspace(0, 1, bins + 1)[1:-1])
    group = np.searchsorted(edges, score, side="right")
    pred, obs, w = [], [], []
    for g in range(bins):
        m = group == g
        if (t[m] == 1).sum() < 2 or (t[m] == 0).sum() < 2:
            continue
        pred.append(score[m].mean())
        obs.append(y[m & (t == 1)].mean() - y[m & (t == 0)].mean())
        w.append(m.sum())
    if len(pred) < 2:
        return 0.0
    p, o, wt = np.array(pred), np.array(obs), np.array(w, dtype=np.float64)
    pc = p - np.average(p, weights=wt)
    var = float(np.sum(wt * pc * pc))
    if var <= 0:
        return 0.0
    return float(np.clip(np.sum(wt * pc * (o - np.average(o, weights=wt))) / var, 0.0, 1.0))


def predict(
    fit: UpliftFit,
    features: pd.DataFrame,
    offers: list[Offer],
    days: float,
    history: History,
) -> tuple[np.ndarray, np.ndarray]:
    """`base_rate[u]` and `uplift[u, o]` over the new campaign's `days`."""
    X = features.loc[:, fit.columns].to_numpy(dtype=np.float64)
    ratio = days / history.days
    mu0, _ = fit.base.outcomes(X)
    base = 1 - np.power(np.clip(1 - mu0, 0.0, 1.0), ratio)
    if fit.form == "proportional":
        tau = mu0 * (fit.ate / fit.base_centre if fit.base_centre > 0 else 0.0) * ratio
    else:
        raw = np.asarray(fit.model.predict(X), dtype=np.float64)
        tau = (fit.ate + fit.slope * (raw - fit.centre)) * ratio
    past = history.strength or PAST_STRENGTH
    uplift = np.column_stack([tau * offer_strength(o) / past for o in offers])
    return base, uplift
