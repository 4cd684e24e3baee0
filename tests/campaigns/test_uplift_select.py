"""The model choice on repeated validation carves: reproducible from its seed, picks a model
that is clearly better, and falls back to the simplest candidate when nothing is."""

from __future__ import annotations

import numpy as np
import pytest

from _support.uplift import band_campaign
from seamline.campaigns.uplift import default_models, select_model
from seamline.campaigns.uplift.select import carve_labels, one_se_rule


def test_one_se_rule_prefers_the_simplest_within_noise() -> None:
    flat = np.array([[0.10, 0.30, 0.20], [0.20, 0.10, 0.30]])
    wobble = np.array([[0.05, -0.03, 0.01], [0.03, -0.04, 0.02]])  # ahead on average only
    scores = {"simple": flat, "complex": flat + wobble}
    s = one_se_rule(scores)
    assert s.scores["complex"] > s.scores["simple"]
    assert s.chosen == "simple" and s.within == ["simple", "complex"]
    # The same margin with no spread between carves is beyond noise.
    steady = {"simple": np.full((2, 3), 0.1), "complex": np.full((2, 3), 0.2)}
    assert one_se_rule(steady).chosen == "complex"
    assert one_se_rule(steady).behind["simple"] == pytest.approx(0.1)


def test_carves_are_stratified_partitions_from_the_seed() -> None:
    strata = np.repeat([0, 1, 2, 3], 50)
    a = carve_labels(strata, 5, 2, seed=3)
    assert len(a) == 2 and not np.array_equal(a[0], a[1])
    for label in a:
        assert sorted(np.bincount(label)) == [40] * 5
        assert all(np.bincount(label[strata == s]).tolist() == [10] * 5 for s in range(4))
    assert all(np.array_equal(x, y) for x, y in zip(a, carve_labels(strata, 5, 2, 3), strict=True))


def test_choice_is_reproducible_from_the_seed() -> None:
    X, t, y = band_campaign(3000, seed=1, lift=0.2)
    a = select_model(default_models(0), X, t, y, seed=4)
    b = select_model(default_models(0), X, t, y, seed=4)
    assert a == b
    assert a.carves == "2x5" and set(a.scores) == set(default_models(0))


def test_a_clearly_better_model_is_chosen() -> None:
    # Gradient boosting is the last (most flexible) candidate: chosen only by a clear margin.
    X, t, y = band_campaign(6000, seed=2, lift=0.35)
    s = select_model(default_models(0), X, t, y, seed=1)
    assert s.chosen == "t_learner_gb"
    assert s.within == ["t_learner_gb"]
    assert all(s.behind[n] > s.se[n] for n in s.scores if n != "t_learner_gb")


def test_no_signal_falls_back_to_the_simplest_model() -> None:
    X, t, y = band_campaign(3000, seed=3, lift=0.0)
    s = select_model(default_models(0), X, t, y, seed=1)
    assert s.chosen == next(iter(default_models(0))) == "class_transformation"
    assert "class_transformation" in s.within


def test_bad_settings_are_refused() -> None:
    X, t, y = band_campaign(200, seed=3, lift=0.0)
    with pytest.raises(ValueError, match="criterion"):
        select_model(default_models(0), X, t, y, criterion="auc")
    with pytest.raises(ValueError, match="folds"):
        select_model(default_models(0), X, t, y, folds=1)
