"""The workspace's HTML report: each stage's section, in `registry.STAGES` order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from seamline.pipeline.registry import STAGES
from seamline.report.html import REPORT_FILE, write_page

if TYPE_CHECKING:
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


def stage_sections(workspace: Workspace) -> list[Section]:
    """The sections of every stage that has results in `workspace`, in stage order (data
    quality, from the ingest stage, first)."""
    return [s for s in (stage.section(workspace) for stage in STAGES) if s is not None]


def write_report(
    workspace: Workspace, out: Path | str | None = None, extra_sections: Iterable[Section] = ()
) -> Path:
    """Write the workspace report (each stage that has run, then `extra_sections`) to `out`,
    by default `<workspace>/report.html`; returns the path."""
    path = Path(out) if out is not None else workspace.path / REPORT_FILE
    sections = [*stage_sections(workspace), *extra_sections]
    return write_page(sections, path, meta={"Workspace": str(workspace.path.resolve())})
