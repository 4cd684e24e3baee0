"""Audience selection: behaviour rules count events of an action, domain and category in
the days before the campaign, as parameters (a quote in a value is data, not SQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _support.campaigns import example
from seamline.campaigns.audience import select_audience
from seamline.campaigns.spec import CampaignSpec
from seamline.workspace import Workspace

ITEMS = [
    {"item_id": "S1", "domain": "knowledge", "category": "fashion_design", "title": "s1"},
    {"item_id": "S2", "domain": "knowledge", "category": "fashion_design", "title": "s2"},
    {"item_id": "P1", "domain": "knowledge", "category": "programming", "title": "p1"},
    {"item_id": "D1", "domain": "fashion", "category": "dresses", "title": "d1"},
    {"item_id": "Q1", "domain": "fashion", "category": "it's", "title": "q"},
]


def ev(i: int, user: str, item: str, domain: str, kind: str, day: str) -> dict[str, Any]:
    return {
        "event_id": f"E{i}", "user_id": user, "item_id": item, "domain": domain,
        "event_type": kind, "timestamp": f"2026-{day}T04:00:00Z",
        "value": 100.0 if kind in ("purchase", "enroll") else None,
    }  # fmt: skip


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    assert ws.ingest_rows(ITEMS, "items", table="items").to_dict()["accepted"] == len(ITEMS)
    rows = [
        # a: 3 styling views in October, never bought fashion -> in
        *(ev(i, "a", "S1", "knowledge", "view", f"10-{10 + i:02d}") for i in range(3)),
        # b: 3 styling views but bought a dress -> out
        *(ev(10 + i, "b", "S2", "knowledge", "view", f"10-{10 + i:02d}") for i in range(3)),
        ev(20, "b", "D1", "fashion", "purchase", "10-20"),
        # c: styling views too long ago (July) -> out
        *(ev(30 + i, "c", "S1", "knowledge", "view", f"07-{10 + i:02d}") for i in range(3)),
        # d: 3 views of programming courses -> out
        *(ev(40 + i, "d", "P1", "knowledge", "view", f"10-{10 + i:02d}") for i in range(3)),
        # e: 2 styling views before and 5 after the campaign starts -> out
        *(ev(50 + i, "e", "S1", "knowledge", "view", f"10-{28 + i:02d}") for i in range(2)),
        *(ev(60 + i, "e", "S2", "knowledge", "view", f"11-{2 + i:02d}") for i in range(5)),
        # f: bought an item of the category named "it's"
        ev(70, "f", "Q1", "fashion", "purchase", "10-01"),
    ]
    assert ws.ingest_rows(rows, "events").to_dict()["accepted"] == len(rows)
    return ws


def spec(**audience: Any) -> CampaignSpec:
    return CampaignSpec.model_validate({**example(), "audience": audience})


def test_viewed_styling_courses_and_never_bought_fashion(ws: Workspace) -> None:
    rules = [
        {"action": "viewed", "domain": "knowledge", "category": "fashion_design",
         "at_least": 3, "days": 30},
        {"action": "bought", "domain": "fashion", "at_most": 0},
    ]  # fmt: skip
    got = select_audience(ws, spec(rules=rules))
    assert got.user_ids == ["a"]
    assert [n for _, n in got.steps] == [6, 2, 1]  # all, a and b, a
    assert got.steps[1][0] == "viewed knowledge fashion_design >= 3 in 30 days"


def test_values_are_parameters_and_max_users_is_a_seeded_cap(ws: Workspace) -> None:
    quoted = [{"action": "bought", "category": "it's", "at_least": 1}]
    assert select_audience(ws, spec(rules=quoted)).user_ids == ["f"]
    everyone = select_audience(ws, spec())
    assert everyone.user_ids == ["a", "b", "c", "d", "e", "f"]  # events before the start
    capped = select_audience(ws, spec(max_users=2))
    assert capped.size == 2 and set(capped.user_ids) <= set(everyone.user_ids)
    assert select_audience(ws, spec(max_users=2)).user_ids == capped.user_ids
