"""What a stage of the main job is: a name, a config type, `run` and a report section.

A stage wraps one step of the library (features, segments, recommenders, ...) for the main
job. `run` takes the stage's own validated config and returns a typed result (a frozen
dataclass with `to_dict()` for JSON and `summary()` lines for the terminal), or None when
the stage has nothing to do on this run. `section` builds its report section from what the
workspace holds, so `seamline report` later shows the same page without rerunning.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from seamline.config import SeamlineConfig
    from seamline.engine import EngineConfig
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


@dataclass(frozen=True)
class StageResult:
    """Base of the stages' typed results."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> list[str]:
        """Lines for `seamline run`'s terminal summary (none by default)."""
        return []


@dataclass
class RunContext:
    """What one run shares between stages: the workspace, the folder of the data being
    ingested (set by the synthetic stage when it writes a world) and earlier results."""

    workspace: Workspace
    data_dir: Path | None = None
    synthetic: bool = True  # the data is a synthetic world (with truth/ to compare against)
    engine: EngineConfig | None = None  # where the SQL stages and ALS run (None: DuckDB)
    results: dict[str, StageResult] = field(default_factory=dict)


class Stage(Protocol):
    """One step of the main job. `config_key` names its section of `PipelineConfig`
    (None: nothing to configure); `config_type` is that section's type."""

    @property
    def name(self) -> str: ...

    @property
    def config_key(self) -> str | None: ...

    @property
    def config_type(self) -> type[SeamlineConfig] | None: ...

    def run(self, ctx: RunContext, config: Any, progress: Progress | None) -> StageResult | None:
        """Do the stage's work on `ctx.workspace`; None when there is nothing to do."""
        ...

    def section(self, workspace: Workspace) -> Section | None:
        """The stage's report section, or None when it has not run in `workspace`."""
        ...
