"""Stage `fairness`: exposure and quality by group, and what the fair re-ranker costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seamline.fairness.audit import FairnessConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


@dataclass(frozen=True)
class FairnessResult(StageResult):
    brand_disparity_before: float
    brand_disparity_after: float
    domain_disparity_after: float
    ndcg_before: float
    ndcg_after: float
    ndcg_cost: float


class FairnessStage:
    name = "fairness"
    config_key = "fairness"
    config_type = FairnessConfig

    def run(
        self, ctx: RunContext, config: FairnessConfig, progress: Progress | None
    ) -> FairnessResult:
        from seamline.fairness.audit import fairness_audit

        return FairnessResult(**fairness_audit(ctx.workspace, config)["rerank"])

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.privacy import fairness_section

        return fairness_section(workspace)
