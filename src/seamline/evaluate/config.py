"""Configuration of an offline evaluation, validated when constructed."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from seamline.config import SeamlineConfig
from seamline.data.columns import DOMAINS
from seamline.errors import ConfigError
from seamline.evaluate.splits import SPLITS


def _domain(v: object) -> object:
    if v is not None and v not in DOMAINS:
        raise ConfigError(f"unknown domain {v!r}; allowed: {', '.join(DOMAINS)}")
    return v


class EvaluationConfig(SeamlineConfig):
    """What to evaluate and how: models, split, list length, test-user sample, tuning.

    `models` is "all", "fast" (all but the models that take minutes per fit on a CPU, see
    `recommend.registry.SLOW_MODELS`), a comma-separated string or a list of registry
    names. `domain`
    restricts one run to a domain's items; `domains` lists the domains the main job also
    evaluates one by one (untuned, each model's default grid point) after the run over
    every item. `grids` replaces the tuning grids of the models it names.
    """

    what: ClassVar[str] = "evaluation config"

    models: str | tuple[str, ...] = "all"
    split: str = "loo"
    k: int = Field(10, ge=1)
    domain: str | None = None
    domains: tuple[str, ...] = ()
    tune: bool = True
    frac: float = Field(0.8, gt=0, lt=1)  # train share of the global split
    max_test_users: int | None = Field(None, ge=1)  # measure on a seeded sample of test users
    seed: int = Field(0, ge=0)
    grids: dict[str, list[dict[str, Any]]] | None = None

    @field_validator("models", mode="before")
    @classmethod
    def _models(cls, v: object) -> object:
        if isinstance(v, str) and v not in ("all", "fast"):
            v = tuple(m.strip() for m in v.split(",") if m.strip())
        if not v:
            raise ConfigError("no models to evaluate; give model names or 'all'")
        return v

    @field_validator("split")
    @classmethod
    def _split(cls, v: str) -> str:
        if v not in SPLITS:
            raise ConfigError(f"unknown split {v!r}; allowed: {', '.join(SPLITS)}")
        return v

    @field_validator("domain")
    @classmethod
    def _one_domain(cls, v: str | None) -> object:
        return _domain(v)

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for d in v:
            _domain(d)
        return v

    def model_names(self, known: list[str]) -> list[str]:
        """The models to evaluate, "all" expanded to `known` ("fast": less the slow ones)."""
        if self.models == "fast":
            from seamline.recommend.registry import SLOW_MODELS

            return [m for m in known if m not in SLOW_MODELS]
        return list(known) if self.models == "all" else list(self.models)
