"""Experiment read-out on Spark: the same per-arm sums, KPIs and analysis as on DuckDB."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from seamline.engine import EngineConfig
from seamline.errors import ConfigError
from seamline.experiments.campaign_log import import_synthetic_campaign
from seamline.experiments.report import analysis_settings, experiment_report
from seamline.workspace import Workspace


def _close(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where two JSON-like values differ (numbers beyond 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _close(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: lengths {len(a)} != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _close(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, int | float):
        if math.isnan(a) and math.isnan(b):
            return []
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_experiment_readout_on_spark_equals_duckdb(
    spark: EngineConfig, world: tuple[Workspace, Path]
) -> None:
    ws, folder = world
    cfg = import_synthetic_campaign(ws, folder)
    settings = analysis_settings(cfg.extra)
    local = experiment_report(ws, cfg.name, **settings)
    remote = experiment_report(ws, cfg.name, **settings, engine=spark)
    assert local["kpis"] and sum(k["users"] for k in local["kpis"].values()) > 0
    assert _close(local, remote) == []
    by_gender = {"segment_by": "gender", "metrics": ["conversion", "revenue"]}
    assert (
        _close(
            experiment_report(ws, cfg.name, **by_gender),
            experiment_report(ws, cfg.name, **by_gender, engine=spark),
        )
        == []
    )


def test_segment_breakdown_on_spark_is_refused_in_one_line(
    spark: EngineConfig, world: tuple[Workspace, Path]
) -> None:
    ws, folder = world
    cfg = import_synthetic_campaign(ws, folder)
    with pytest.raises(ConfigError, match="DuckDB engine only"):
        experiment_report(ws, cfg.name, segment_by="segment", engine=spark)
