"""Read models the service and dashboard show: plain functions over a `Workspace`.

No HTTP here: each function takes the workspace (and plain arguments) and returns JSON-ready
data, so routes stay one call long and the same views can back other shells. Stage results
(recommendations, segments, experiments) come from their own packages; these views only
gather what the store already holds.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from typing import Any

from seamline.data.columns import CONVERSION_TYPES as CONVERSIONS
from seamline.workspace import Workspace

log = logging.getLogger(__name__)


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _rows(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{n: _jsonable(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def _has_table(con: Any, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


# --- ingestion ---------------------------------------------------------------------------
def ingest_batch(
    ws: Workspace, records: list[Any], label: str, *, max_errors: int = 1000
) -> dict[str, Any]:
    """Ingest one batch of event records; the counts plus each reject of this batch
    (position from 1, column, reason, message), at most `max_errors` of them."""
    summary = ws.ingest_rows(records, label).to_dict()
    errors: list[dict[str, Any]] = []
    if summary["rejected"]:
        with ws.connect(read_only=True) as con:
            errors = _rows(
                con,
                "SELECT line AS position, column_name AS column, reason, message FROM rejects "
                "WHERE file = ? ORDER BY line LIMIT ?",
                [label, max_errors],
            )
    return {
        "rows": summary["rows"],
        "accepted": summary["accepted"],
        "rejected": summary["rejected"],
        "duplicates": summary["duplicates"],
        "rejected_by_reason": summary["rejected_by_reason"],
        "duplicates_by_kind": summary["duplicates_by_kind"],
        "errors": errors,
    }


# --- overview ----------------------------------------------------------------------------
def overview(ws: Workspace, *, days: int = 120) -> dict[str, Any]:
    """Headline KPIs, overall and per domain, and daily activity over the last `days`."""
    from seamline.experiments.kpis import compute_kpis

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
        kpis = {"all": compute_kpis(con).get("all", {})} if totals[0] else {}
        for d in domains:
            kpis[d] = compute_kpis(con, domain=d).get("all", {})
        conv = ", ".join(f"'{c}'" for c in CONVERSIONS)
        daily = _rows(
            con,
            "WITH last AS (SELECT max(timestamp) AS t FROM events) "
            "SELECT CAST(date_trunc('day', timestamp) AS DATE)::VARCHAR AS day, domain, "
            "count(*) AS events, count(DISTINCT user_id) AS users, "
            f"coalesce(sum(value) FILTER (WHERE event_type IN ({conv})), 0) AS revenue "
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
        "kpis": _jsonable(kpis),
        "daily": daily,
    }


# --- users -------------------------------------------------------------------------------
def search_users(ws: Workspace, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Users whose id starts with `q` (case-insensitive), with their event counts."""
    pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with ws.connect(read_only=True) as con:
        return _rows(
            con,
            "WITH ids AS (SELECT user_id FROM users WHERE user_id ILIKE ? ESCAPE '\\' "
            "  UNION SELECT DISTINCT user_id FROM events WHERE user_id ILIKE ? ESCAPE '\\') "
            "SELECT i.user_id, count(e.user_id) AS events, "
            "count(DISTINCT e.domain) AS domains FROM ids i "
            "LEFT JOIN events e USING (user_id) GROUP BY i.user_id ORDER BY i.user_id LIMIT ?",
            [pattern, pattern, int(limit)],
        )


def user_detail(ws: Workspace, user_id: str, *, limit: int = 50) -> dict[str, Any] | None:
    """A user's profile, activity per domain and latest events (with item titles) in each
    domain; None when the workspace has never seen the user."""
    with ws.connect(read_only=True) as con:
        profile = _rows(con, "SELECT * EXCLUDE (ingest_id) FROM users WHERE user_id = ?", [user_id])
        by_domain = _rows(
            con,
            "SELECT domain, count(*) AS events, count(DISTINCT item_id) AS items, "
            f"count(*) FILTER (WHERE event_type IN {CONVERSIONS}) AS conversions, "
            f"coalesce(sum(value) FILTER (WHERE event_type IN {CONVERSIONS}), 0) AS spend, "
            "min(timestamp) AS first, max(timestamp) AS last "
            "FROM events WHERE user_id = ? GROUP BY domain ORDER BY domain",
            [user_id],
        )
        if not profile and not by_domain:
            return None
        history = _rows(
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


def item_details(ws: Workspace, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, domain, category, brand and price of each known item id."""
    if not item_ids:
        return {}
    with ws.connect(read_only=True) as con:
        rows = _rows(
            con,
            "SELECT item_id, domain, title, category, brand, price FROM items "
            "WHERE item_id IN (SELECT unnest(?))",
            [list(item_ids)],
        )
    return {r["item_id"]: r for r in rows}


# --- campaigns ---------------------------------------------------------------------------
def campaigns(ws: Workspace) -> dict[str, Any]:
    """What the workspace knows about campaigns: coupon redemptions from the events, and
    for each experiment that carries a coupon (a campaign with a control group), its
    uplift per metric, ROI and the day-by-day incremental revenue and ROI."""
    from seamline.experiments import api as ab

    with ws.connect(read_only=True) as con:
        coupons = _rows(
            con,
            "SELECT coupon_id, count(*) AS redemptions, count(DISTINCT user_id) AS users, "
            "coalesce(sum(value), 0) AS revenue, min(timestamp) AS first, "
            "max(timestamp) AS last, list(DISTINCT domain ORDER BY domain) AS domains "
            "FROM events WHERE coupon_id IS NOT NULL GROUP BY coupon_id ORDER BY redemptions DESC",
        )
        has_exposures = _has_table(con, "exposures")
    analysed = []
    for exp in ab.list_experiments(ws) if has_exposures else []:
        cfg = ab.get_experiment(ws, exp["name"])
        coupon = cfg.extra.get("coupon_id")
        if not coupon or not exp["exposures"]:
            continue
        discount = cfg.extra.get("discount")
        report = ab.experiment_report(
            ws, cfg.name, discount_rate=float(discount) if discount else None
        )
        analysed.append(
            {
                "name": cfg.name,
                "description": cfg.description,
                "coupon_id": coupon,
                "discount": discount,
                "control": cfg.control_arm,
                "window": {"start": cfg.start, "end": cfg.end},
                "results": _jsonable(report["results"]),
                "kpis": _jsonable(report["kpis"]),
                "curve": _campaign_curve(ws, cfg, float(discount) if discount else None),
            }
        )
    return {"coupons": coupons, "campaigns": analysed}


def _campaign_curve(ws: Workspace, cfg: Any, discount: float | None) -> list[dict[str, Any]]:
    """Per day of the window: cumulative revenue per exposed user in each arm, the
    incremental revenue of each treated arm over control and, when the offer is priced
    (a discount), the cumulative incremental ROI."""
    conv = ", ".join(f"'{c}'" for c in CONVERSIONS)
    where = ["x.experiment = ?"]
    params: list[Any] = [cfg.name]
    if cfg.start:
        where.append("e.timestamp >= CAST(? AS TIMESTAMPTZ)")
        params.append(cfg.start)
    if cfg.end:
        where.append("e.timestamp < CAST(? AS TIMESTAMPTZ)")
        params.append(cfg.end)
    with ws.connect(read_only=True) as con:
        users = dict(
            con.execute(
                "SELECT arm, count(*) FROM exposures WHERE experiment = ? GROUP BY arm",
                [cfg.name],
            ).fetchall()
        )
        rows = con.execute(
            "SELECT CAST(date_trunc('day', e.timestamp) AS DATE)::VARCHAR AS day, x.arm, "
            f"coalesce(sum(e.value) FILTER (WHERE e.event_type IN ({conv})), 0), "
            "coalesce(sum(e.value) FILTER (WHERE e.coupon_id IS NOT NULL), 0) "
            "FROM events e JOIN exposures x USING (user_id) "
            f"WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY day",
            params,
        ).fetchall()
    days = sorted({r[0] for r in rows})
    arms = [a for a in cfg.arm_names if a in users]
    revenue = {(d, a): float(v) for d, a, v, _ in rows}
    coupon_paid = {(d, a): float(c) for d, a, _, c in rows}
    cum = dict.fromkeys(arms, 0.0)
    cost = dict.fromkeys(arms, 0.0)
    out = []
    for d in days:
        point: dict[str, Any] = {"day": d, "revenue_per_user": {}, "incremental": {}, "roi": {}}
        for a in arms:
            cum[a] += revenue.get((d, a), 0.0)
            if discount:
                cost[a] += coupon_paid.get((d, a), 0.0) * discount / (1 - discount)
            point["revenue_per_user"][a] = cum[a] / users[a]
        base = point["revenue_per_user"].get(cfg.control_arm)
        for a in arms:
            if a == cfg.control_arm or base is None:
                continue
            extra = (point["revenue_per_user"][a] - base) * users[a]
            point["incremental"][a] = extra
            point["roi"][a] = extra / cost[a] if cost[a] else None
        out.append(point)
    return out


# --- experiments -------------------------------------------------------------------------
def experiments_overview(ws: Workspace) -> list[dict[str, Any]]:
    """Every experiment with its exposures, and its analysis when it has exposures."""
    from seamline.errors import DataError
    from seamline.experiments import api as ab

    out = []
    for exp in ab.list_experiments(ws):
        item: dict[str, Any] = {**exp, "report": None}
        if exp["exposures"]:
            cfg = ab.get_experiment(ws, exp["name"])
            discount = cfg.extra.get("discount")
            try:
                report = ab.experiment_report(
                    ws, cfg.name, discount_rate=float(discount) if discount else None
                )
            except DataError as e:  # e.g. exposures only in the holdout
                item["error"] = str(e)
            else:
                item["report"] = _jsonable(
                    {k: report[k] for k in ("results", "kpis", "srm", "arms", "control")}
                )
        out.append(item)
    return out
