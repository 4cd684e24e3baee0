"""A plan's partner export passes the privacy gate: only the campaign arm, partner-keyed
ids, every (offer, age, gender, city) class at least k, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from _support.worlds import world_workspace
from seamline.campaigns import store
from seamline.campaigns.export import export_plan
from seamline.errors import DataError
from seamline.pii.keyring import KeyRing
from seamline.workspace import Workspace

RING = KeyRing((b"partner-test-key-0123456789",))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, int, list[str]]:
    ws, _ = world_workspace(tmp_path_factory.mktemp("export"), 600, 5)
    with ws.connect(read_only=True) as con:
        users = [r[0] for r in con.execute("SELECT user_id FROM users ORDER BY 1").fetchall()]
    users = users[:400]
    arm = ["control" if i % 5 == 0 else "campaign" for i in range(len(users))]
    frame = pd.DataFrame(
        {
            "user_id": users, "offer_id": ["c30" if i % 2 else "b1" for i in range(len(users))],
            "arm": arm, "uplift": 0.01, "expected_profit": 1.0, "expected_cost": 0.5,
            "channel": "push", "language": "zh", "items": "[]", "message": "hi",
        }
    )  # fmt: skip
    plan_id = store.save_plan(ws, "p", {"name": "p"}, {"totals": {}}, "campaign-p", frame, 0.1)
    control = [u for u, a in zip(users, arm, strict=True) if a == "control"]
    return ws, plan_id, control


def test_export_is_k_anonymous_and_leaves_the_holdout_out(
    planned: tuple[Workspace, int, list[str]], tmp_path: Path
) -> None:
    ws, plan_id, control = planned
    out = tmp_path / "plan.csv"
    s = export_plan(ws, out, plan_id, k=5, partner="linen_loom", keyring=RING)
    got = pd.read_csv(out, dtype=str)
    assert s["satisfies_k"] and s["min_class_size"] >= 5 and s["rows"] == len(got)
    assert list(got.columns) == ["partner_id", "offer_id", "age", "gender", "city"]
    assert s["rows"] + s["suppressed_users"] == 320  # the campaign arm, 80 held out
    assert got.groupby(["offer_id", "age", "gender", "city"]).size().min() >= 5
    held = {RING.derive("partner:linen_loom", u) for u in control}
    assert not held & set(got["partner_id"])
    assert json.loads(Path(f"{out}.privacy.json").read_text(encoding="utf-8"))["k"] == 5
    with ws.connect(read_only=True) as con:
        audit = con.execute("SELECT subject FROM privacy_audit WHERE action = 'export'").fetchall()
    assert (f"campaign plan {plan_id}",) in audit


def test_an_unmeetable_k_writes_nothing(
    planned: tuple[Workspace, int, list[str]], tmp_path: Path
) -> None:
    ws, plan_id, _ = planned
    out = tmp_path / "x.csv"
    with pytest.raises(DataError, match="cannot be met"):
        export_plan(ws, out, plan_id, k=1000, keyring=RING)
    assert not out.exists()
