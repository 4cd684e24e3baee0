"""Assemble sections into one self-contained HTML report and write it to the workspace."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from seamline.report.sections import Section, environment

REPORT_FILE = "report.html"


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


def write_page(
    sections: Iterable[Section], path: Path, meta: Mapping[str, Any] | None = None
) -> Path:
    """Render `sections` as one page and write it to `path` atomically; returns the path.
    (`seamline.pipeline.write_report` gathers the stages' sections of a workspace.)"""
    html = render_report(list(sections), meta=meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written report
    return path
