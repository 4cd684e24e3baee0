"""Features on Spark: the same table as on DuckDB, from the same SQL definitions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.engine import EngineConfig
from seamline.features import FeatureConfig, build_features, load_features
from seamline.workspace import Workspace


def _same(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Columns whose values differ (numbers beyond 1e-6: float32 embeddings summed in
    another order)."""
    differ = []
    for c in a.columns:
        x, y = a[c], b[c]
        if x.dtype.kind in "fiub" and y.dtype.kind in "fiub":
            ok = np.allclose(x.astype(float), y.astype(float), rtol=1e-6, atol=1e-6, equal_nan=True)
        else:
            ok = x.astype(object).where(x.notna(), None).tolist() == (
                y.astype(object).where(y.notna(), None).tolist()
            )
        if not ok:
            differ.append(c)
    return differ


def test_features_on_spark_equal_duckdb(spark: EngineConfig, world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    cfg = FeatureConfig(utc_offset_hours=8.0, embedding_dim=4)
    local = build_features(ws, cfg)
    a = load_features(ws)
    remote = build_features(ws, cfg, engine=spark)
    b = load_features(ws)
    assert remote.users == local.users == len(a) > 0
    assert remote.columns == local.columns
    assert list(b.columns) == list(a.columns)
    assert _same(a, b) == []
    assert a["rfm_group"].nunique() > 2 and a["weekend_share"].between(0, 1).all()
    assert not (ws.path / "spark-staging").exists() or not any(
        (ws.path / "spark-staging").iterdir()
    )


def test_cli_features_reports_the_same_counts(
    spark: EngineConfig, world: tuple[Workspace, Path]
) -> None:
    ws, _ = world
    runs = {}
    for engine in ("duckdb", "spark"):
        args = ["features", "-w", str(ws.path), "--families", "rfm,engagement", "--json"]
        args += ["--engine", engine] + (["--master", "local[2]"] if engine == "spark" else [])
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        runs[engine] = json.loads(result.stdout)
    assert runs["spark"]["users"] == runs["duckdb"]["users"] > 0
    assert runs["spark"]["columns"] == runs["duckdb"]["columns"]
    assert runs["spark"]["version"] == runs["duckdb"]["version"] + 1


def test_cli_refuses_master_without_spark(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    result = CliRunner().invoke(app, ["features", "-w", str(ws.path), "--master", "local[2]"])
    assert result.exit_code == 2
    assert "--master needs --engine spark" in result.output
