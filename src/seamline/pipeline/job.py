"""The main job: run every stage of `registry.STAGES` in order, then write the report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.pipeline.config import PipelineBase, PipelineConfig, ReportConfig
from seamline.pipeline.registry import STAGES
from seamline.pipeline.report import write_report
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    workspace: Path
    report: Path
    stages: dict[str, StageResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "report": str(self.report.resolve()),
            "stages": {name: r.to_dict() for name, r in self.stages.items()},
        }

    def summary(self) -> list[str]:
        """What `seamline run` prints: each stage's lines, then the report's path."""
        lines = [line for r in self.stages.values() for line in r.summary()]
        return [*lines, f"report: {self.report.resolve()}"]


def run(
    workspace: Workspace, config: PipelineBase | None = None, progress: Progress | None = None
) -> RunResult:
    """Make (or take) data, ingest it, run every stage and write `report.html`."""
    cfg = config if config is not None else PipelineConfig()
    ctx = RunContext(
        workspace, data_dir=cfg.data_dir, synthetic=cfg.data_dir is None, engine=cfg.engine
    )
    for stage in STAGES:
        section = cfg.section(stage.config_key) if stage.config_key else None
        result = stage.run(ctx, section, progress)
        if result is not None:
            ctx.results[stage.name] = result
            log.info("stage %s done", stage.name)
    out = cfg.section("report")
    assert isinstance(out, ReportConfig)
    report = write_report(workspace, out.out)
    log.info("report written to %s", report)
    return RunResult(workspace=workspace.path, report=report, stages=dict(ctx.results))
