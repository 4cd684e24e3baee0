"""Stage `recommend`: tune and evaluate every recommender (over all items, then each domain
alone) and make the best one, fitted on all events, the workspace's default model; then
fit the cross-domain transfer blend, which serves users with little history in a domain."""

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

    models: str | tuple[str, ...] = "fast"  # every model but SASRec, minutes per fit on CPU
    max_test_users: int | None = Field(2000, ge=1)
    domains: tuple[str, ...] = ("knowledge", "fashion")
    # also fit the cross-domain transfer blend (serves users cold in a domain)
    transfer: bool = True


@dataclass(frozen=True)
class BestModel:
    """The evaluation's best model, refitted on all events as the workspace default."""

    name: str
    ndcg: float  # NDCG@k on the evaluation's test users
    params: dict[str, Any]  # chosen on the validation split
    fitted: dict[str, Any]  # the fit's summary: name, path, seconds, users, items


@dataclass(frozen=True)
class RecommendResult(StageResult):
    best: BestModel | None
    split: dict[str, Any]  # the evaluation split's sizes and fingerprint
    k: int = 10

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        out = {**best.fitted, "params": best.params, f"ndcg@{self.k}": best.ndcg} if best else None
        return {"best": out, "split": self.split}

    def summary(self) -> list[str]:
        if self.best is None:
            return []
        return [f"default recommender: {self.best.name} (NDCG@{self.k} {self.best.ndcg:.4f})"]


def _als_on_spark(config: EvaluationConfig) -> EvaluationConfig:
    """The config with every ALS grid point fitted through Spark MLlib."""
    from seamline.evaluate.grids import GRIDS

    grids = dict(GRIDS if config.grids is None else config.grids)
    grids["als"] = [{**p, "engine": "spark"} for p in grids.get("als") or [{}]]
    return config.replace(grids=grids)


class RecommendStage:
    name = "recommend"
    config_key = "recommend"
    config_type = MainJobEvaluation

    def run(
        self, ctx: RunContext, config: EvaluationConfig, progress: Progress | None
    ) -> RecommendResult:
        from seamline.evaluate.runner import evaluate_and_fit
        from seamline.recommend.store import fit_transfer

        if ctx.engine is not None and ctx.engine.name == "spark":
            config = _als_on_spark(config)
        out = evaluate_and_fit(ctx.workspace, config, progress)
        if getattr(config, "transfer", False):
            fit_transfer(ctx.workspace, progress)
        best, metric = out["best"], f"ndcg@{config.k}"
        chosen = None
        if best is not None:
            fitted = {key: v for key, v in best.items() if key not in ("params", metric)}
            chosen = BestModel(best["name"], float(best[metric]), best["params"], fitted)
        return RecommendResult(best=chosen, split=out["split"], k=config.k)

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.recommend import recommend_section

        return recommend_section(workspace)
