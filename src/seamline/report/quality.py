"""The data-quality section: what was ingested, what was rejected, and how complete it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
from markupsafe import Markup

from seamline.data.columns import EVENT_TYPES
from seamline.report import charts
from seamline.report.sections import Section, fmt_when, render_fragment

SECTION_ID = "data-quality"
SECTION_TITLE = "Data quality"
REJECT_EXAMPLES = 20
WEEKLY_AFTER_DAYS = 730  # longer spans are charted per week


def fetch_example_rejects(
    con: duckdb.DuckDBPyConnection, limit: int = REJECT_EXAMPLES
) -> list[dict[str, Any]]:
    """The first `limit` rows of the `rejects` table, in ingest and line order."""
    cur = con.execute(
        "SELECT file, table_name, line, column_name, reason, value, message FROM rejects "
        "ORDER BY ingest_id, file, line LIMIT ?",
        [int(limit)],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _per_period(rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, dict[date, float]], int]:
    """Events per day (or per week, Monday-based, for long spans) for each domain."""
    series: dict[str, dict[date, float]] = defaultdict(dict)
    days = [date.fromisoformat(str(r["day"])[:10]) for r in rows]
    step = 7 if days and (max(days) - min(days)).days > WEEKLY_AFTER_DAYS else 1
    for r, d in zip(rows, days, strict=True):
        key = d - timedelta(days=d.weekday()) if step == 7 else d
        points = series[str(r["domain"])]
        points[key] = points.get(key, 0) + int(r["events"])
    return dict(sorted(series.items())), step


def _funnels(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[str, float]]]:
    """Event types per domain: built-in types in intent order, then custom ones by count."""
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    panels: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in rows:
        panels[str(r["domain"])].append((str(r["event_type"]), float(r["events"])))
    return {
        d: sorted(steps, key=lambda s: (order.get(s[0], len(order)), -s[1]))
        for d, steps in sorted(panels.items())
    }


def _days_between(first: Any, last: Any) -> int | None:
    try:
        a, b = datetime.fromisoformat(str(first)), datetime.fromisoformat(str(last))
    except ValueError:
        return None
    return (b.date() - a.date()).days + 1


def _headline(q: Mapping[str, Any]) -> list[dict[str, Any]]:
    events = int(q.get("events") or 0)
    active = int(q.get("users_in_events") or 0)
    rows_read = sum(int(i.get("rows") or 0) for i in q.get("ingests", []))
    span = q.get("date_range") or {}
    first, last = span.get("first"), span.get("last")
    days = _days_between(first, last) if first and last else None

    def share(part: int, whole: int, of: str) -> str | None:
        return f"{part / whole:.1%} of {of}" if whole else None

    return [
        {"key": "events", "label": "Events", "value": events, "note": None},
        {"key": "items", "label": "Items", "value": q.get("items", 0), "note": None},
        {
            "key": "users",
            "label": "Users",
            "value": q.get("users", 0),
            "note": f"{active:,} with events",
        },
        {
            "key": "cross_domain_users",
            "label": "Cross-domain users",
            "value": q.get("cross_domain_users", 0),
            "note": share(int(q.get("cross_domain_users") or 0), active, "users with events"),
        },
        {
            "key": "rejected",
            "label": "Rejected rows",
            "value": q.get("rejected", 0),
            "note": share(int(q.get("rejected") or 0), rows_read, "rows read"),
        },
        {
            "key": "duplicates",
            "label": "Duplicates skipped",
            "value": q.get("duplicates", 0),
            "note": None,
        },
        {
            "key": "bot_flagged_users",
            "label": "Bot-flagged users",
            "value": q.get("bot_flagged_users", 0),
            "note": None,
        },
        {
            "key": "pii_policy",
            "label": "PII policy (latest ingest)",
            "value": q.get("pii_policy"),
            "note": "free-text columns; where the policy came from in brackets",
        },
        {
            "key": "date_range",
            "label": "Date range",
            "value": (
                f"{fmt_when(first, False)} – {fmt_when(last, False)}" if first and last else None
            ),
            "note": f"{days:,} days" if days else None,
        },
    ]


def _coverage(q: Mapping[str, Any]) -> list[dict[str, Any]]:
    events = int(q.get("events") or 0)
    span = q.get("date_range") or {}
    checks = [
        ("Events without a timestamp", span.get("events_without_timestamp", 0)),
        ("Events whose item is not in the catalogue", q.get("events_without_catalog_item", 0)),
        ("Events whose user has no profile", q.get("events_without_user_profile", 0)),
    ]
    return [
        {"label": label, "value": int(v or 0), "share": (int(v or 0) / events)}
        for label, v in checks
        if events
    ]


def quality_section(
    quality: Mapping[str, Any], *, example_rejects: Sequence[Mapping[str, Any]] | None = None
) -> Section:
    """The data-quality section from `quality_summary` output (and, optionally, the first
    rows of the `rejects` table, see `fetch_example_rejects`)."""
    q = quality
    has_events = int(q.get("events") or 0) > 0
    ingests = list(q.get("ingests") or [])
    reasons: dict[str, int] = dict(q.get("rejected_by_reason") or {})
    rejected = int(q.get("rejected") or 0)
    chart_svgs: dict[str, Markup] = {}
    step = 1
    if has_events:
        series, step = _per_period(q.get("events_per_day") or [])
        if series:
            chart_svgs["per_day"] = charts.time_series_chart(
                series,
                step_days=step,
                label=f"events per {'week' if step == 7 else 'day'} by domain",
            )
        funnels = _funnels(q.get("by_event_type") or [])
        if funnels:
            chart_svgs["event_types"] = charts.funnel_chart(funnels, label="event types per domain")
        missing = {t: dict(v) for t, v in (q.get("missing_share") or {}).items()}
        if any(missing.values()):
            chart_svgs["missing"] = charts.share_chart(missing, label="missing share per column")
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked:
        chart_svgs["rejects"] = charts.bar_chart(
            [r for r, _ in ranked],
            [n for _, n in ranked],
            xlabel="rejected rows",
            color="#b5523b",
            label="rejects by reason",
        )
    html = render_fragment(
        "quality.html.j2",
        has_events=has_events,
        has_anything=has_events or bool(ingests) or rejected > 0,
        headline=_headline(q),
        coverage=_coverage(q),
        by_domain=list(q.get("by_domain") or []),
        charts=chart_svgs,
        period="week" if step == 7 else "day",
        reasons=[
            {"reason": r, "rows": n, "share": n / rejected if rejected else 0} for r, n in ranked
        ],
        duplicates_by_kind=dict(q.get("duplicates_by_kind") or {}),
        examples=list(example_rejects or []),
        rejected=rejected,
        empty_tables=[t for t, v in (q.get("missing_share") or {}).items() if not v],
        ingests=ingests,
    )
    return Section(id=SECTION_ID, title=SECTION_TITLE, html=html)
