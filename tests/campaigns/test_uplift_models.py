"""Uplift models find a known heterogeneous effect; metrics behave at their extremes."""

from __future__ import annotations

import numpy as np
import pytest

from _support.uplift import campaign_frame, true_lift
from seamline.campaigns.uplift import (
    ClassTransformation,
    Learner,
    SLearner,
    TLearner,
    UpliftModel,
    XLearner,
    score_uplift,
    uplift_study,
)
from seamline.campaigns.uplift.metrics import auuc, qini_coefficient, top_k_ratio
from seamline.campaigns.uplift.tabular import TabularEncoder
from seamline.errors import DataError

MODELS = {
    "t_gb": lambda: TLearner(Learner("gb"), 0),
    "t_lr": lambda: TLearner(Learner("linear"), 0),
    "s_gb": lambda: SLearner(Learner("gb"), 0),
    "x": lambda: XLearner(Learner("gb"), Learner("gb", {"max_depth": 2}), 0),
    "x_prop": lambda: XLearner(Learner("gb"), seed=0, propensity_learner=Learner("linear")),
    "ct": lambda: ClassTransformation(Learner("gb"), 0),
    "ct_lr": lambda: ClassTransformation(Learner("linear"), 0),
}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    df = campaign_frame(6000, seed=1)
    enc = TabularEncoder().fit(df, ["age", "tier", "city"])
    X = enc.transform(df)
    t = (df["arm"] == "coupon").to_numpy().astype(int)
    return X, t, df["converted"].to_numpy(float), df["spend"].to_numpy(float), true_lift(df)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_models_rank_the_true_effect(name: str, data: tuple[np.ndarray, ...]) -> None:
    X, t, y, _, lift = data
    model = MODELS[name]()
    assert isinstance(model, UpliftModel)
    u = model.fit(X[:4000], t[:4000], y[:4000]).predict(X[4000:])
    # Users with the effect must rank above those without (AUC of uplift vs truth).
    hi, lo = u[lift[4000:] > 0], u[lift[4000:] == 0]
    auc = (hi[:, None] > lo[None, :]).mean()
    assert auc > (0.6 if name == "ct_lr" else 0.75), auc


@pytest.mark.parametrize("name", ["t_gb", "x", "ct"])
def test_continuous_outcome(name: str, data: tuple[np.ndarray, ...]) -> None:
    X, t, _, spend, lift = data
    u = MODELS[name]().fit(X[:4000], t[:4000], spend[:4000]).predict(X[4000:])
    assert u[lift[4000:] > 0].mean() > u[lift[4000:] == 0].mean() + 5


def test_metrics_perfect_random_and_reversed() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    t = rng.integers(0, 2, n)
    lift = (np.arange(n) < n // 4).astype(float) * 0.4
    y = (rng.random(n) < 0.1 + t * lift).astype(float)
    assert qini_coefficient(y, t, lift) > 0.3
    assert auuc(y, t, lift) > 0.3
    assert top_k_ratio(y, t, lift, 0.25) == pytest.approx(4.0, rel=0.25)
    assert qini_coefficient(y, t, -lift) < 0
    assert abs(qini_coefficient(y, t, rng.random(n))) < 0.15
    # The perfect ranking of the observed outcomes scores exactly 1.
    assert qini_coefficient(y, t, y * (2 * t - 1)) == pytest.approx(1.0)


def test_bootstrap_interval_covers_point() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    t = rng.integers(0, 2, n)
    lift = rng.random(n) * 0.3
    y = (rng.random(n) < 0.1 + t * lift).astype(float)
    s = score_uplift(y, t, lift, n_boot=100, seed=0)
    assert s.top30_ratio_ci[0] < s.top30_ratio < s.top30_ratio_ci[1]
    assert s.qini_ci[0] < s.qini < s.qini_ci[1]
    assert s.top30_ratio_ci[0] > 1
    # Same seed, same interval.
    assert score_uplift(y, t, lift, n_boot=100, seed=0) == s


def test_study_chooses_on_validation_and_scores_every_model() -> None:
    df = campaign_frame(4000, seed=2)
    r = uplift_study(
        df, treatment_col="arm", treatment="coupon", control="none", outcome="converted",
        exclude=["spend"], seed=5, n_boot=50,
    )  # fmt: skip
    assert r["features"] == ["age", "tier", "city"]
    assert r["test_rows"] == 1200 and r["train_rows"] == 2800
    assert set(r["models"]) == {"t_learner_gb", "t_learner_lr", "x_learner", "class_transformation"}
    chosen = r["models"][r["chosen"]]
    assert r["top30_ratio"] == chosen["top30_ratio"]
    # Chosen on validation alone: the simplest model within one standard error of the best.
    assert r["chosen"] == r["within_one_se"][0]
    assert chosen["validation_behind"] <= chosen["validation_se"]
    assert r["top30_ratio"] > 1.5 and r["top30_ratio_ci"][0] > 1


def test_encoder_unseen_category_and_missing_numbers() -> None:
    df = campaign_frame(50, seed=0)
    df.loc[0, "age"] = np.nan
    enc = TabularEncoder().fit(df, ["age", "tier"])
    assert enc.feature_names == [
        "age", "age_missing", "tier=bronze", "tier=gold", "tier=silver"
    ]  # fmt: skip
    other = df.head(2).copy()
    other.loc[1, "tier"] = "platinum"
    X = enc.transform(other)
    assert X[1, 2:].sum() == 0 and X[0, 1] == 1


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"outcome": "bought"}, "no column 'bought' (--outcome)"),
        ({"treatment": "sms"}, "has no value 'sms' (--treatment); values: 'coupon', 'none'"),
        ({"outcome": "city"}, "column 'city' (--outcome) must be numeric"),
        ({"exclude": ["nope"]}, "--exclude names no column 'nope'"),
    ],
)
def test_bad_input_names_the_column(kw: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {
        "treatment_col": "arm", "treatment": "coupon", "control": "none",
        "outcome": "converted", "source": "c.csv",
    }  # fmt: skip
    with pytest.raises(DataError, match=r"^c\.csv: ") as e:
        uplift_study(campaign_frame(100), **{**args, **kw})  # type: ignore[arg-type]
    assert needle in str(e.value)


def test_top_k_ratio_without_any_effect_is_undefined() -> None:
    # Reproduced a ZeroDivisionError on a validation carve with equal arm means.
    y = np.array([1.0, 0.0, 1.0, 0.0])
    t = np.array([1, 1, 0, 0])
    assert np.isnan(top_k_ratio(y, t, np.array([0.4, 0.3, 0.2, 0.1]), 0.5))
