"""`seamline run --engine spark --master local[2]`: the main job end to end on Spark."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.engine import EngineConfig


def test_run_on_spark_ingests_and_runs_every_stage(spark: EngineConfig, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"  # two recommenders (ALS through MLlib): the test stays light
    config.write_text("recommend:\n  models: [mostpop, als]\n", encoding="utf-8")
    args = ["run", "-w", str(tmp_path / "ws"), "--users", "200", "--config", str(config), "--json"]
    result = CliRunner().invoke(app, [*args, "--engine", "spark", "--master", "local[2]"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    stages = out["stages"]
    assert stages["ingest"]["accepted"] == stages["ingest"]["rows"] > 0
    assert stages["ingest"]["rejected"] == 0
    assert {"features", "segments", "recommend", "experiments"} <= set(stages)
    assert Path(out["report"]).is_file()
