"""The world's true response to future offers (truth/): one row per user, a chance to buy
that an offer only raises, more with a stronger offer and a longer campaign."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seamline.data.synthetic import generate_world
from seamline.data.synthetic.responses import (
    COLUMNS,
    read_truth,
    response_probabilities,
    strength,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(800, 2, out)
    return out


def test_truth_files_one_row_per_user(world: Path) -> None:
    truth = read_truth(world)
    assert list(truth) == list(COLUMNS)
    assert len(truth["user_id"]) == 800 and len(set(truth["user_id"])) == 800
    assert (truth["rate_fashion"] >= 0).all() and (truth["q0_fashion"] <= 1).all()
    assert truth["rate_fashion"].max() > 0 and truth["rate_knowledge"].max() > 0
    model = json.loads((world / "truth" / "offer_response.json").read_text("utf-8"))
    assert model["per_user_file"] == "truth/user_propensity.csv"


def test_offers_only_raise_the_chance_stronger_and_longer_more(world: Path) -> None:
    truth = read_truth(world)
    p0, weak = response_probabilities(truth, "fashion", "coupon", 0.05, 14)
    _, strong = response_probabilities(truth, "fashion", "coupon", 0.2, 14)
    p0_long, long = response_probabilities(truth, "fashion", "coupon", 0.05, 28)
    assert (weak >= p0).all() and (strong >= weak).all() and (strong > weak).any()
    assert (p0_long >= p0).all() and (long - p0_long).sum() > (weak - p0).sum()
    # users who never reach the final step (lapsed segments) are not moved
    idle = truth["rate_fashion"] == 0
    assert idle.any() and np.allclose(strong[idle], 0.0)
    # a message alone: its own strength, more for users who like styling courses
    assert strength("content", 0, 300) < strength("coupon", 30, 300) == pytest.approx(0.1)
    _, content = response_probabilities(truth, "fashion", "content", 0.02, 14)
    fans, others = truth["styling_affinity"] > 0.8, truth["styling_affinity"] < 0.1
    active = truth["rate_fashion"] > 0
    gain = (content - p0) / np.maximum(p0, 1e-9)
    assert gain[fans & active].mean() > gain[others & active].mean()


def test_a_coupon_pays_for_price_sensitive_users_and_loses_on_the_indifferent(
    world: Path,
) -> None:
    # 30 CNY off a 320 CNY order at a 45% margin, 0.5 CNY to send: it pays only where the
    # extra orders outweigh the face value given to users who would buy anyway.
    truth = read_truth(world)
    p0, p1 = response_probabilities(truth, "fashion", "coupon", strength("coupon", 30, 320), 14)
    profit = (p1 - p0) * 320 * 0.45 - 0.5 - 30 * p1
    sens = truth["price_sensitivity"]
    active = p0 > 0.01
    thrifty, indifferent = active & (sens > 1.8), active & (sens < 0.5)
    assert thrifty.sum() > 10 and indifferent.sum() > 10
    assert np.median(profit[thrifty]) > 0 > np.max(profit[indifferent])
    # relative to the base rate, the thrifty gain several times what the indifferent do
    gain = (p1 - p0) / np.maximum(p0, 1e-9)
    assert gain[thrifty].mean() > 3 * gain[indifferent].mean()


def test_the_past_coupon_moved_thrifty_segments_most(world: Path) -> None:
    effect = json.loads((world / "truth" / "campaign.json").read_text("utf-8"))["true_effect"]
    by = effect["by_segment"]

    def relative(seg: str) -> float:
        return by[seg]["conversion_coupon"] / by[seg]["conversion_control"]

    assert relative("budget_students") > relative("fashion_learners") > 1
    assert effect["expected"]["conversion_ate"] > 0
