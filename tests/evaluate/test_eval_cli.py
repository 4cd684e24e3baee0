"""`seamline evaluate`: JSON shape, table output, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from _support.reference import reference_fit
from seamline.cli.main import app
from seamline.evaluate import runner as eval_runner
from seamline.workspace import Workspace


@pytest.fixture
def reference_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI drives the reference scorers instead of the registry's models."""
    monkeypatch.setattr(eval_runner, "seamline_fit", reference_fit)
    monkeypatch.setattr(eval_runner, "default_models", lambda: ["mostpop", "ease"])


@pytest.mark.usefixtures("reference_models")
def test_json_output_follows_the_issue(synth_ws: Workspace) -> None:
    res = CliRunner().invoke(
        app, ["evaluate", "-w", str(synth_ws.path), "--models", "all", "--split", "loo",
              "-k", "5", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["split"] == "loo" and out["k"] == 5
    assert [r["model"] for r in out["results"]] == ["mostpop", "ease"]
    for r in out["results"]:
        for key in ("ndcg@5", "recall@5", "precision@5", "f1@5", "hit_rate@5", "coverage@5"):
            assert isinstance(r[key], float)


@pytest.mark.usefixtures("reference_models")
def test_table_output(synth_ws: Workspace) -> None:
    res = CliRunner().invoke(
        app, ["evaluate", "-w", str(synth_ws.path), "--models", "mostpop", "--domain", "fashion"]
    )
    assert res.exit_code == 0, res.output
    assert "domain fashion" in res.stdout and "mostpop" in res.stdout


@pytest.mark.usefixtures("reference_models")
def test_errors_are_one_line(synth_ws: Workspace) -> None:
    res = CliRunner().invoke(app, ["evaluate", "-w", str(synth_ws.path), "--split", "random"])
    assert res.exit_code == 2
    assert "unknown split 'random'; allowed: loo, global" in res.stderr
    res = CliRunner().invoke(app, ["evaluate", "-w", str(synth_ws.path), "--models", "nope"])
    assert res.exit_code == 2
    assert "unknown model 'nope'" in res.stderr
