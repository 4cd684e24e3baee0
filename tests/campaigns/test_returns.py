"""Expected returns of an allocation with intervals; the ROI-versus-budget curve."""

from __future__ import annotations

import numpy as np
import pytest

from seamline.campaigns.allocate import allocate
from seamline.campaigns.returns import allocation_returns, roi_curve


def matrices(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    up = rng.beta(1, 15, (n, 3)) - 0.01
    c = np.array([0.5, 2.0, 5.0]) + 10 * (0.1 + up) * np.array([0, 0.5, 1])
    p = up * np.array([60.0, 90.0, 150.0]) - c
    return p, c, up, up * np.array([200.0, 300.0, 500.0])


def test_returns_totals_and_intervals() -> None:
    p, c, conv, rev = matrices()
    a = allocate(p, c, budget=500.0, exact_limit=0)
    r = allocation_returns(a, profit=p, cost=c, conversions=conv, revenue=rev)
    assert r["reach"] == a.users > 0
    assert r["profit"]["value"] == pytest.approx(a.profit)
    assert r["cost"]["value"] == pytest.approx(a.cost) and a.cost <= 500
    for k in ("profit", "cost", "conversions", "revenue", "roi"):
        lo, hi = r[k]["ci"]
        assert lo < r[k]["value"] < hi, k
    assert r["roi"]["value"] == pytest.approx(a.profit / a.cost)


def test_returns_of_nobody() -> None:
    p, c, _, _ = matrices(10)
    r = allocation_returns(allocate(p, c, budget=0.0), profit=p, cost=c)
    assert r["reach"] == 0 and r["roi"]["value"] is None and r["profit"]["value"] == 0


def test_roi_falls_as_the_budget_grows() -> None:
    p, c, _, _ = matrices(2000, seed=1)
    curve = roi_curve(p, c, points=5, exact_limit=0)
    assert len(curve) == 5
    spends = [r["spend"] for r in curve]
    profits = [r["profit"] for r in curve]
    rois = [r["roi"] for r in curve]
    assert all(r["spend"] <= r["budget"] + 1e-9 for r in curve)
    assert spends == sorted(spends) and profits == sorted(profits)
    # The best offers go first, so each extra unit of budget returns less.
    assert rois[0] > rois[-1] > 0
    assert curve[-1]["users"] == int((p > 0).any(axis=1).sum())
