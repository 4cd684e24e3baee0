"""The main job and the synth command, end to end through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.workspace import Workspace


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_synth_writes_the_world_and_its_truth(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = CliRunner().invoke(
        app, ["synth", "--users", "300", "--seed", "3", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["users"] == 300 == _rows(out / "users.csv")
    assert summary["events"] == _rows(out / "events.csv") > 300
    assert _rows(out / "truth" / "users.csv") == 300


def test_run_ingests_a_synthetic_world_and_writes_the_report(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["run", "-w", str(ws), "--users", "400", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    report = Path(out["report"])
    assert report.is_absolute() and report.is_file()
    world = ws / "synthetic"
    ingest = out["stages"]["ingest"]
    # A clean synthetic world: every row lands, nothing is rejected or duplicated.
    expected = sum(_rows(world / f"{t}.csv") for t in ("events", "items", "users"))
    assert ingest["accepted"] == ingest["rows"] == expected
    assert ingest["rejected"] == ingest["duplicates"] == 0
    q = Workspace(ws).quality()
    # the campaign stage adds the purchases it simulates on the world
    simulated = out["stages"].get("campaigns", {}).get("simulated_events", 0)
    assert q["events"] == out["stages"]["synth"]["events"] + simulated
    assert {d["domain"] for d in q["by_domain"]} == {"knowledge", "fashion"}
    html = report.read_text(encoding="utf-8")
    assert "Data quality" in html and f"{q['events']:,}" in html
    # Every stage ran and left its section in the report.
    stages = out["stages"]
    assert {"features", "segments", "recommend", "experiments", "fairness"} <= set(stages)
    assert stages["segments"]["k"] == len(stages["segments"]["names"]) >= 2
    assert stages["recommend"]["best"]["name"] in {
        "mostpop",
        "userknn",
        "itemknn",
        "als",
        "bpr",
        "ease",
        "transition",
        "sasrec",
        "blend",
    }
    for section in ("segments", "recommendations", "experiments", "fairness", "privacy"):
        assert f'<section id="{section}"' in html


def test_run_twice_adds_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    first = runner.invoke(app, ["run", "-w", str(ws), "--users", "200", "--json"])
    second = runner.invoke(app, ["run", "-w", str(ws), "--users", "200"])
    assert first.exit_code == second.exit_code == 0, second.output
    rows = json.loads(first.stdout)["stages"]["ingest"]["rows"]
    # The human summary: nothing new ingested, a line per stage, the report's path.
    lines = second.stdout.splitlines()
    assert lines[0] == "ingested 0 rows"
    assert any(line.startswith("segments: k = ") for line in lines)
    assert any(line.startswith("default recommender: ") for line in lines)
    assert lines[-1].startswith("report: ") and Path(lines[-1][8:]).is_file()
    assert Workspace(ws).quality()["duplicates"] >= rows


def test_run_with_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        "synthetic: {users: 3000, seed: 5}\nsegments: {method: kmeans, k: 5}\n", encoding="utf-8"
    )
    ws = tmp_path / "ws"
    result = CliRunner().invoke(
        app, ["run", "--workspace", str(ws), "--config", str(config), "--json"]
    )
    assert result.exit_code == 0, result.output
    stages = json.loads(result.stdout)["stages"]
    assert stages["synth"]["users"] == 3000 == _rows(ws / "synthetic" / "users.csv")
    assert stages["segments"]["k"] == 5 == len(stages["segments"]["names"])
    assert stages["segments"]["method"] == "kmeans"
    # The report's sections follow the stage registry's order.
    html = Path(json.loads(result.stdout)["report"]).read_text(encoding="utf-8")
    ids = ["data-quality", "segments", "recommendations", "experiments", "fairness", "privacy"]
    at = [html.index(f'<section id="{i}"') for i in ids]
    assert at == sorted(at)
