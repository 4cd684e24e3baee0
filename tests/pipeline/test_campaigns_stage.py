"""The main job's campaigns stage plans the package's spec from any working directory,
simulates it on the synthetic world and reports the holdout's power beside the measure."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._support.worlds import world_workspace

from seamline.experiments.campaign_log import import_synthetic_campaign
from seamline.pipeline.stage import RunContext
from seamline.pipeline.stages.campaigns import CampaignsConfig, CampaignsStage, default_spec


def test_default_spec_runs_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, world = world_workspace(tmp_path / "job", 3000, 5)
    import_synthetic_campaign(ws, world)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no examples/ here: the spec comes from the package
    result = CampaignsStage().run(RunContext(ws, data_dir=world), CampaignsConfig(), None)
    assert result is not None and result.not_planned is None
    assert result.name == default_spec().name == "shoppers-to-courses"
    assert result.totals["users"] > 0 and result.simulated_events > 0
    power = result.power
    assert power["holdout_users"] == result.totals["holdout_users"]
    assert power["mde_conversions"] > 0
    lines = "\n".join(result.summary())
    assert "holdout: detects" in lines and "measured: incremental conversions" in lines
    m = result.measured
    assert m["mde_conversions"] == power["mde_conversions"]
    lo, hi = m["incremental_conversions_ci"]
    assert lo <= m["incremental_conversions"] <= hi
    assert m["true_incremental_conversions"] is not None
    assert m["test"] == "cuped" and m["variance_note"].startswith("CUPED")
