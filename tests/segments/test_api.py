"""Stored runs and the read side: segment_list, user_segment, export, report section."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from seamline.data.synthetic import generate_world
from seamline.errors import DataError
from seamline.features import FeatureConfig, build_features
from seamline.pipeline import write_report
from seamline.report.segments import segments_section
from seamline.segments import (
    SegmentConfig,
    export_assignment,
    latest_run,
    run_segmentation,
    segment_list,
    user_segment,
)
from seamline.segments.api import KEEP_RUNS
from seamline.workspace import Workspace

FAST = {"k_max": 5, "bootstrap": 0, "n_init": 2}


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("small")
    w = generate_world(600, 3, folder / "world")
    ws = Workspace(folder / "ws")
    ws.ingest(events=w.files["events"], items=w.files["items"], users=w.files["users"])
    build_features(ws, FeatureConfig(embedding_dim=4))
    return ws


def test_nothing_stored_yet(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "empty")
    assert segment_list(ws) == [] and user_segment(ws, "u1") is None
    assert latest_run(ws) is None and segments_section(ws) is None
    with pytest.raises(DataError, match="seamline segment"):
        export_assignment(ws, tmp_path / "x.csv")
    with pytest.raises(DataError, match="seamline features"):
        run_segmentation(ws)


def test_run_is_stored_and_served(small_ws: Workspace, tmp_path: Path) -> None:
    result = run_segmentation(small_ws, SegmentConfig(k=4, **FAST))  # type: ignore[arg-type]
    assert result["k"] == 4 and result["k_selection"] == "fixed"
    assert {"method", "k", "silhouette", "segments"} <= set(result)
    listed = segment_list(small_ws)
    assert [s["id"] for s in listed] == [0, 1, 2, 3]
    assert [s["name_en"] for s in listed] == [s["name_en"] for s in result["segments"]]
    assert sum(s["size"] for s in listed) == result["users"] == 600
    for s in listed:
        assert s["name_zh"] and s["profile"]["description_zh"]
        assert set(s["profile"]) >= {"demographics", "top_categories", "spend", "lift"}
    csv = pd.read_csv(export_assignment(small_ws, tmp_path / "a.csv"))
    assert list(csv.columns) == ["user_id", "segment"] and len(csv) == 600
    first = csv.iloc[0]
    got = user_segment(small_ws, first.user_id)
    assert got is not None and got["id"] == first.segment and got["run_id"] == result["run_id"]
    assert got["name_en"] == listed[first.segment]["name_en"]
    assert got["rfm_group"]
    assert user_segment(small_ws, "nobody") is None


def test_only_the_newest_assignments_are_kept(small_ws: Workspace) -> None:
    runs = [
        run_segmentation(small_ws, SegmentConfig(k=2, **FAST))["run_id"]  # type: ignore[arg-type]
        for _ in range(KEEP_RUNS + 1)
    ]
    with small_ws.connect(read_only=True) as con:
        kept = [
            r[0] for r in con.execute("SELECT DISTINCT run_id FROM segments ORDER BY 1").fetchall()
        ]
    assert kept == runs[-KEEP_RUNS:]
    with pytest.raises(DataError, match="only the newest"):
        export_assignment(small_ws, small_ws.path / "old.csv", run_id=runs[0])


def test_report_has_the_segments_section(small_ws: Workspace) -> None:
    run_segmentation(small_ws, SegmentConfig(method="hierarchical", **FAST))  # type: ignore[arg-type]
    html = write_report(small_ws).read_text(encoding="utf-8")
    assert 'id="segments"' in html
    for s in segment_list(small_ws):
        assert s["name_zh"] in html
    assert html.count("<svg") >= 4  # sizes, heatmap, projection, RFM groups
    assert "Choosing k" in html and "Davies-Bouldin" in html
