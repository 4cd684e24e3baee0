"""`PipelineConfig`: the main job's whole configuration, one section per configurable stage.

    seed: 42                      # the run's seed; every section without its own uses it
    data_dir: null                # a folder of events/items/users.csv instead of a world
    synthetic: {users: 20000, events_per_user: 10.0}
    segments: {method: kmeans, k: 5}
    ...

The sections are built from `registry.STAGES` (each stage's `config_key` and `config_type`),
so a new stage's config joins the file with the stage's line in the registry. `load_config`
reads YAML; `to_yaml` writes a file `load_config` reads back to the same config.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from pydantic import Field, create_model, model_validator

from seamline.config import SeamlineConfig
from seamline.engine import EngineConfig
from seamline.errors import ConfigError
from seamline.pipeline.registry import STAGES

DEFAULT_SEED = 42
# The synthetic world lives in China time (UTC+8): time-of-day features use local hours.
SYNTHETIC_UTC_OFFSET = 8.0


class ReportConfig(SeamlineConfig):
    """Where the main job writes its HTML report."""

    what: ClassVar[str] = "report config"

    out: Path | None = None  # default: <workspace>/report.html


def sections() -> dict[str, type[SeamlineConfig]]:
    """Section name -> config type, in stage order, then `report`."""
    found = {s.config_key: s.config_type for s in STAGES if s.config_key and s.config_type}
    return {**found, "report": ReportConfig}


def _given(value: Any) -> Any:
    """A section as the mapping of the fields given (None -> {}); other values untouched
    so that validation names them."""
    if value is None:
        return {}
    if isinstance(value, SeamlineConfig):
        return value.model_dump(exclude_unset=True)
    return dict(value) if isinstance(value, Mapping) else value


class PipelineBase(SeamlineConfig):
    """The run-wide options; `PipelineConfig` adds a field per section."""

    what: ClassVar[str] = "pipeline config"

    seed: int = Field(DEFAULT_SEED, ge=0)
    data_dir: Path | None = None  # ingest this folder's events/items/users.csv, no world
    # Where the SQL stages and ALS run: {name: duckdb} (default) or {name: spark, master: ...}
    engine: EngineConfig = Field(default_factory=EngineConfig)

    @model_validator(mode="before")
    @classmethod
    def _run_defaults(cls, data: Any) -> Any:
        # The run's seed (else the synthetic world's) seeds every section that sets none,
        # as `seamline run --seed` always did; on a synthetic world, features use its clock.
        if not isinstance(data, Mapping):
            return data
        d = dict(data)
        synthetic = _given(d.get("synthetic"))
        seed = d.get("seed")
        if seed is None and isinstance(synthetic, dict):
            seed = synthetic.get("seed")
        d["seed"] = DEFAULT_SEED if seed is None else seed
        for key, kind in sections().items():
            given = _given(d.get(key))
            if isinstance(given, dict) and "seed" in kind.model_fields:
                given.setdefault("seed", d["seed"])
            d[key] = given
        features = d.get("features")
        if d.get("data_dir") is None and isinstance(features, dict):
            features.setdefault("utc_offset_hours", SYNTHETIC_UTC_OFFSET)
        return d

    def section(self, key: str) -> SeamlineConfig:
        """The config of section `key` (a stage's `config_key`, or `report`)."""
        value = getattr(self, key)
        assert isinstance(value, SeamlineConfig)
        return value


if TYPE_CHECKING:
    PipelineConfig = PipelineBase
else:
    PipelineConfig = create_model(
        "PipelineConfig",
        __base__=PipelineBase,
        __module__=__name__,
        __doc__="The main job's configuration: run-wide options and one section per stage.",
        **{key: (kind, Field(default_factory=kind)) for key, kind in sections().items()},
    )


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> PipelineBase:
    """Read a pipeline config from YAML (`overrides`, nested like the file, win); errors name
    the file and, for bad values, the field (`segments.k: ...`)."""
    p = Path(path)
    try:
        raw: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{p}:{where} not valid YAML: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{p}: a pipeline config is a mapping of sections ({', '.join(sections())}), "
            f"got {type(raw).__name__}"
        )
    try:
        return build_config(raw, overrides)
    except ConfigError as e:
        raise ConfigError(f"{p}: {e}") from None


def build_config(
    data: Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None
) -> PipelineBase:
    """A validated config from a mapping, with `overrides` merged in section by section."""
    merged = _merge(dict(data or {}), overrides or {})
    return PipelineConfig.model_validate(merged)


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            base[key] = _merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


def to_yaml(config: PipelineBase) -> str:
    """The config as YAML that `load_config` reads back to an equal config. Section seeds
    equal to the run's seed are left out, so editing `seed` reseeds the whole run."""
    d = config.model_dump(mode="json")
    for key in sections():
        section = d.get(key)
        if isinstance(section, dict) and section.get("seed") == d["seed"]:
            del section["seed"]
    features = d.get("features")
    if d["data_dir"] is None and features and features["utc_offset_hours"] == SYNTHETIC_UTC_OFFSET:
        del features["utc_offset_hours"]  # follows the data: the world's clock, else UTC
    header = (
        "# seamline run --config FILE: the main job's configuration (see examples/run.yaml).\n"
        "# A section's seed defaults to `seed`; leave out anything to keep its default.\n"
    )
    return header + yaml.safe_dump(d, sort_keys=False, allow_unicode=True)
