"""Stage `experiments`: on a synthetic world, record its past coupon campaign as an
experiment and analyse it (CUPED on the pre-period, the offer priced at its discount)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from seamline.config import SeamlineConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace

# The columns of each result row the run summary keeps (the report shows them all).
KEEP = ("metric", "arm", "test", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_value",
        "p_value_adjusted", "chance_to_win", "guardrail_failed")  # fmt: skip


class CampaignAnalysisConfig(SeamlineConfig):
    """How the main job analyses the synthetic world's campaign."""

    what: ClassVar[str] = "experiments config"

    alpha: float = Field(0.05, gt=0, lt=1)
    cuped: bool = True


@dataclass(frozen=True)
class ExperimentsResult(StageResult):
    experiment: str
    arms: dict[str, int]
    srm_p_value: float | None
    results: list[dict[str, Any]]

    def summary(self) -> list[str]:
        return [
            f"campaign {r['metric']}: lift {r['abs_lift']:+.4g} "
            f"[{r['ci_low']:+.4g}, {r['ci_high']:+.4g}], p = {r['p_value']:.3g}"
            for r in self.results
        ]


class ExperimentsStage:
    name = "experiments"
    config_key = "experiments"
    config_type = CampaignAnalysisConfig

    def run(
        self, ctx: RunContext, config: CampaignAnalysisConfig, progress: Progress | None
    ) -> ExperimentsResult | None:
        from seamline.experiments.campaign_log import analyze_synthetic_campaign

        if ctx.data_dir is None or not (ctx.data_dir / "truth" / "campaign.json").is_file():
            return None  # only a synthetic world knows its past campaign
        report = analyze_synthetic_campaign(
            ctx.workspace, ctx.data_dir, alpha=config.alpha, cuped=config.cuped
        )
        return ExperimentsResult(
            experiment=report["experiment"]["name"],
            arms=report["arms"],
            srm_p_value=report["srm_p_value"],
            results=[{k: r.get(k) for k in KEEP} for r in report["results"]],
        )

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.experiments import experiments_section

        return experiments_section(workspace)
