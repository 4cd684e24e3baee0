"""The main job, stage by stage, on the embedded DuckDB workspace:

synthetic world (or the user's data) -> ingest -> features -> segments -> recommenders
(fit + evaluation) -> experiments (the world's past coupon campaign) -> fairness -> report.

`registry.STAGES` is the one ordered list of stages (`stage.Stage`: name, config type,
`run`, report `section`); `PipelineConfig` nests every stage's config. Each stage stores
its results in the workspace and the report reads them back, so `seamline report` later
shows the same sections.
"""

from seamline.pipeline.config import PipelineConfig, build_config, load_config, to_yaml
from seamline.pipeline.job import RunResult, run
from seamline.pipeline.registry import STAGES
from seamline.pipeline.report import stage_sections, write_report
from seamline.pipeline.stage import RunContext, Stage, StageResult

__all__ = [
    "STAGES",
    "PipelineConfig",
    "RunContext",
    "RunResult",
    "Stage",
    "StageResult",
    "build_config",
    "load_config",
    "run",
    "stage_sections",
    "to_yaml",
    "write_report",
]
