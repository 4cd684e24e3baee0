"""Campaign specs: the shipped examples load; bad fields are named (dotted) before anything
is stored; checks against the workspace name the missing segment, feature or category."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from _support.campaigns import EXAMPLES, example
from seamline.campaigns import store
from seamline.campaigns.content import TEMPLATES_DIR
from seamline.campaigns.spec import CampaignSpec, check_spec, load_spec, parse_spec
from seamline.errors import ConfigError
from seamline.workspace import Workspace


@pytest.mark.parametrize("name", ["learners-to-fashion", "fashion-to-courses"])
def test_examples_load_one_per_direction(name: str) -> None:
    spec = load_spec(EXAMPLES / f"{name}.yaml")
    assert spec.name == name
    assert spec.goal.sell != spec.goal.to
    assert set(spec.languages) == {"zh", "en"}
    assert 0 < spec.holdout_share <= 0.5


def test_directions_differ() -> None:
    a, b = (
        load_spec(EXAMPLES / f"{n}.yaml") for n in ("learners-to-fashion", "fashion-to-courses")
    )
    assert (a.goal.sell, a.goal.to) == (b.goal.to, b.goal.sell)


def test_offer_costing_more_than_the_budget_names_the_field() -> None:
    data = example()
    data["budget"] = 50
    data["offers"][1]["face_value"] = 60
    expected = r"offers\.1\.face_value: offer 'style-bundle' costs up to 60\.5 per user"
    with pytest.raises(ConfigError, match=expected):
        parse_spec(data)


def test_nested_bad_value_names_the_dotted_field() -> None:
    data = example()
    data["offers"][0]["margin"] = 2
    with pytest.raises(ConfigError, match=r"offers\.0\.margin"):
        parse_spec(data)
    data = example()
    data["audience"]["rules"][0]["action"] = "liked"
    with pytest.raises(ConfigError, match=r"audience\.rules\.0\.action"):
        parse_spec(data)
    data = example()
    data["channels"].append({"name": "fax"})
    with pytest.raises(ConfigError, match=r"channels\.2\.name"):
        parse_spec(data)


def test_schedule_and_holdout_are_checked() -> None:
    data = example()
    data["schedule"] = {"start": "2026-11-10", "end": "2026-11-01"}
    with pytest.raises(ConfigError, match="schedule"):
        parse_spec(data)
    data = example()
    data["holdout_share"] = 0
    with pytest.raises(ConfigError, match="holdout_share"):
        parse_spec(data)


def test_load_spec_names_the_file_and_yaml_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngoal: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml line \d+: not valid YAML"):
        load_spec(bad)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(yaml.safe_dump({**example(), "bugdet": 3}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown\.yaml: .*bugdet"):
        load_spec(unknown)


def test_workspace_checks_name_missing_segment_feature_and_category(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ingest_rows(
        [{"item_id": "C1", "domain": "knowledge", "category": "finance", "title": "t"}],
        "items",
        table="items",
    )
    base = example()
    spec = CampaignSpec.model_validate({**base, "audience": {"segments": ["Night owls"]}})
    with pytest.raises(ConfigError, match=r"audience\.segments: the workspace has no segment"):
        check_spec(ws, spec)
    spec = CampaignSpec.model_validate(
        {**base, "audience": {"features": [{"feature": "recency_days", "op": "<", "value": 3}]}}
    )
    with pytest.raises(ConfigError, match=r"audience\.features\.0\.feature: 'recency_days'"):
        check_spec(ws, spec)
    spec = CampaignSpec.model_validate(base)  # its second rule names category fashion_design
    with pytest.raises(ConfigError, match=r"audience\.rules\.1\.category: no items .*finance"):
        check_spec(ws, spec)


def test_template_with_an_undefined_variable_names_the_template_line(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR / "linen_loom", folder)
    push = folder / "en" / "push.j2"
    push.write_text(push.read_text("utf-8") + "\n{{ coupon_code }}\n", encoding="utf-8")
    data = example()
    data["voice"] = {"extends": "linen_loom", "templates": str(folder)}
    spec = parse_spec(data)
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(
        ConfigError,
        match=r"voice\.templates: template .*en/push\.j2 line 4: unknown variable .coupon_code.",
    ):
        check_spec(ws, spec)
    assert store.list_plans(ws) == []  # nothing stored
