"""Stage `segments`: segment users on their features; on a synthetic world, score the
segments against the planted ones (adjusted Rand index)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seamline.pipeline.stage import RunContext, StageResult
from seamline.segments import SegmentConfig

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


@dataclass(frozen=True)
class SegmentsResult(StageResult):
    run_id: int
    method: str
    k: int
    silhouette: float | None
    stability: dict[str, Any]
    users: int
    names: list[str]
    truth: dict[str, Any] | None = field(default=None)  # agreement with planted segments

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if self.truth is None:
            del d["truth"]
        return d

    def summary(self) -> list[str]:
        ari = self.truth.get("ari") if self.truth else None
        vs = f", adjusted Rand index vs planted truth {ari:.2f}" if ari is not None else ""
        return [f"segments: k = {self.k} ({self.method}){vs}"]


class SegmentsStage:
    name = "segments"
    config_key = "segments"
    config_type = SegmentConfig

    def run(
        self, ctx: RunContext, config: SegmentConfig, progress: Progress | None
    ) -> SegmentsResult:
        from seamline.segments import run_segmentation
        from seamline.segments.api import agreement_with

        if ctx.engine is not None and ctx.engine.name == "spark" and config.method == "kmeans":
            config = config.replace(engine="spark")
        seg = run_segmentation(ctx.workspace, config, progress)
        truth = None
        truth_csv = ctx.data_dir / "truth" / "users.csv" if ctx.data_dir else None
        if ctx.synthetic and truth_csv is not None:
            truth = agreement_with(ctx.workspace, truth_csv)
        return SegmentsResult(
            run_id=seg["run_id"],
            method=seg["method"],
            k=seg["k"],
            silhouette=seg["silhouette"],
            stability=seg["stability"],
            users=seg["users"],
            names=[s["name_en"] for s in seg["segments"]],
            truth=truth,
        )

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.segments import segments_section

        return segments_section(workspace)
