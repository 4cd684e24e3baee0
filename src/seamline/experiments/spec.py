"""What an analysis is asked (`MetricSpec`) and what it returns (`Analysis`)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from seamline.errors import ConfigError
from seamline.experiments.srm import SRMResult

Kind = Literal["auto", "binary", "mean", "ratio"]
Method = Literal["fixed", "sequential", "group-sequential"]


@dataclass(frozen=True)
class MetricSpec:
    """How to analyse one metric column.

    kind: `binary` (two-proportion z-test), `mean` (Welch), `ratio` (sum of this column over
    sum of `denominator`, delta method) or `auto` (binary when every value is 0/1).
    `covariate` names a pre-period column for CUPED; `inverse` means lower is better;
    a `guardrail` fails when it gets significantly worse."""

    name: str
    kind: Kind = "auto"
    denominator: str | None = None
    covariate: str | None = None
    inverse: bool = False
    guardrail: bool = False

    def __post_init__(self) -> None:
        if self.kind == "ratio" and not self.denominator:
            raise ConfigError(f"metric {self.name!r}: a ratio metric needs a denominator column")
        if self.kind == "ratio" and self.covariate:
            raise ConfigError(f"metric {self.name!r}: CUPED is not available for ratio metrics")


@dataclass(frozen=True)
class Analysis:
    control: str
    arms: dict[str, int]  # units per arm
    srm: SRMResult
    results: list[dict[str, Any]]
    segments: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN becomes None."""
        return json_ready(
            {
                "control": self.control,
                "arms": self.arms,
                "srm_p_value": self.srm.p_value,
                "srm_flagged": self.srm.flagged,
                "srm": asdict(self.srm),
                "settings": self.settings,
                "results": self.results,
                "segments": self.segments,
            }
        )


def json_ready(x: Any) -> Any:
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {k: json_ready(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_ready(v) for v in x]
    if isinstance(x, np.generic):
        return json_ready(x.item())
    return x
