"""PipelineConfig: YAML in and out, the run's seed, the old flags as overrides, and the
stage registry it is built from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.errors import ConfigError
from seamline.evaluate.config import EvaluationConfig
from seamline.fairness.audit import FairnessConfig
from seamline.features import FeatureConfig
from seamline.pipeline import STAGES, PipelineConfig, build_config, load_config, to_yaml
from seamline.pipeline.config import sections
from seamline.segments import SegmentConfig

EXAMPLE = Path(__file__).parents[2] / "examples" / "run.yaml"


def _print_config(*args: str) -> str:
    result = CliRunner().invoke(app, ["run", "--print-config", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_print_config_is_accepted_unchanged_by_config(tmp_path: Path) -> None:
    printed = _print_config()
    path = tmp_path / "run.yaml"
    path.write_text(printed, encoding="utf-8")
    assert load_config(path) == PipelineConfig()
    # ... and printing the loaded file gives the same text back.
    assert _print_config("--config", str(path)) == printed
    assert to_yaml(load_config(path)) == printed


def test_defaults_match_the_old_main_job() -> None:
    cfg = PipelineConfig()
    assert (cfg.seed, cfg.data_dir) == (42, None)
    assert (cfg.synthetic.users, cfg.synthetic.seed) == (20_000, 42)
    assert cfg.synthetic.events_per_user == 10.0
    # Every stage is seeded by the run's seed; features read the synthetic world's clock.
    assert cfg.features == FeatureConfig(utc_offset_hours=8, seed=42)
    assert cfg.segments == SegmentConfig(seed=42)
    assert cfg.fairness == FairnessConfig(model="itemknn", seed=42)
    rec = cfg.recommend
    assert isinstance(rec, EvaluationConfig)
    assert (rec.models, rec.split, rec.k, rec.seed) == ("fast", "loo", 10, 42)
    assert rec.max_test_users == 2000
    assert rec.domains == ("knowledge", "fashion")
    # With the user's own data, features keep UTC, as before.
    assert build_config({"data_dir": "x"}).features.utc_offset_hours == 0


def test_the_synthetic_seed_seeds_the_whole_run_unless_a_section_sets_its_own() -> None:
    cfg = build_config({"synthetic": {"users": 3000, "seed": 5}, "segments": {"k": 5, "seed": 9}})
    assert cfg.seed == cfg.synthetic.seed == cfg.features.seed == cfg.fairness.seed == 5
    assert cfg.recommend.seed == 5
    assert (cfg.segments.k, cfg.segments.seed) == (5, 9)


def test_old_flags_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("synthetic: {users: 3000, seed: 5}\nsegments: {k: 4}\n", encoding="utf-8")
    printed = yaml.safe_load(
        _print_config("--config", str(path), "--users", "500", "--seed", "7", "--data", "d")
    )
    assert printed["synthetic"]["users"] == 500
    assert printed["seed"] == 7 and "seed" not in printed["segments"]
    assert printed["data_dir"] == "d" and printed["segments"]["k"] == 4


@pytest.mark.parametrize(
    "text, message",
    [
        ("segments: {method: kmeans, k: 5\n", "line 2"),  # unclosed flow mapping
        ("- a\n- b\n", "a pipeline config is a mapping"),
        ("segments: {kk: 5}\n", "segments.kk"),
        ("synthetic: {users: 5}\n", "synthetic.users"),
        ("fairness: {model: deep-magic}\n", "fairness.model"),
        ("stages: {}\n", "stages"),
    ],
)
def test_bad_config_files_fail_with_one_line_naming_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    result = CliRunner().invoke(app, ["run", "-w", str(tmp_path / "ws"), "--config", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]
    assert not (tmp_path / "ws").exists()  # nothing ran


def test_missing_config_file_is_one_line() -> None:
    result = CliRunner().invoke(app, ["run", "--config", "no/such/run.yaml"])
    assert result.exit_code == 2
    assert "no/such/run.yaml" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_example_config_loads() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.segments.method == "kmeans"


def test_every_configurable_stage_has_its_section() -> None:
    names = [s.name for s in STAGES]
    assert len(set(names)) == len(names)
    fields = PipelineConfig.model_fields
    for stage in STAGES:
        if stage.config_key is None:
            assert stage.config_type is None
            continue
        assert fields[stage.config_key].annotation is stage.config_type
    assert list(sections()) == [s.config_key for s in STAGES if s.config_key] + ["report"]
