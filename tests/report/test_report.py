"""The HTML report: data-quality section, self-containment, escaping, empty workspaces."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from seamline.pipeline import write_report
from seamline.report import (
    Section,
    fetch_example_rejects,
    quality_section,
    render_report,
)
from seamline.report.sections import EMPTY, fmt_money, fmt_num, fmt_pct
from seamline.workspace import Workspace

XSS = "<script>alert(1)</script>"
EVENTS = f"""user_id,item_id,domain,event_type,timestamp,value
u1,k1,knowledge,view,2024-01-01T10:00:00,
u1,k1,knowledge,enroll,2024-01-01T10:05:00,49.5
u2,k2,knowledge,view,2024-01-02T09:00:00,
u2,f1,fashion,view,2024-01-02T11:00:00,
u1,f1,fashion,purchase,2024-01-03T12:00:00,20
u3,f2,fashion,view,2024-01-04T08:30:00,
,f2,fashion,view,2024-01-04T12:00:00,
u4,f2,fashion,{XSS},2024-01-04T12:00:00,
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tmp = tmp_path_factory.mktemp("report")
    path = tmp / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    ws = Workspace(tmp / "ws")
    ws.ingest(events=path)
    return ws


@pytest.fixture(scope="module")
def report(workspace: Workspace) -> str:
    out = write_report(workspace)
    assert out == workspace.path / "report.html"
    return out.read_text(encoding="utf-8")


def stat(html: str, key: str) -> str:
    m = re.search(rf'data-key="{key}">\s*<div class="stat-value">([^<]*)</div>', html)
    assert m, f"no headline number {key!r}"
    return m.group(1)


def test_report_written_with_quality_section(workspace: Workspace, report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert '<section id="data-quality">' in report
    assert "<h2>Data quality</h2>" in report
    assert '<a href="#data-quality">Data quality</a>' in report  # table of contents
    assert str(workspace.path.resolve()) in report
    assert re.search(r"<dt>Generated</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</dd>", report)


def test_headline_numbers_match_quality(workspace: Workspace, report: str) -> None:
    q = workspace.quality()
    assert q["events"] == 6 and q["rejected"] == 2  # the CSV's 8 rows, 2 of them bad
    for key in (
        "events",
        "items",
        "users",
        "cross_domain_users",
        "rejected",
        "duplicates",
        "bot_flagged_users",
    ):
        assert stat(report, key) == fmt_num(q[key]), key
    assert stat(report, "date_range") == "2024-01-01 – 2024-01-04"
    assert q["cross_domain_users"] == 2  # u1 and u2


def test_per_domain_table_and_ingest_log(workspace: Workspace, report: str) -> None:
    q = workspace.quality()
    fashion = next(d for d in q["by_domain"] if d["domain"] == "fashion")
    row = re.search(r"<td>fashion</td>\s*((?:<td[^>]*>[^<]*</td>\s*){5})", report)
    assert row
    cells = re.findall(r">([^<]*)</td>", row.group(1))
    assert cells == [
        fmt_num(fashion["events"]),
        fmt_num(fashion["users"]),
        fmt_num(fashion["items"]),
        fmt_num(fashion["conversions"]),
        "20.00",
    ]
    assert "<h3>Ingest log</h3>" in report
    log = q["ingests"][0]
    assert log["file"].endswith("events.csv") and f"<td>{log['file']}</td>" in report
    assert (log["rows"], log["accepted"], log["rejected"]) == (8, 6, 2)


def test_rejects_shown_by_reason_and_as_examples(workspace: Workspace, report: str) -> None:
    q = workspace.quality()
    assert q["rejected_by_reason"] == {"bad_event_type": 1, "missing_user_id": 1}
    assert "<td>missing_user_id</td>" in report
    assert "Example rejects (2 of 2)" in report
    with workspace.connect(read_only=True) as con:
        examples = fetch_example_rejects(con)
    assert [(e["line"], e["reason"]) for e in examples] == [
        (8, "missing_user_id"),
        (9, "bad_event_type"),
    ]
    assert '<td class="num">8</td>\n<td>user_id</td>\n<td>missing_user_id</td>' in report


def test_charts_are_inline_and_nothing_is_fetched(report: str) -> None:
    # events per day, event types per domain, missing share, rejects by reason
    assert report.count("<svg ") == 4
    for label in (
        "events per day by domain",
        "event types per domain",
        "missing share per column",
        "rejects by reason",
    ):
        assert f'aria-label="{label}"' in report
    assert "<script" not in report.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", report, re.I)
    assert "<link" not in report and "@import" not in report
    ids = re.findall(r'\bid="([^"]+)"', report)
    assert len(ids) == len(set(ids))  # ids of several inline SVGs do not clash


def test_data_text_is_escaped(report: str) -> None:
    # The bad event type appears in the reject message, escaped, never as a tag.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert XSS not in report


def test_quality_section_escapes_reasons_and_titles() -> None:
    q: dict[str, Any] = {
        "events": 0,
        "rejected": 3,
        "rejected_by_reason": {XSS: 3},
        "ingests": [
            {
                "ingest_id": 1,
                "file": f"{XSS}.csv",
                "table_name": "items",
                "rows": 3,
                "accepted": 0,
                "rejected": 3,
                "duplicates": 0,
                "seconds": 0.1,
                "started_at": None,
            }
        ],
    }
    examples = [
        {
            "file": "x.csv",
            "line": 2,
            "column_name": "title",
            "reason": XSS,
            "message": f"item title {XSS!r} is odd",
        }
    ]
    section = quality_section(q, example_rejects=examples)
    html = render_report(
        [section, Section("extra", f"Title {XSS}", "<p>ok</p>")], meta={"Workspace": XSS}
    )
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 5  # reason table, example, file, title, meta
    assert "<p>ok</p>" in html  # a section's own fragment is kept as markup
    assert '<a href="#extra">Title &lt;script&gt;alert(1)&lt;/script&gt;</a>' in html
    assert 'aria-label="rejects by reason"' in html


def test_empty_workspace_says_no_data_yet(tmp_path: Path) -> None:
    out = write_report(Workspace(tmp_path / "empty"), out=tmp_path / "out" / "r.html")
    html = out.read_text(encoding="utf-8")
    assert out == tmp_path / "out" / "r.html"
    assert "No data yet" in html
    assert "<svg" not in html and "<h3>Headline</h3>" not in html
    assert '<section id="data-quality">' in html


def test_extra_sections_follow_quality(workspace: Workspace, tmp_path: Path) -> None:
    extra = Section("segments", "Segments", "<p>three segments</p>")
    html = write_report(workspace, out=tmp_path / "r.html", extra_sections=[extra]).read_text(
        encoding="utf-8"
    )
    assert html.index('id="data-quality"') < html.index('id="segments"')
    assert '<a href="#segments">Segments</a>' in html and "<p>three segments</p>" in html


def test_section_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="section id"):
        Section('bad" onclick="x', "Bad", "")
    s = Section("dup", "A", "")
    with pytest.raises(ValueError, match="share the id"):
        render_report([s, s])


@pytest.mark.parametrize("fmt", [fmt_num, fmt_pct, fmt_money])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "inf", "NaN"])
def test_non_finite_numbers_render_as_a_dash(fmt: Any, value: Any) -> None:
    assert fmt(value) == EMPTY


def test_overflowing_totals_render_as_a_dash_not_inf(tmp_path: Path) -> None:
    # A workspace whose values sum past the float range (stored before ranges were capped):
    # `quality --json` says null; the page must not print inf or nan.
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=path)
    with ws.connect() as con:
        con.execute("UPDATE events SET value = 1.6e308 WHERE event_type IN ('enroll', 'purchase')")
        con.execute(
            "INSERT INTO events SELECT * REPLACE (1.6e308 AS value) FROM events "
            "WHERE event_type = 'purchase'"
        )
    html = write_report(ws, out=tmp_path / "r.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert EMPTY in cells
    assert not re.search(r"(?<![A-Za-z])(inf|nan|infinity)(?![A-Za-z])", html, re.I)
