"""Stage `recommend`: tune and evaluate every recommender (over all items, then each domain
alone) and make the best one, fitted on all events, the workspace's default model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from seamline.evaluate.config import EvaluationConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


class MainJobEvaluation(EvaluationConfig):
    """`EvaluationConfig` with the main job's defaults: tuned on a validation split carved
    from train, measured on a seeded sample of 2,000 test users to bound the cost, then each
    domain's own table."""

    what: ClassVar[str] = "recommend config"

    max_test_users: int | None = Field(2000, ge=1)
    domains: tuple[str, ...] = ("knowledge", "fashion")


@dataclass(frozen=True)
class RecommendResult(StageResult):
    best: dict[str, Any] | None  # the default model: name, params, path, NDCG@k, ...
    split: dict[str, Any]  # the evaluation split's sizes and fingerprint
    k: int = 10

    def to_dict(self) -> dict[str, Any]:
        return {"best": self.best, "split": self.split}

    def summary(self) -> list[str]:
        if not self.best:
            return []
        ndcg = f"ndcg@{self.k}"
        return [f"default recommender: {self.best['name']} (NDCG@{self.k} {self.best[ndcg]:.4f})"]


class RecommendStage:
    name = "recommend"
    config_key = "recommend"
    config_type = MainJobEvaluation

    def run(
        self, ctx: RunContext, config: EvaluationConfig, progress: Progress | None
    ) -> RecommendResult:
        from seamline.evaluate.runner import evaluate_and_fit

        out = evaluate_and_fit(ctx.workspace, config, progress)
        return RecommendResult(best=out["best"], split=out["split"], k=config.k)

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.recommend import recommend_section

        return recommend_section(workspace)
