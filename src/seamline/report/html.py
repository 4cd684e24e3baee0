"""Assemble sections into one self-contained HTML report and write it to the workspace."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from seamline.report.quality import fetch_example_rejects, quality_section
from seamline.report.sections import Section, environment

if TYPE_CHECKING:
    from seamline.workspace import Workspace

REPORT_FILE = "report.html"

# Each later stage adds "module:function" here; the function takes the workspace and returns
# its Section, or None when that stage has not run in this workspace. Order = report order.
STAGE_SECTIONS: tuple[str, ...] = (
    "seamline.report.segments:segments_section",
    "seamline.report.recommend:recommend_section",
    "seamline.report.experiments:experiments_section",
    "seamline.report.privacy:fairness_section",
    "seamline.report.privacy:privacy_section",
)


def stage_sections(workspace: Workspace) -> list[Section]:
    """The sections of every stage that has results in `workspace`, in report order."""
    import importlib

    found = []
    for ref in STAGE_SECTIONS:
        module, _, func = ref.partition(":")
        section = getattr(importlib.import_module(module), func)(workspace)
        if section is not None:
            found.append(section)
    return found


def render_report(
    sections: list[Section],
    *,
    title: str = "Seamline report",
    meta: Mapping[str, Any] | None = None,
) -> str:
    """The full page: a header (title, generation time, `meta` as key/value pairs), a table
    of contents and each section in order. Section titles and meta are escaped; each
    section's `html` is inserted as the trusted fragment its builder rendered."""
    from seamline import __version__

    seen: set[str] = set()
    for s in sections:
        if s.id in seen:
            raise ValueError(f"two report sections share the id {s.id!r}")
        seen.add(s.id)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    header = [("Generated", generated), *((str(k), v) for k, v in (meta or {}).items())]
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            meta=header,
            sections=[{"id": s.id, "title": s.title, "html": Markup(s.html)} for s in sections],
            version=__version__,
        )
    )


def write_report(
    workspace: Workspace, out: Path | str | None = None, extra_sections: Iterable[Section] = ()
) -> Path:
    """Write the workspace report (data quality first, then each stage that has run, then
    `extra_sections`) to `out`, by default `<workspace>/report.html`; returns the path."""
    quality = workspace.quality()
    with workspace.connect(read_only=True) as con:
        examples = fetch_example_rejects(con)
    sections = [
        quality_section(quality, example_rejects=examples),
        *stage_sections(workspace),
        *extra_sections,
    ]
    html = render_report(sections, meta={"Workspace": str(workspace.path.resolve())})
    path = Path(out) if out is not None else workspace.path / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written report
    return path
