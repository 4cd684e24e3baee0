"""The engine option of the main job and the commands: config, overrides, refusals."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.pipeline import build_config


def test_run_takes_engine_and_master_into_its_config() -> None:
    result = CliRunner().invoke(
        app, ["run", "--print-config", "--engine", "spark", "--master", "local[3]"]
    )
    assert result.exit_code == 0, result.output
    engine = yaml.safe_load(result.stdout)["engine"]
    assert (engine["name"], engine["master"]) == ("spark", "local[3]")
    assert build_config({}).engine.name == "duckdb"


def test_run_refuses_an_unknown_engine_in_one_line() -> None:
    result = CliRunner().invoke(app, ["run", "--print-config", "--engine", "hadoop"])
    assert result.exit_code == 2
    assert "name" in result.output and "'duckdb' or 'spark'" in result.output
