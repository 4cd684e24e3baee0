"""`seamline uplift`: the interface used to check it, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _support.uplift import campaign_frame
from seamline.cli.main import app


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("uplift") / "campaign.csv"
    campaign_frame(3000, seed=4).to_csv(path, index=False)
    return path


def _run(csv: Path, *extra: str) -> list[str]:
    return ["uplift", "--data", str(csv), "--treatment-col", "arm", "--treatment", "coupon",
            "--control", "none", "--outcome", "converted", *extra]  # fmt: skip


def test_json_object_with_every_model(csv: Path) -> None:
    r = CliRunner().invoke(
        app, _run(csv, "--exclude", "spend", "--seed", "3", "--bootstrap", "50", "--json")
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    for key in ("qini", "auuc", "top30_ratio"):
        assert isinstance(data[key], float)
    lo, hi = data["top30_ratio_ci"]
    assert lo <= data["top30_ratio"] <= hi
    # The known effect (gold tier over 40) is found: targeting beats random.
    assert data["top30_ratio"] > 1.5 and lo > 1
    assert data["features"] == ["age", "tier", "city"]
    assert set(data["models"]) >= {"t_learner_gb", "t_learner_lr", "x_learner"}
    for m in data["models"].values():
        assert {"qini", "auuc", "top30_ratio", "top30_ratio_ci"} <= set(m)
    assert data["models"][data["chosen"]]["top30_ratio"] == data["top30_ratio"]
    # --seed fixes the split and every random choice.
    again = CliRunner().invoke(
        app, _run(csv, "--exclude", "spend", "--seed", "3", "--bootstrap", "50", "--json")
    )
    assert json.loads(again.stdout) == data


def test_table_output(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    campaign_frame(800, seed=5).to_csv(small, index=False)
    r = CliRunner().invoke(app, _run(small, "--exclude", "spend", "--bootstrap", "20"))
    assert r.exit_code == 0, r.output
    assert "chosen on validation" in r.stdout and "t_learner_gb" in r.stdout


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("--outcome", "bought"), "no column 'bought' (--outcome); columns: age, tier"),
        (("--treatment-col", "group"), "no column 'group' (--treatment-col)"),
        (("--treatment", "sms"), "column 'arm' has no value 'sms' (--treatment); values: "),
        (("--control", "nobody"), "has no value 'nobody' (--control)"),
        (("--outcome", "tier"), "column 'tier' (--outcome) must be numeric"),
        (("--exclude", "spend,colour"), "--exclude names no column 'colour'"),
    ],
)
def test_bad_input_one_line_exit_2(csv: Path, change: tuple[str, str], needle: str) -> None:
    args = _run(csv, "--json")
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += list(change)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and str(csv) in line and needle in line


def test_missing_file(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, _run(tmp_path / "none.csv", "--json"))
    assert r.exit_code == 2 and "none.csv: no such file" in r.stderr
