"""Per-user economics count the discount paid to anyway-buyers; matrices feed the allocator."""

from __future__ import annotations

import numpy as np
import pytest

from seamline.campaigns.offers import Offer, economics, offer_caps, offer_matrices


def test_economics_counts_discount_to_anyway_buyers() -> None:
    coupon = Offer(id="c10", kind="coupon", face_value=10, min_spend=50, margin=0.4,
                   order_value=80, contact_cost=0.5)  # fmt: skip
    e = economics(coupon, np.array([0.2, 0.0]), np.array([0.1, 0.0]))
    # user 0: 0.1 x 80 x 0.4 incremental margin - 0.5 contact - 10 x (0.2 + 0.1) redeemed
    assert e.profit[0] == pytest.approx(3.2 - 0.5 - 3)
    assert e.cost[0] == pytest.approx(3.5)
    assert e.revenue[0] == pytest.approx(8 - 3)
    assert e.profit[1] == pytest.approx(-0.5)
    assert e.conversions.tolist() == pytest.approx([0.1, 0.0])


def test_uplift_is_clipped_to_a_probability() -> None:
    o = Offer(id="c", kind="content", margin=0.5, order_value=20)
    e = economics(o, np.array([0.9, 0.1]), np.array([0.5, -0.5]))
    assert e.conversions.tolist() == pytest.approx([0.1, -0.1])


def test_offer_matrices_and_caps() -> None:
    offers = [
        Offer(id="a", kind="content", margin=0.5, order_value=20),
        Offer(
            id="b",
            kind="coupon",
            face_value=5,
            margin=0.5,
            order_value=20,
            contact_cost=1,
            max_users=10,
        ),
    ]
    profit, cost = offer_matrices(offers, np.array([0.1, 0.2]), np.array([[0.1, 0.2], [0, 0]]))
    assert profit.shape == cost.shape == (2, 2)
    assert profit[0].tolist() == pytest.approx([1.0, 2 - 1 - 5 * 0.3])
    assert cost[1].tolist() == pytest.approx([0.0, 1 + 5 * 0.2])
    users, money = offer_caps(offers)
    assert users.tolist() == [np.inf, 10] and money.tolist() == [np.inf, np.inf]
    with pytest.raises(ValueError, match="one column per offer"):
        offer_matrices(offers, np.array([0.1]), np.array([[0.1]]))


def test_a_stated_pull_replaces_the_assumed_strength() -> None:
    from seamline.campaigns.predict import offer_strength

    message = Offer(id="m", kind="content", contact_cost=0.05)
    assert offer_strength(message) == pytest.approx(0.05)  # the planner's assumption
    assert offer_strength(message.model_copy(update={"pull": 0.02})) == pytest.approx(0.02)
    coupon = Offer(id="c", kind="coupon", face_value=30, order_value=300)
    assert offer_strength(coupon) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="pull"):
        Offer(id="x", kind="content", pull=0)
