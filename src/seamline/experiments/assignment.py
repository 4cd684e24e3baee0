"""Deterministic assignment: the same user always gets the same arm, with no stored state.

A user's arm comes from a hash of the experiment's salt and the user id, mapped onto the
arms' cumulative weights, so any process (the CLI, the REST service, a Spark job) agrees
without coordination. Two further hashes, independent of the arm one, decide:

- the *holdout*: a share of users kept out of every arm (they see the default experience
  and are recorded as the `holdout` pseudo-arm, to measure the long-run effect);
- the *layer*: experiments in one layer split the layer's traffic into disjoint ranges of
  a hash salted by the layer name, so they are mutually exclusive; users outside an
  experiment's range are not in it (`None`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError

HOLDOUT = "holdout"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


def unit_hash(key: str) -> float:
    """A uniform number in [0, 1) from `key` (first 8 bytes of its SHA-256)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Arm:
    name: str
    weight: float = 1.0


class ExperimentConfig(SeamlineConfig):
    """An experiment's design. Arms' weights need not sum to 1; the first arm is control
    unless `control` names another. `start` / `end` (ISO 8601, UTC) bound the outcome
    window when the experiment is analysed from the event store."""

    what: ClassVar[str] = "experiment config"

    name: str
    arms: tuple[Arm, ...] = (Arm("control"), Arm("treatment"))
    control: str | None = None
    salt: str | None = None
    layer: str | None = None
    layer_range: tuple[float, float] = (0.0, 1.0)
    holdout: float = 0.0
    metrics: tuple[str, ...] = ("conversion", "revenue")
    guardrails: tuple[str, ...] = ()
    domain: str | None = None
    start: str | None = None
    end: str | None = None
    description: str = ""
    extra: dict[str, Any] = Field(default_factory=dict)

    # The name may be given positionally: ExperimentConfig("hero-banner", holdout=0.1).
    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ConfigError(
                f"experiment name {v!r}: use letters, digits, '_', '-', '.', ':' "
                "(at most 100 characters, starting with a letter or digit)"
            )
        return v

    @model_validator(mode="after")
    def _design(self) -> ExperimentConfig:
        names = [a.name for a in self.arms]
        if len(self.arms) < 2:
            raise ConfigError(f"experiment {self.name!r} needs at least two arms, got {names}")
        if len(set(names)) != len(names):
            raise ConfigError(f"experiment {self.name!r}: arm names repeat: {names}")
        if HOLDOUT in names:
            raise ConfigError(f"experiment {self.name!r}: {HOLDOUT!r} is reserved for the holdout")
        for a in self.arms:
            if not a.name or not (a.weight > 0 and math.isfinite(a.weight)):
                raise ConfigError(
                    f"experiment {self.name!r}: arm {a.name!r} needs a name and a weight > 0"
                )
        if self.control is not None and self.control not in names:
            raise ConfigError(
                f"experiment {self.name!r}: control {self.control!r} is not an arm; arms: "
                + ", ".join(names)
            )
        lo, hi = self.layer_range
        if not 0 <= lo < hi <= 1:
            raise ConfigError(
                f"experiment {self.name!r}: layer_range must satisfy 0 <= low < high <= 1, "
                f"got {self.layer_range}"
            )
        if not 0 <= self.holdout < 1:
            raise ConfigError(f"experiment {self.name!r}: holdout must be in [0, 1)")
        return self

    @property
    def control_arm(self) -> str:
        return self.control or self.arms[0].name

    @property
    def arm_names(self) -> list[str]:
        return [a.name for a in self.arms]

    @property
    def weights(self) -> dict[str, float]:
        total = sum(a.weight for a in self.arms)
        return {a.name: a.weight / total for a in self.arms}

    def to_dict(self) -> dict[str, Any]:
        return self.params()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExperimentConfig:
        known = set(cls.model_fields)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"experiment config: unknown keys {unknown}; allowed: {', '.join(sorted(known))}"
            )
        if "name" not in data:
            raise ConfigError("experiment config: 'name' is required")
        d = dict(data)
        if "arms" in d:
            d["arms"] = tuple(
                Arm(**a) if isinstance(a, Mapping) else a if isinstance(a, Arm) else Arm(str(a))
                for a in d["arms"]
            )
        return cls.model_validate(d)


def parse_arms(spec: str) -> tuple[Arm, ...]:
    """`control:50,treatment:50` (or `a,b,c` for equal weights) -> arms."""
    arms = []
    for part in spec.split(","):
        name, _, weight = part.strip().partition(":")
        try:
            arms.append(Arm(name.strip(), float(weight) if weight else 1.0))
        except ValueError:
            raise ConfigError(
                f"arms {spec!r}: weight {weight!r} of {name!r} is not a number "
                "(expected NAME:WEIGHT,NAME:WEIGHT)"
            ) from None
    return tuple(arms)


def _salt(config: ExperimentConfig) -> str:
    return config.salt if config.salt is not None else config.name


def in_layer(config: ExperimentConfig, user_id: str) -> bool:
    if config.layer is None:
        return config.layer_range == (0.0, 1.0) or _in_range(
            unit_hash(f"layer:{config.name}|{user_id}"), config.layer_range
        )
    return _in_range(unit_hash(f"layer:{config.layer}|{user_id}"), config.layer_range)


def _in_range(u: float, r: tuple[float, float]) -> bool:
    return r[0] <= u < r[1]


def assign(config: ExperimentConfig, user_id: str) -> str | None:
    """The user's arm, `"holdout"` when held out, or None when outside the experiment's
    share of its layer."""
    if not in_layer(config, user_id):
        return None
    salt = _salt(config)
    if config.holdout and unit_hash(f"{salt}|holdout|{user_id}") < config.holdout:
        return HOLDOUT
    u = unit_hash(f"{salt}|{user_id}")
    acc = 0.0
    weights = config.weights
    for a in config.arms:
        acc += weights[a.name]
        if u < acc:
            return a.name
    return config.arms[-1].name  # u within rounding of 1.0


def assign_many(config: ExperimentConfig, user_ids: Iterable[str]) -> list[str | None]:
    return [assign(config, u) for u in user_ids]


def check_exclusive(config: ExperimentConfig, others: Sequence[ExperimentConfig]) -> None:
    """Raise when `config` shares its layer with an experiment whose range overlaps."""
    if config.layer is None:
        return
    lo, hi = config.layer_range
    for o in others:
        if o.name == config.name or o.layer != config.layer:
            continue
        olo, ohi = o.layer_range
        if lo < ohi and olo < hi:
            raise ConfigError(
                f"experiment {config.name!r} overlaps {o.name!r} in layer {config.layer!r}: "
                f"ranges {list(config.layer_range)} and {list(o.layer_range)} must not intersect"
            )
