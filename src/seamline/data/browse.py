"""Browsing what the store holds: activity counts, user search, one user's history, the
item catalog and ingest batches. Plain functions over a `Store` (a workspace, or the
service's) returning JSON-ready data, shared by the service, the dashboard and the CLI.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from seamline.data.columns import CONVERSION_SQL
from seamline.data.quality import quality_summary
from seamline.data.store import Store


def plain(v: Any) -> Any:
    """`v` with dates as ISO text and NaN/infinity as None (strict JSON)."""
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    return v


def rows(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """The result of `sql` as JSON-ready dicts."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{n: plain(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def activity(ws: Store, *, days: int = 120) -> dict[str, Any]:
    """Totals (events, users, items, active and cross-domain users), the domains seen and
    daily activity per domain over the last `days` of events."""
    with ws.connect(read_only=True) as con:
        totals = con.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM users), "
            "(SELECT count(*) FROM items), (SELECT count(DISTINCT user_id) FROM events), "
            "(SELECT count(*) FROM (SELECT user_id FROM events GROUP BY user_id "
            "  HAVING count(DISTINCT domain) > 1))"
        ).fetchone() or (0, 0, 0, 0, 0)
        domains = [
            r[0] for r in con.execute("SELECT DISTINCT domain FROM events ORDER BY 1").fetchall()
        ]
        daily = rows(
            con,
            "WITH last AS (SELECT max(timestamp) AS t FROM events) "
            "SELECT CAST(date_trunc('day', timestamp) AS DATE)::VARCHAR AS day, domain, "
            "count(*) AS events, count(DISTINCT user_id) AS users, "
            f"coalesce(sum(value) FILTER (WHERE event_type IN {CONVERSION_SQL}), 0) AS revenue "
            "FROM events, last WHERE timestamp > last.t - to_days(?) "
            "GROUP BY ALL ORDER BY day, domain",
            [int(days)],
        )
    return {
        "events": int(totals[0]),
        "users": int(totals[1]),
        "items": int(totals[2]),
        "active_users": int(totals[3]),
        "cross_domain_users": int(totals[4]),
        "domains": domains,
        "daily": daily,
    }


def search_users(ws: Store, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Users whose id starts with `q` (case-insensitive, LIKE wildcards taken literally),
    with their event counts."""
    pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with ws.connect(read_only=True) as con:
        return rows(
            con,
            "WITH ids AS (SELECT user_id FROM users WHERE user_id ILIKE ? ESCAPE '\\' "
            "  UNION SELECT DISTINCT user_id FROM events WHERE user_id ILIKE ? ESCAPE '\\') "
            "SELECT i.user_id, count(e.user_id) AS events, "
            "count(DISTINCT e.domain) AS domains FROM ids i "
            "LEFT JOIN events e USING (user_id) GROUP BY i.user_id ORDER BY i.user_id LIMIT ?",
            [pattern, pattern, int(limit)],
        )


def user_detail(ws: Store, user_id: str, *, limit: int = 50) -> dict[str, Any] | None:
    """A user's profile, activity per domain and latest events (with item titles) in each
    domain; None when the workspace has never seen the user."""
    with ws.connect(read_only=True) as con:
        profile = rows(con, "SELECT * EXCLUDE (ingest_id) FROM users WHERE user_id = ?", [user_id])
        by_domain = rows(
            con,
            "SELECT domain, count(*) AS events, count(DISTINCT item_id) AS items, "
            f"count(*) FILTER (WHERE event_type IN {CONVERSION_SQL}) AS conversions, "
            f"coalesce(sum(value) FILTER (WHERE event_type IN {CONVERSION_SQL}), 0) AS spend, "
            "min(timestamp) AS first, max(timestamp) AS last "
            "FROM events WHERE user_id = ? GROUP BY domain ORDER BY domain",
            [user_id],
        )
        if not profile and not by_domain:
            return None
        history = rows(
            con,
            "SELECT * FROM (SELECT e.domain, e.item_id, e.event_type, e.timestamp, e.value, "
            "e.coupon_id, i.title, i.category, i.brand, row_number() OVER "
            "(PARTITION BY e.domain ORDER BY e.timestamp DESC) AS n "
            "FROM events e LEFT JOIN items i ON i.item_id = e.item_id AND i.domain = e.domain "
            "WHERE e.user_id = ?) WHERE n <= ? ORDER BY domain, timestamp DESC",
            [user_id, int(limit)],
        )
    p = profile[0] if profile else None
    if p and isinstance(p.get("attrs"), str):
        p["attrs"] = json.loads(p["attrs"])
    grouped: dict[str, list[dict[str, Any]]] = {}
    for h in history:
        h.pop("n", None)
        grouped.setdefault(h["domain"], []).append(h)
    return {"user_id": user_id, "profile": p, "by_domain": by_domain, "history": grouped}


def item_catalog(ws: Store) -> dict[str, dict[str, Any]]:
    """Domain, title, category, brand and price of every item, by item id."""
    with ws.connect(read_only=True) as con:
        found = con.execute(
            "SELECT item_id, domain, title, category, brand, price FROM items"
        ).fetchall()
    return {
        r[0]: {"domain": r[1], "title": r[2], "category": r[3], "brand": r[4], "price": r[5]}
        for r in found
    }


# Posted batches are labelled `api:KEY_ID:BATCH`; files by their path. Both group by
# source without the server's folders.
_SOURCE = (
    "CASE WHEN file LIKE 'api:%' THEN regexp_extract(file, '^api:[^:]*') "
    "ELSE regexp_extract(file, '[^/\\\\]*$') END"
)


def ingest_groups(ws: Store, *, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    """Ingest batches grouped by source (file name or `api:KEY_ID`), table and UTC day,
    newest day first: one page of `limit` groups from `offset`, and the total."""
    with ws.connect(read_only=True) as con:
        total = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {_SOURCE}, table_name, "
            "CAST(started_at AS DATE) FROM ingests)"
        ).fetchone()
        items = rows(
            con,
            f'SELECT {_SOURCE} AS source, table_name AS "table", '
            "CAST(CAST(started_at AS DATE) AS VARCHAR) AS day, count(*) AS batches, "
            "sum(rows)::BIGINT AS rows, sum(accepted)::BIGINT AS accepted, "
            "sum(rejected)::BIGINT AS rejected, sum(duplicates)::BIGINT AS duplicates "
            'FROM ingests GROUP BY ALL ORDER BY day DESC, source, "table" LIMIT ? OFFSET ?',
            [int(limit), int(offset)],
        )
    return {
        "total": int(total[0]) if total else 0,
        "offset": offset,
        "limit": limit,
        "items": items,
    }


def quality_page(ws: Store, *, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    """The data-quality summary with its ingests replaced by one page of batch groups
    (`ingest_groups`): bounded in size, and without the server's file paths."""
    with ws.connect(read_only=True) as con:
        summary = {k: v for k, v in quality_summary(con).items() if k != "ingests"}
    return {**plain(summary), "batches": ingest_groups(ws, offset=offset, limit=limit)}
