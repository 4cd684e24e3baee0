"""Data-quality summary of a workspace: counts, rejects, duplicates, coverage, anomalies."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import duckdb

from seamline.data.columns import CONVERSION_SQL
from seamline.data.store import count


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _iso(v: Any) -> str | None:
    return None if v is None else v.isoformat()


def quality_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the data-quality report and `seamline quality` show."""
    ingests = _rows(con, "SELECT * FROM ingests ORDER BY ingest_id")
    # Rejects are stored once per file line; duplicates are what each ingest skipped.
    rejected_by_reason = Counter(
        {
            r[0]: int(r[1])
            for r in con.execute("SELECT reason, count(*) FROM rejects GROUP BY reason").fetchall()
        }
    )
    duplicates_by_kind: Counter[str] = Counter()
    for row in ingests:
        duplicates_by_kind.update(json.loads(row["summary"])["duplicates_by_kind"])
    span = con.execute(
        "SELECT min(timestamp), max(timestamp), count(*) FILTER "
        "(WHERE timestamp IS NULL) FROM events"
    ).fetchone()
    by_domain = _rows(
        con,
        f"""
        SELECT domain, count(*) AS events, count(DISTINCT user_id) AS users,
               count(DISTINCT item_id) AS items,
               count(*) FILTER (WHERE event_type IN {CONVERSION_SQL}) AS conversions,
               round(coalesce(sum(value), 0), 2) AS revenue,
               min(timestamp) AS first, max(timestamp) AS last
        FROM events GROUP BY domain ORDER BY domain""",
    )
    for d in by_domain:
        d["first"], d["last"] = _iso(d["first"]), _iso(d["last"])
    by_type = _rows(
        con,
        "SELECT domain, event_type, count(*) AS events FROM events "
        "GROUP BY ALL ORDER BY domain, events DESC",
    )
    per_day = _rows(
        con,
        "SELECT CAST(date_trunc('day', timestamp) AS DATE)::VARCHAR AS day, "
        "domain, count(*) AS events FROM events WHERE timestamp IS NOT NULL "
        "GROUP BY ALL ORDER BY day, domain",
    )
    orphans = con.execute("""
        SELECT
          (SELECT count(*) FROM events e ANTI JOIN items i
             ON i.item_id = e.item_id AND i.domain = e.domain),
          (SELECT count(*) FROM events e ANTI JOIN users u ON u.user_id = e.user_id)
    """).fetchone()
    cross = con.execute(
        "SELECT count(*) FROM (SELECT user_id FROM events GROUP BY user_id "
        "HAVING count(DISTINCT domain) > 1)"
    ).fetchone()
    missing = {table: _missing_shares(con, table) for table in ("events", "items", "users")}
    return {
        "events": count(con, "events"),
        "items": count(con, "items"),
        "users": count(con, "users"),
        "users_in_events": _scalar(con, "SELECT count(DISTINCT user_id) FROM events"),
        "cross_domain_users": int(cross[0]) if cross else 0,
        "rejected": sum(rejected_by_reason.values()),
        "rejected_by_reason": dict(sorted(rejected_by_reason.items())),
        "duplicates": sum(duplicates_by_kind.values()),
        "duplicates_by_kind": dict(sorted(duplicates_by_kind.items())),
        "date_range": {
            "first": _iso(span[0]) if span else None,
            "last": _iso(span[1]) if span else None,
            "events_without_timestamp": int(span[2]) if span else 0,
        },
        "by_domain": by_domain,
        "by_event_type": by_type,
        "events_per_day": per_day,
        "events_without_catalog_item": int(orphans[0]) if orphans else 0,
        # The same count under the name ingest reports use; `exclude_orphan_items` in the
        # interactions config leaves these events out of training and recommendations.
        "orphan_items": int(orphans[0]) if orphans else 0,
        "pii_policy": _latest_policy(ingests),
        "events_without_user_profile": int(orphans[1]) if orphans else 0,
        "bot_flagged_users": count(con, "bot_flags"),
        "missing_share": missing,
        "ingests": [
            {k: (_iso(v) if k == "started_at" else v) for k, v in r.items() if k != "summary"}
            | {"pii_policy": json.loads(r["summary"]).get("pii_policy") or None}
            for r in ingests
        ],
    }


def _latest_policy(ingests: list[dict[str, Any]]) -> str | None:
    """The PII policy of the latest ingest (None: no ingest recorded one)."""
    for row in reversed(ingests):
        policy = json.loads(row["summary"]).get("pii_policy")
        if policy:
            return str(policy)
    return None


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _missing_shares(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, float]:
    """Share of rows where each optional canonical column is empty."""
    cols = [
        r[0]
        for r in con.execute(f"DESCRIBE {table}").fetchall()
        if r[0] not in ("attrs", "ingest_id")
    ]
    n = count(con, table)
    if n == 0:
        return {}
    exprs = ", ".join(f'count(*) FILTER (WHERE "{c}" IS NULL)' for c in cols)
    row = con.execute(f"SELECT {exprs} FROM {table}").fetchone() or ()
    return {c: round(int(v) / n, 4) for c, v in zip(cols, row, strict=True)}
