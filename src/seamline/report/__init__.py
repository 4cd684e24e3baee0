"""The HTML report: one self-contained file, built from sections that each stage adds.

    from seamline.pipeline import write_report
    write_report(Workspace("ws"))            # -> ws/report.html

A stage contributes a `Section(id, title, html)` through its `section(workspace)` in
`seamline.pipeline.STAGES`; build the fragment with `render_fragment("<stage>.html.j2", ...)`
(autoescaped, macros in `_macros.html.j2`) and charts from `seamline.report.charts` (inline
SVG). `render_report` / `write_page` turn sections into the page.
"""

from seamline.report.html import REPORT_FILE, render_report, write_page
from seamline.report.quality import fetch_example_rejects, quality_section
from seamline.report.sections import Section, render_fragment

__all__ = [
    "REPORT_FILE",
    "Section",
    "fetch_example_rejects",
    "quality_section",
    "render_fragment",
    "render_report",
    "write_page",
]
