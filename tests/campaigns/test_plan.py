"""Planning on a small synthetic world: the plan spends within the budget and caps, holds
out a random share through the experiment engine, renders a message per campaign-arm user,
is reproducible from its seed; simulating it closes the loop with a measured effect."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from _support.campaigns import example
from _support.worlds import world_workspace
from seamline.campaigns import store
from seamline.campaigns.plan import plan_campaign
from seamline.campaigns.simulate import measure_plan, simulate_plan
from seamline.campaigns.spec import CampaignSpec
from seamline.cli.main import app
from seamline.experiments.campaign_log import import_synthetic_campaign
from seamline.experiments.store import list_experiments
from seamline.pipeline.stages.campaigns import default_spec
from seamline.report.campaigns import campaigns_section
from seamline.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    ws, world = world_workspace(tmp_path_factory.mktemp("plan"), 2000, 4)
    import_synthetic_campaign(ws, world)
    return ws, world


def spec(**changes: Any) -> CampaignSpec:
    data = example()
    data["audience"] = {"rules": [{"action": "viewed", "domain": "knowledge", "at_least": 1}]}
    data["offers"][1]["max_spend"] = 50.0
    # a cheap message with a high margin: profitable wherever the learned uplift is positive
    data["offers"][2].update(contact_cost=0.01, margin=0.9)
    data.update(changes)
    return CampaignSpec.model_validate(data)


def test_plan_within_budget_with_a_random_holdout(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    s = spec(budget=100.0)
    plan = plan_campaign(ws, s)
    t = plan["summary"]["totals"]
    assert t["users"] > 0 and 0 < t["spend"] <= t["budget"] == 100.0
    assert t["users"] == t["treated_users"] + t["holdout_users"]
    assert 0.05 < t["holdout_users"] / t["users"] < 0.4  # holdout_share 0.2, by hash
    assert t["languages"] == ["zh", "en"]
    rows = store.allocations(ws, plan["plan_id"])
    caps = {o.id: o.max_users for o in s.offers}
    for oid, n in rows["offer_id"].value_counts().items():
        assert caps[oid] is None or n <= caps[oid]
    treated = rows[rows["arm"] == "campaign"]
    assert treated["message"].str.len().gt(0).all()
    assert rows.loc[rows["arm"] == "control", "message"].isna().all()
    assert treated["items"].map(len).gt(0).all()
    # the holdout is an experiment of the existing engine, with every planned user exposed
    exp = {e["name"]: e for e in list_experiments(ws)}[plan["experiment"]]
    assert exp["exposures"] == {"campaign": t["treated_users"], "control": t["holdout_users"]}
    # a variant per offer used x channel x language, rendered on real users
    used = {o for o, n in plan["summary"]["offers"].items() if n["users"]}
    variants = {(p["offer_id"], p["channel"], p["language"]) for p in plan["summary"]["previews"]}
    assert variants == set(product(used, ["push", "email"], ["zh", "en"]))
    alloc = plan["summary"]["allocation"]
    assert alloc["method"] == "milp" and alloc["profit"] <= alloc["bound"] + 1e-9
    curve = plan["summary"]["roi_curve"]
    assert [c["spend"] for c in curve] == sorted(c["spend"] for c in curve)
    # the uplift form's check: 2x5 carves, and the model's own uplift only when it is ahead
    # of the proportional form by more than one standard error on a clear past effect
    model = plan["summary"]["model"]
    check = model["form_check"]
    assert check["carves"] == "2x5" and set(check["qini"]) == {"proportional", "uplift"}
    clear = check["effect_z"] >= check["min_effect_z"] and check["uplift_ahead"] > check["se"]
    assert model["form"] == ("uplift" if clear else "proportional")


def test_expected_intervals_are_centred_on_their_estimates(
    world: tuple[Workspace, Path],
) -> None:
    # The main job's spec (coupons and bundles) once gave a profit interval around the
    # margin alone, costs left out: 586 with [291, 1702] here, 4,641 with [5,639, 9,576] there.
    ws, _ = world
    t = plan_campaign(ws, default_spec())["summary"]["totals"]
    assert t["spend"] > 0
    for key in ("expected_incremental_conversions", "expected_incremental_profit"):
        lo, hi = t[f"{key}_ci"]
        assert lo < hi
        assert (lo + hi) / 2 == pytest.approx(t[key], abs=0.02), (key, lo, t[key], hi)


def test_same_spec_same_plan(world: tuple[Workspace, Path]) -> None:
    ws, _ = world
    a = plan_campaign(ws, spec(budget=70.0))
    b = plan_campaign(ws, spec(budget=70.0))
    ra, rb = store.allocations(ws, a["plan_id"]), store.allocations(ws, b["plan_id"])
    cols = ["user_id", "offer_id", "arm", "message"]
    assert ra[cols].equals(rb[cols])
    assert a["summary"]["totals"] == b["summary"]["totals"]


def test_simulate_and_measure_close_the_loop(world: tuple[Workspace, Path]) -> None:
    ws, folder = world
    plan = plan_campaign(ws, spec(budget=120.0, name="loop"))
    drawn = simulate_plan(ws, folder, plan["plan_id"])
    assert drawn["campaign_users"] + drawn["control_users"] == plan["summary"]["totals"]["users"]
    assert drawn["events"] == drawn["buyers_campaign"] + drawn["buyers_control"]
    measured = measure_plan(ws, plan["plan_id"])
    assert measured["arms"] == {
        "control": drawn["control_users"], "campaign": drawn["campaign_users"],
    }  # fmt: skip
    lo, hi = measured["incremental_conversions_ci"]
    assert lo <= measured["incremental_conversions"] <= hi
    conv = measured["conversion"]
    assert conv["treatment_mean"] == pytest.approx(
        drawn["buyers_campaign"] / drawn["campaign_users"]
    )
    stored = store.get_plan(ws, plan["plan_id"])["results"]
    assert set(stored) == {"simulation", "measured"}


def test_cli_plan_json_and_the_report_section(
    world: tuple[Workspace, Path], tmp_path: Path
) -> None:
    ws, folder = world
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec(budget=90.0, name="cli").params()), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["campaign", "plan", "--workspace", str(ws.path), str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["users"] > 0 and got["spend"] <= got["budget"] == 90.0
    assert got["holdout_users"] > 0 and got["languages"] == ["zh", "en"]
    assert isinstance(got["expected_incremental_profit"], float)
    simulated = CliRunner().invoke(
        app, ["campaign", "simulate", "--workspace", str(ws.path), "--world", str(folder),
              "--json"],
    )  # fmt: skip
    assert simulated.exit_code == 0, simulated.output
    section = campaigns_section(ws)
    assert section is not None
    assert "Predicted against measured" in section.html and section.html.count("<svg") == 2
    assert "Unsubscribe" in section.html  # an e-mail preview with the voice's disclosure
    # the holdout's minimum detectable effect sits beside the measure, with its verdict
    assert "Minimum detectable effect of the holdout test" in section.html
    assert 'data-power="below-mde"' in section.html and "Warning:" in section.html
    path.write_text(path.read_text("utf-8").replace("budget: 90.0", "budget: 0.2"), "utf-8")
    bad = CliRunner().invoke(app, ["campaign", "plan", "--workspace", str(ws.path), str(path)])
    assert bad.exit_code == 2 and "offers.0.face_value" in bad.stderr


def test_export_passes_the_k_anonymity_gate(world: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = world
    plan = plan_campaign(ws, spec(budget=100.0, name="export"))
    key = tmp_path / "id.key"
    assert CliRunner().invoke(app, ["privacy", "keygen", "--out", str(key)]).exit_code == 0
    out = tmp_path / "audience.csv"
    args = ["campaign", "export", str(out), "--workspace", str(ws.path), "--plan",
            str(plan["plan_id"]), "--k-anonymity", "2", "--key-file", str(key),
            "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["satisfies_k"] and summary["min_class_size"] >= 2
    rows = pd.read_csv(out)
    assert list(rows.columns) == ["partner_id", "offer_id", "age", "gender", "city"]
    treated = plan["summary"]["totals"]["treated_users"]
    assert len(rows) + summary["suppressed_users"] == treated
    users = set(store.allocations(ws, plan["plan_id"])["user_id"])
    assert not users & set(rows["partner_id"])  # no workspace id leaves
    assert rows.groupby(["offer_id", "age", "gender", "city"]).size().min() >= 2
