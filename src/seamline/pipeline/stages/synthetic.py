"""Stage `synth`: write a seeded synthetic world (with its truth/) unless data is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from seamline.config import SeamlineConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


class SyntheticConfig(SeamlineConfig):
    """The synthetic world `seamline run` makes when no `data_dir` is given."""

    what: ClassVar[str] = "synthetic world config"

    users: int = Field(20_000, ge=10)
    seed: int = Field(42, ge=0)
    events_per_user: float = Field(10.0, gt=0)


@dataclass(frozen=True)
class SynthResult(StageResult):
    users: int
    items: int
    events: int
    folder: str


class SyntheticStage:
    name = "synth"
    config_key = "synthetic"
    config_type = SyntheticConfig

    def run(
        self, ctx: RunContext, config: SyntheticConfig, progress: Progress | None
    ) -> SynthResult | None:
        from seamline.data.synthetic import generate_world

        if not ctx.synthetic:
            return None
        folder = ctx.workspace.path / "synthetic"
        world = generate_world(
            config.users,
            config.seed,
            folder,
            events_per_user=config.events_per_user,
            progress=progress,
        )
        ctx.data_dir = folder
        return SynthResult(world.users, world.items, world.events, str(folder))

    def section(self, workspace: Workspace) -> Section | None:
        return None
