"""Stage `ingest`: store the data folder's events/items/users.csv; its section is data quality."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.data.ingest import IngestSummary
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace

TABLES = ("events", "items", "users")


class IngestConfig(SeamlineConfig):
    """How the main job ingests its data folder."""

    what: ClassVar[str] = "ingest config"

    mapping: Path | None = None  # YAML column mapping applied to every file


@dataclass(frozen=True)
class IngestResult(StageResult):
    ingested: IngestSummary

    def to_dict(self) -> dict[str, Any]:
        # Totals over the files; the per-file rows stay with `seamline ingest`.
        return {k: v for k, v in self.ingested.to_dict().items() if k != "files"}

    def summary(self) -> list[str]:
        return [f"ingested {sum(p.accepted for p in self.ingested.parts):,} rows"]


class IngestStage:
    name = "ingest"
    config_key = "ingest"
    config_type = IngestConfig

    def run(self, ctx: RunContext, config: IngestConfig, progress: Progress | None) -> IngestResult:
        if ctx.data_dir is None:
            raise ConfigError("pipeline config: give data_dir or let the synthetic stage run")
        files = {t: ctx.data_dir / f"{t}.csv" for t in TABLES}
        found = {t: p if p.exists() else None for t, p in files.items()}
        summary = ctx.workspace.ingest(
            events=found["events"],
            items=found["items"],
            users=found["users"],
            mapping=config.mapping,
            progress=progress,
            engine=ctx.engine,
        )
        return IngestResult(summary)

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.quality import fetch_example_rejects, quality_section

        quality = workspace.quality()
        with workspace.connect(read_only=True) as con:
            examples = fetch_example_rejects(con)
        return quality_section(quality, example_rejects=examples)
