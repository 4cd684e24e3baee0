"""Plan storage: a plan and its rows round-trip; plans are listed newest first and found
by id or name; previews take one message per (offer, channel, language)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from seamline.campaigns import store
from seamline.errors import NotFoundError
from seamline.workspace import Workspace


def rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [f"U{i}" for i in range(n)],
            "offer_id": ["coupon" if i % 2 else "content" for i in range(n)],
            "arm": ["control" if i % 5 == 0 else "campaign" for i in range(n)],
            "uplift": [0.01 * i for i in range(n)],
            "base_rate": [0.1] * n,
            "expected_profit": [1.0] * n,
            "expected_cost": [0.5] * n,
            "channel": ["app_push"] * n,
            "language": ["zh" if i % 3 else "en" for i in range(n)],
            "items": ['["F1", "F2"]'] * n,
            "message": [f"hello U{i}" for i in range(n)],
        }
    )


def test_plans_round_trip_and_resolve(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    assert store.list_plans(ws) == []
    with pytest.raises(NotFoundError, match="no campaign plans"):
        store.get_plan(ws)
    summary = {"totals": {"users": 10, "spend": 5.0}}
    first = store.save_plan(ws, "a", {"name": "a"}, summary, "campaign-a", rows(10), 0.1)
    second = store.save_plan(ws, "b", {"name": "b"}, summary, "campaign-b", rows(4), 0.1)
    assert (first, second) == (1, 2)
    assert [p["plan_id"] for p in store.list_plans(ws)] == [2, 1]
    assert store.get_plan(ws)["name"] == "b"
    assert store.get_plan(ws, "a")["experiment"] == "campaign-a"
    assert store.get_plan(ws, 1)["summary"] == summary
    frame = store.allocations(ws, "a")
    assert len(frame) == 10 and frame["items"][0] == ["F1", "F2"]
    with pytest.raises(NotFoundError, match="no campaign plan 'zzz'"):
        store.get_plan(ws, "zzz")

    shown = store.previews(ws, 1)
    variants = {(p["offer_id"], p["channel"], p["language"]) for p in shown}
    assert len(shown) == len(variants) == 4  # 2 offers x 2 languages, campaign arm only
    store.save_result(ws, 1, "simulation", {"events": 3})
    store.save_result(ws, 1, "simulation", {"events": 4})
    assert store.get_plan(ws, 1)["results"]["simulation"]["events"] == 4
