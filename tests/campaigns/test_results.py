"""Campaign results on a hand-made campaign: the day-by-day curve uses the experiments'
offer-cost and incremental-revenue formulas and ends where the experiment report does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seamline.campaigns.results import campaigns
from seamline.experiments.store import create_experiment, record_exposures
from seamline.workspace import Workspace


def ev(
    i: int, user: str, day: int, event_type: str, value: float | None = None, **kw: Any
) -> dict[str, Any]:
    return {
        "event_id": f"E{i}",
        "user_id": user,
        "item_id": "F1",
        "domain": "fashion",
        "event_type": event_type,
        "timestamp": f"2026-09-{day:02d}T12:00:00Z",
        "value": value,
        **kw,
    }


@pytest.fixture
def campaign_ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    events = [
        # control: c1 buys 100 on day 1, c2 only views
        ev(1, "c1", 1, "purchase", 100.0),
        ev(2, "c2", 1, "view"),
        # coupon: t1 buys 80 with the coupon on day 1, t2 buys 160 with it on day 2
        ev(3, "t1", 1, "purchase", 80.0, coupon_id="C20"),
        ev(4, "t2", 2, "purchase", 160.0, coupon_id="C20"),
        ev(5, "t2", 9, "purchase", 999.0),  # after the window: not counted
    ]
    summary = ws.ingest_rows(events, "events")
    assert summary.to_dict()["accepted"] == len(events)
    design = {
        "name": "c20",
        "arms": [{"name": "control"}, {"name": "coupon"}],
        "start": "2026-09-01T00:00:00Z",
        "end": "2026-09-08T00:00:00Z",
        "extra": {"coupon_id": "C20", "discount": 0.2},
    }
    create_experiment(ws, design)
    record_exposures(
        ws, "c20", [("c1", "control"), ("c2", "control"), ("t1", "coupon"), ("t2", "coupon")]
    )
    return ws


def test_the_curve_prices_the_discount_and_ends_at_the_report(campaign_ws: Workspace) -> None:
    found = campaigns(campaign_ws)
    assert [c["coupon_id"] for c in found["coupons"]] == ["C20"]
    (camp,) = found["campaigns"]
    day1, day2 = camp["curve"]
    assert (day1["day"], day2["day"]) == ("2026-09-01", "2026-09-02")
    # Cumulative revenue per exposed user (two users per arm).
    assert day1["revenue_per_user"] == {"control": 50.0, "coupon": 40.0}
    assert day2["revenue_per_user"] == {"control": 50.0, "coupon": 120.0}
    # Incremental revenue: (coupon - control) per user x coupon users.
    assert day1["incremental"]["coupon"] == pytest.approx(-20.0)
    assert day2["incremental"]["coupon"] == pytest.approx(140.0)
    # Offer cost of a 20% discount on 80 + 160 paid: 240 x 0.2 / 0.8 = 60.
    assert day1["roi"]["coupon"] == pytest.approx(-20.0 / 20.0)
    assert day2["roi"]["coupon"] == pytest.approx(140.0 / 60.0)
    kpis = camp["kpis"]["coupon"]
    assert kpis["incremental_revenue"] == pytest.approx(day2["incremental"]["coupon"])
    assert kpis["offer_cost"] == pytest.approx(60.0)
    assert "control" not in day2["incremental"] and day2["roi"].get("control") is None
