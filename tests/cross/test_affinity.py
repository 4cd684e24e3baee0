"""Segments' cross-domain affinity: the target categories a segment's source behaviour
predicts, with lift over everyone's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seamline.segments.affinity import cross_affinity
from seamline.workspace import Workspace


def test_each_group_s_courses_predict_its_own_clothes(
    two_domain_frame: pd.DataFrame, tmp_path: Path
) -> None:
    # group g (users u % 4 == g) mostly takes items i % 4 == g in both domains; clothes of
    # group g are category "cat<g>", so a group's courses should point at its category
    items = pd.DataFrame(
        [(f"cloth-{i}", "fashion", f"cat{i % 4}") for i in range(40)]
        + [(f"course-{i}", "knowledge", f"topic{i % 4}") for i in range(40)],
        columns=["item_id", "domain", "category"],
    )
    frame = two_domain_frame.loc[two_domain_frame["item_id"].isin(set(items["item_id"]))]
    frame.to_csv(tmp_path / "events.csv", index=False)
    items.to_csv(tmp_path / "items.csv", index=False)
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=tmp_path / "events.csv", items=tmp_path / "items.csv")
    users = pd.Series([f"u{u}" for u in range(240)])
    labels = np.arange(240) % 4
    aff = cross_affinity(ws, users, labels)
    assert sorted(aff) == [0, 1, 2, 3]
    for g in range(4):
        top = aff[g]["knowledge->fashion"][0]
        assert top["category"] == f"cat{g}" and top["lift"] > 1.5
        back = aff[g]["fashion->knowledge"][0]
        assert back["category"] == f"topic{g}"
        assert 0 < top["share"] <= 1


def test_one_domain_has_no_affinity(tmp_path: Path) -> None:
    ev = pd.DataFrame(
        {"user_id": ["a", "b", "c"], "item_id": ["x", "y", "x"], "domain": "fashion",
         "event_type": "view", "timestamp": "2026-01-01T00:00:00Z"}
    )  # fmt: skip
    ev.to_csv(tmp_path / "e.csv", index=False)
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=tmp_path / "e.csv")
    assert cross_affinity(ws, pd.Series(["a", "b", "c"]), np.array([0, 1, 0])) == {0: {}, 1: {}}
