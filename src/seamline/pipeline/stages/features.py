"""Stage `features`: the per-user feature table segments and the report build on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seamline.features import FeatureConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


@dataclass(frozen=True)
class FeaturesResult(StageResult):
    version: int
    users: int
    columns: int


class FeaturesStage:
    name = "features"
    config_key = "features"
    config_type = FeatureConfig

    def run(
        self, ctx: RunContext, config: FeatureConfig, progress: Progress | None
    ) -> FeaturesResult:
        from seamline.features import build_features

        run = build_features(ctx.workspace, config, progress, engine=ctx.engine)
        return FeaturesResult(run.version, run.users, len(run.columns))

    def section(self, workspace: Workspace) -> Section | None:
        return None
