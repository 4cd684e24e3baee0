"""`seamline features` and `seamline segment`: the interface used to check them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.data.synthetic import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_world")
    w = generate_world(500, 9, folder / "world")
    ws = folder / "ws"
    result = CliRunner().invoke(
        app,
        ["ingest", "-w", str(ws), "--events", w.files["events"], "--items", w.files["items"],
         "--users", w.files["users"], "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return ws


def test_segment_computes_features_and_writes_the_assignment(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "seg.csv"
    result = CliRunner().invoke(
        app,
        ["segment", "--workspace", str(world), "--method", "kmeans", "--k", "auto",
         "--k-max", "6", "--out", str(out), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "kmeans" and 2 <= data["k"] <= 6
    assert data["features_built"] is True
    assert -1 <= data["silhouette"] <= 1
    assert len(data["segments"]) == data["k"]
    for s in data["segments"]:
        assert {"id", "size", "name_en", "name_zh", "profile"} <= set(s)
    csv = pd.read_csv(out)
    assert list(csv.columns) == ["user_id", "segment"] and len(csv) == 500
    assert csv.segment.value_counts().sort_index().tolist() == [s["size"] for s in data["segments"]]


def test_features_then_fixed_k_hierarchical(world: Path) -> None:
    runner = CliRunner()
    feats = runner.invoke(app, ["features", "-w", str(world), "--utc-offset", "8", "--json"])
    assert feats.exit_code == 0, feats.output
    version = json.loads(feats.stdout)["version"]
    assert version >= 1
    seg = runner.invoke(
        app, ["segment", "-w", str(world), "--method", "hierarchical", "--k", "3", "--json"]
    )
    assert seg.exit_code == 0, seg.output
    data = json.loads(seg.stdout)
    assert data["k"] == 3 and data["features_built"] is False
    assert data["features_version"] == version
    table = runner.invoke(app, ["segment", "-w", str(world), "--k", "3"])
    assert table.exit_code == 0 and "silhouette" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "dbscan"], "method"),
        (["--k", "many"], "auto"),
        (["--features", "no_such_column"], "no_such_column"),
    ],
)
def test_bad_options_fail_with_one_line(world: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["segment", "-w", str(world), *args, "--json"])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
