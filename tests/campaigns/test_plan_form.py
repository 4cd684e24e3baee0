"""The planner's uplift form: the model's own uplift only when the past effect is clear and
the model ranks repeated carves better than the base rate by more than one standard error."""

from __future__ import annotations

from _support.uplift import band_campaign
from seamline.campaigns.predict import choose_form, effect_z
from seamline.campaigns.uplift.models import Learner, TLearner


def test_planner_form_trusts_a_clear_uplift_only() -> None:
    lr = TLearner(Learner("linear"), 0)
    # A large effect that the base rate (flat here) cannot rank: the model's uplift.
    X, t, y = band_campaign(6000, seed=4, lift=0.35)
    form, check, oof = choose_form(TLearner(Learner("gb"), 0), X, t, y, seed=1)
    assert form == "uplift" and check.chosen == "uplift" and len(oof) == len(y)
    assert effect_z(y, t) > 3
    # No effect at all: proportional, whatever one carve would say.
    X, t, y = band_campaign(3000, seed=5, lift=0.0)
    assert abs(effect_z(y, t)) < 3
    assert choose_form(lr, X, t, y, seed=1)[0] == "proportional"
