"""KPIs from the event store, on a hand-made log whose answers are counted by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from seamline.errors import ConfigError
from seamline.experiments.kpis import (
    add_incremental,
    compute_kpis,
    discount_cost,
    incremental_revenue,
)

if TYPE_CHECKING:
    from _support.store import Store

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,coupon_id"
ROWS = [
    "e1,u1,k1,knowledge,view,2026-01-01T09:00:00Z,,",
    "e2,u1,k1,knowledge,click,2026-01-01T09:01:00Z,,",
    "e3,u1,k1,knowledge,enroll,2026-01-01T09:02:00Z,100,",
    "e4,u1,f1,fashion,view,2026-01-02T10:00:00Z,,",
    "e5,u1,k1,knowledge,complete,2026-01-08T10:00:00Z,,",
    "e6,u2,f1,fashion,view,2026-01-01T11:00:00Z,,",
    "e7,u2,f2,fashion,view,2026-01-01T11:01:00Z,,",
    "e8,u2,f1,fashion,click,2026-01-01T11:02:00Z,,",
    "e9,u2,f1,fashion,purchase,2026-01-01T11:03:00Z,50,C1",
    "e10,u2,f2,fashion,view,2026-01-05T11:00:00Z,,",
    "e11,u3,k2,knowledge,view,2026-01-03T12:00:00Z,,",
    "e12,u3,k2,knowledge,enroll,2026-01-03T12:05:00Z,30,",
    "e13,u4,f1,fashion,view,2026-01-10T08:00:00Z,,",
]


@pytest.fixture
def log(store: Store, events_csv: Callable[..., Path]) -> Store:
    store.ingest(events=events_csv(ROWS, header=HEADER))
    return store


def test_kpis_over_the_whole_log(log: Store) -> None:
    with log.ws.connect() as con:
        k = compute_kpis(con, offer_cost=20.0)["all"]
    assert (k["views"], k["clicks"]) == (7, 2) and k["ctr"] == pytest.approx(2 / 7)
    assert (k["active_users"], k["converters"]) == (4, 3) and k["conversion"] == 0.75
    assert (k["orders"], k["revenue"], k["arpu"]) == (3, 180.0, 45.0)
    assert k["redemptions"] == 1 and k["roi"] == pytest.approx((180 - 20) / 20)
    # First days: u1 and u2 on 01-01, u3 on 01-03, u4 on 01-10 (the last day, so not
    # eligible). Day 1: only u1 came back; day 7: only u1 (01-08).
    assert k["d1_retention"] == pytest.approx(1 / 3)
    assert k["d7_retention"] == pytest.approx(1 / 3)
    assert k["completion"] == 0.5  # (u1, k1) of the enrolled pairs (u1, k1), (u3, k2)


def test_window_domain_and_cost_per_redemption(log: Store) -> None:
    with log.ws.connect() as con:
        fashion = compute_kpis(con, domain="fashion", cost_per_redemption=10.0)["all"]
        later = compute_kpis(con, start="2026-01-02T00:00:00Z")["all"]
        coupon = compute_kpis(con, discount_rate=0.2)["all"]
    assert (fashion["views"], fashion["clicks"], fashion["revenue"]) == (5, 1, 50.0)
    assert fashion["offer_cost"] == 10.0 and fashion["roi"] == pytest.approx(4.0)
    assert math.isnan(fashion["completion"])
    assert (later["views"], later["revenue"], later["converters"]) == (4, 30.0, 1)
    assert coupon["offer_cost"] == pytest.approx(50 * 0.2 / 0.8)


def test_kpis_per_group(log: Store) -> None:
    with log.ws.connect() as con:
        con.execute(
            "CREATE TABLE g AS SELECT * FROM (VALUES ('u1', 'a'), ('u2', 'b'), ('u4', 'b'), "
            "('u9', 'b')) t(user_id, grp)"
        )
        k = compute_kpis(con, groups="g")
    assert k["a"]["users"] == 1 and k["a"]["revenue"] == 100.0
    assert (k["b"]["users"], k["b"]["active_users"], k["b"]["converters"]) == (3, 2, 1)
    assert k["b"]["revenue_per_user"] == pytest.approx(50 / 3)


def test_unknown_domain_is_refused(log: Store) -> None:
    with log.ws.connect() as con, pytest.raises(ConfigError, match="unknown domain"):
        compute_kpis(con, domain="cars")


def test_offer_cost_and_incremental_revenue_formulas() -> None:
    # 80 paid at 20% off: the buyers saved 20 (the full price was 100).
    assert discount_cost(80.0, 0.2) == pytest.approx(20.0)
    assert incremental_revenue(12.0, 10.0, 50) == pytest.approx(100.0)
    kpis = {
        "control": {"users": 50.0, "revenue_per_user": 10.0, "offer_cost": math.nan},
        "coupon": {"users": 50.0, "revenue_per_user": 12.0, "offer_cost": 40.0},
        "free": {"users": 10.0, "revenue_per_user": 11.0, "offer_cost": 0.0},
    }
    add_incremental(kpis, "control")
    assert "incremental_revenue" not in kpis["control"]
    assert kpis["coupon"]["incremental_revenue"] == pytest.approx(100.0)
    assert kpis["coupon"]["incremental_roi"] == pytest.approx(2.5)
    assert kpis["free"]["incremental_revenue"] == pytest.approx(10.0)
    assert math.isnan(kpis["free"]["incremental_roi"])  # no cost, no return ratio
