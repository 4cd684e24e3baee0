"""Experiments in a workspace: designs, exposures, reports from the event store, and the
synthetic world's coupon campaign recovered within its interval."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from _support.worlds import world_workspace
from seamline.errors import ConfigError, DataError
from seamline.experiments.assignment import ExperimentConfig, assign
from seamline.experiments.campaign_log import analyze_synthetic_campaign
from seamline.experiments.report import experiment_report
from seamline.experiments.store import (
    assign_user,
    assign_users,
    create_experiment,
    list_experiments,
    record_exposures,
)
from seamline.report.experiments import experiments_section
from seamline.workspace import Workspace

USERS = 3000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    return world_workspace(tmp_path_factory.mktemp("abworld"), USERS, 7)


@pytest.fixture(scope="module")
def campaign(world: tuple[Workspace, Path]) -> tuple[dict[str, Any], dict[str, Any]]:
    ws, w = world
    report = analyze_synthetic_campaign(ws, w)
    truth = json.loads((w / "truth" / "campaign.json").read_text(encoding="utf-8"))
    return report, truth


def _row(report: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(r for r in report["results"] if r["metric"] == metric and r["arm"] == "coupon")


def test_campaign_effect_is_recovered_within_its_interval(
    campaign: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    report, truth = campaign
    true = truth["true_effect"]["sample"]
    conv, rev = _row(report, "conversion"), _row(report, "revenue")
    assert conv["test"] == "cuped" and rev["test"] == "cuped"
    assert conv["ci_low"] <= true["conversion_ate"] <= conv["ci_high"]
    assert rev["ci_low"] <= true["revenue_per_user_ate"] <= rev["ci_high"]
    assert report["arms"] == {"control": USERS // 2, "coupon": USERS // 2}
    assert not report["srm_flagged"]


def test_campaign_kpis_match_what_the_arms_realised(
    campaign: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    report, truth = campaign
    for arm in ("control", "coupon"):
        k, real = report["kpis"][arm], truth["realised"][arm]
        assert k["users"] == real["users"]
        # Sessions crossing the window's edges may shift a handful of events.
        assert k["converters"] == pytest.approx(real["converters"], abs=3)
        assert k["revenue"] == pytest.approx(real["revenue"], rel=0.02)
    assert report["kpis"]["coupon"]["redemptions"] == truth["realised"]["coupon"]["orders"]
    assert report["kpis"]["coupon"]["offer_cost"] > 0


def test_report_section_shows_the_campaign(
    world: tuple[Workspace, Path], campaign: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    section = experiments_section(world[0])
    assert section is not None and section.id == "experiments"
    assert "<svg" in section.html and "coupon-sep2026" in section.html
    assert "KPIs per arm" in section.html


def test_assignment_is_recorded_once(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    cfg = create_experiment(ws, {"name": "banner", "arms": [{"name": "off"}, {"name": "on"}],
                                 "holdout": 0.1})  # fmt: skip
    first = assign_user(ws, "banner", "U0000001")
    assert first == assign(cfg, "U0000001")
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert assign_user(ws, "banner", "U0000001", at=later) == first
    listed = {e["name"]: e for e in list_experiments(ws)}
    assert sum(listed["banner"]["exposures"].values()) == 1
    with ws.connect() as con:
        (when,) = con.execute(
            "SELECT exposed_at FROM exposures WHERE experiment = 'banner'"
        ).fetchall()[0]
    assert when < later  # the first exposure is kept
    # Same design again is a no-op; another design needs replace=True.
    create_experiment(ws, cfg)
    with pytest.raises(ConfigError, match="already exists"):
        create_experiment(ws, ExperimentConfig("banner", holdout=0.2))


def test_live_experiment_report_with_breakdown(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    create_experiment(
        ws,
        ExperimentConfig(
            "live-test", start="2026-08-01T00:00:00Z", end="2026-09-01T00:00:00Z",
            metrics=("conversion", "revenue", "ctr"),
        ),
    )  # fmt: skip
    users = [f"U{i:07d}" for i in range(1, USERS + 1)]
    arms = assign_users(ws, "live-test", users)
    rep = experiment_report(ws, "live-test", segment_by="gender", correction="bh")
    assert sum(rep["arms"].values()) == len(arms)
    assert {r["metric"] for r in rep["results"]} == {"conversion", "revenue", "ctr"}
    assert next(r for r in rep["results"] if r["metric"] == "ctr")["test"] == "ratio"
    assert {s["segment"] for s in rep["segments"]} >= {"f", "m"}
    seq = experiment_report(ws, "live-test", method="sequential", metrics=["conversion"])
    (fixed,) = [r for r in rep["results"] if r["metric"] == "conversion"]
    assert seq["results"][0]["ci_high"] - seq["results"][0]["ci_low"] > (
        fixed["ci_high"] - fixed["ci_low"]
    )


def test_report_counts_the_holdout(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    create_experiment(ws, ExperimentConfig("held", holdout=0.2, metrics=("conversion",)))
    arms = assign_users(ws, "held", [f"U{i:07d}" for i in range(1, USERS + 1)])
    rep = experiment_report(ws, "held")
    held = arms.count("holdout")
    assert held > 0
    assert rep["holdout_users"] == held
    assert sum(rep["arms"].values()) == len(arms) - held


def test_breakdown_by_the_latest_segments(world: tuple[Workspace, Path]) -> None:
    from seamline.features import build_features
    from seamline.segments.api import run_segmentation, segment_list

    ws, _ = world
    create_experiment(ws, ExperimentConfig("by-segment", metrics=("conversion",)))
    arms = assign_users(ws, "by-segment", [f"U{i:07d}" for i in range(1, USERS + 1)])
    with pytest.raises(ConfigError, match="no segments in this workspace yet"):
        experiment_report(ws, "by-segment", segment_by="segment")
    build_features(ws)
    run_segmentation(ws)
    rep = experiment_report(ws, "by-segment", segment_by="segment")
    names = {s["name_en"] for s in segment_list(ws)}
    assert {r["segment"] for r in rep["segments"]} <= names | {"unknown"}
    per_arm = {a: 0 for a in rep["arms"]}
    for r in rep["segments"]:
        per_arm[r["arm"]] += r["n_treatment"]
    treated = [a for a in rep["arms"] if a != rep["control"]]
    assert {a: per_arm[a] for a in treated} == {a: rep["arms"][a] for a in treated}
    assert sum(rep["arms"].values()) == len(arms)


def test_errors_name_what_is_wrong(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    with pytest.raises(DataError, match="no experiment 'nope'"):
        experiment_report(ws, "nope")
    create_experiment(ws, ExperimentConfig("empty"))
    with pytest.raises(DataError, match="no exposures"):
        experiment_report(ws, "empty")
    with pytest.raises(DataError, match="arm 'blue' is not in experiment"):
        record_exposures(ws, "empty", [("U1", "control"), ("U2", "blue")])
    assert record_exposures(ws, "empty", [("U0000001", "control"), ("U0000002", "treatment")]) == 2
    with pytest.raises(ConfigError, match="unknown metric"):
        experiment_report(ws, "empty", metrics=["happiness"])


def test_no_experiments_means_no_section(tmp_path: Path) -> None:
    assert experiments_section(Workspace(tmp_path / "none")) is None


def test_every_view_analyses_the_campaign_as_the_run_asked(world: tuple[Workspace, Path]) -> None:
    """`seamline run` settings (alpha, CUPED) are stored with the design, so the report and
    the dashboard show the analysis the run printed (they used to redo it with CUPED on)."""
    from seamline.experiments.campaign_log import CAMPAIGN_EXPERIMENT
    from seamline.experiments.report import analysis_settings, experiment_report
    from seamline.experiments.spec import json_ready
    from seamline.experiments.store import get_experiment

    ws, w = world
    try:
        printed = analyze_synthetic_campaign(ws, w, alpha=0.1, cuped=False)
        cfg = get_experiment(ws, CAMPAIGN_EXPERIMENT)
        assert analysis_settings(cfg.extra)["cuped"] is False
        shown = experiment_report(ws, CAMPAIGN_EXPERIMENT, **analysis_settings(cfg.extra))

        # Sums are parallel in DuckDB: equal up to the last digits (NaN as None).
        def close(a: Any, b: Any) -> bool:
            if isinstance(a, float) and isinstance(b, float):
                return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
            if isinstance(a, dict) and isinstance(b, dict):
                return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
            if isinstance(a, list) and isinstance(b, list):
                return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
            return bool(a == b)

        assert close(json_ready(shown["results"]), json_ready(printed["results"]))
        assert all(r["test"] != "cuped" for r in shown["results"])
    finally:
        analyze_synthetic_campaign(ws, w)  # the module's other tests read the default design
