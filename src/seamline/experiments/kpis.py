"""Marketing KPIs from the event store: CTR, conversion, revenue, ARPU, ROI, retention,
course completion. One SQL pass per KPI family over the workspace's `events` table,
optionally within a time window, for one domain, and per group (e.g. experiment arm).

Definitions (all per group):
- `ctr` = clicks / views; `conversion` = users with a purchase or enrolment / active users;
- `revenue` = sum of `value` of purchases and enrolments; `arpu` = revenue / active users;
- `roi` = (revenue - offer cost) / offer cost, the cost being `offer_cost` (a total) or
  `cost_per_redemption` x events that carry a `coupon_id`;
- `d1_retention` / `d7_retention`: of users whose first event in the window is at least
  1 (7) days before its end, the share active again exactly 1 (7) days later (UTC days);
- `completion` = (user, course) pairs completed / pairs enrolled, knowledge domain;
- `incremental_revenue` (per non-control arm) = (its revenue per user - control's) x its
  users, and `incremental_roi` = that / the arm's offer cost: the campaign's return.

The offer-cost and incremental formulas live here once; the report and the service call them.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb

from seamline.data.columns import CONVERSION_SQL, DOMAINS
from seamline.engine import Engine, rows
from seamline.errors import ConfigError


def _where(start: str | None, end: str | None, domain: str | None) -> tuple[str, list[Any]]:
    if domain is not None and domain not in DOMAINS:
        raise ConfigError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
    parts, params = ["TRUE"], []
    if start is not None:
        parts.append('e."timestamp" >= CAST(? AS TIMESTAMPTZ)')
        params.append(start)
    if end is not None:
        parts.append('e."timestamp" < CAST(? AS TIMESTAMPTZ)')
        params.append(end)
    if domain is not None:
        parts.append("e.domain = ?")
        params.append(domain)
    return " AND ".join(parts), params


def _div(a: float | None, b: float | None) -> float:
    return float(a) / float(b) if a is not None and b else math.nan


def discount_cost(paid: float, discount_rate: float) -> float:
    """What a discount offer cost, from the price paid: paid x rate / (1 - rate)."""
    return paid * discount_rate / (1 - discount_rate)


def incremental_revenue(revenue_per_user: float, control_per_user: float, users: float) -> float:
    """Revenue an arm added over control: the difference per user times the arm's users."""
    return (revenue_per_user - control_per_user) * users


def incremental_roi(incremental: float, offer_cost: float | None) -> float:
    """Incremental revenue per unit of offer cost; NaN without a (non-zero) cost."""
    return incremental / offer_cost if offer_cost and not math.isnan(offer_cost) else math.nan


def add_incremental(kpis: dict[str, dict[str, float]], control: str) -> None:
    """Add each non-control arm's `incremental_revenue` and `incremental_roi` to `kpis`
    (as `compute_kpis` returns them): the campaign's return, unlike the arm's plain ROI."""
    base = kpis.get(control)
    for arm, k in kpis.items():
        if arm == control or base is None:
            continue
        extra = incremental_revenue(k["revenue_per_user"], base["revenue_per_user"], k["users"])
        k["incremental_revenue"] = extra
        k["incremental_roi"] = incremental_roi(extra, k.get("offer_cost", math.nan))


def compute_kpis(
    con: duckdb.DuckDBPyConnection,
    *,
    start: str | None = None,
    end: str | None = None,
    domain: str | None = None,
    groups: str | None = None,
    offer_cost: float | None = None,
    cost_per_redemption: float | None = None,
    discount_rate: float | None = None,
    engine: Engine | None = None,
) -> dict[str, dict[str, float]]:
    """KPIs per group. `groups` is a SQL table or view with columns (user_id, grp) that
    restricts the users and labels them (an experiment's exposures); without it, one group
    `all` with every user. `discount_rate` prices each group's offer as the discount given
    on coupon events: value x rate / (1 - rate), the value being the price paid. The SQL
    runs on `engine` when given (its tables published), else on `con`."""
    if discount_rate is not None and not 0 < discount_rate < 1:
        raise ConfigError(f"discount_rate must be in (0, 1), got {discount_rate}")
    where, params = _where(start, end, domain)
    if groups is None:
        source = f"(SELECT e.*, 'all' AS grp FROM events e WHERE {where})"
        group_users = "(SELECT DISTINCT user_id, 'all' AS grp FROM events)"
    else:
        source = f"(SELECT e.*, g.grp FROM events e JOIN {groups} g USING (user_id) WHERE {where})"
        group_users = f"(SELECT DISTINCT user_id, grp FROM {groups})"
    conv = CONVERSION_SQL
    found = rows(
        con,
        engine,
        f"""
        WITH ev AS {source},
        per_user AS (
            SELECT grp, user_id,
                   count(*) FILTER (WHERE event_type IN {conv}) AS orders,
                   coalesce(sum(value) FILTER (WHERE event_type IN {conv}), 0) AS revenue
            FROM ev GROUP BY grp, user_id),
        u AS (SELECT grp, count(DISTINCT user_id) AS users FROM {group_users} g GROUP BY grp),
        pu AS (SELECT grp, count(*) AS active, count(*) FILTER (WHERE orders > 0) AS converters,
                      sum(orders) AS orders, sum(revenue) AS revenue
               FROM per_user GROUP BY grp),
        ec AS (SELECT grp, count(*) FILTER (WHERE event_type = 'view') AS views,
                      count(*) FILTER (WHERE event_type = 'click') AS clicks,
                      count(*) FILTER (WHERE coupon_id IS NOT NULL) AS redemptions,
                      coalesce(sum(value) FILTER (WHERE coupon_id IS NOT NULL), 0) AS coupon_value
               FROM ev GROUP BY grp)
        SELECT u.grp, u.users, coalesce(pu.active, 0), coalesce(pu.converters, 0),
               coalesce(pu.orders, 0), coalesce(pu.revenue, 0), coalesce(ec.views, 0),
               coalesce(ec.clicks, 0), coalesce(ec.redemptions, 0), coalesce(ec.coupon_value, 0)
        FROM u LEFT JOIN pu USING (grp) LEFT JOIN ec USING (grp) ORDER BY u.grp
        """,
        params,
    )
    out: dict[str, dict[str, float]] = {}
    for grp, users, active, converters, orders, revenue, views, clicks, redeemed, paid in found:
        cost = offer_cost
        if cost is None and cost_per_redemption is not None:
            cost = cost_per_redemption * redeemed
        if cost is None and discount_rate is not None:
            cost = discount_cost(float(paid), discount_rate)
        out[str(grp)] = {
            "users": int(users),
            "active_users": int(active),
            "views": int(views),
            "clicks": int(clicks),
            "ctr": _div(clicks, views),
            "converters": int(converters),
            "conversion": _div(converters, active),
            "orders": int(orders),
            "revenue": float(revenue),
            "arpu": _div(revenue, active),
            "revenue_per_user": _div(revenue, users),
            "redemptions": int(redeemed),
            "offer_cost": math.nan if cost is None else float(cost),
            "roi": _div(float(revenue) - cost, cost) if cost else math.nan,
        }
    for grp, r in _retention(con, engine, source, params).items():
        out.setdefault(grp, {}).update(r)
    for grp, r in _completion(con, engine, source, params).items():
        out.setdefault(grp, {}).update(r)
    for r in out.values():
        for k in ("d1_retention", "d7_retention", "completion"):
            r.setdefault(k, math.nan)
    return out


def _retention(
    con: duckdb.DuckDBPyConnection, engine: Engine | None, source: str, params: list[Any]
) -> dict[str, dict[str, float]]:
    found = rows(
        con,
        engine,
        f"""
        WITH ev AS {source},
        days AS (SELECT DISTINCT grp, user_id, CAST("timestamp" AS DATE) AS d
                 FROM ev WHERE "timestamp" IS NOT NULL),
        first AS (SELECT grp, user_id, min(d) AS d0 FROM days GROUP BY grp, user_id),
        last_day AS (SELECT max(d) AS dmax FROM days)
        SELECT f.grp,
               count(*) FILTER (WHERE f.d0 + 1 <= l.dmax) AS eligible1,
               count(x1.d) FILTER (WHERE f.d0 + 1 <= l.dmax) AS kept1,
               count(*) FILTER (WHERE f.d0 + 7 <= l.dmax) AS eligible7,
               count(x7.d) FILTER (WHERE f.d0 + 7 <= l.dmax) AS kept7
        FROM first f CROSS JOIN last_day l
        LEFT JOIN days x1 ON x1.grp = f.grp AND x1.user_id = f.user_id AND x1.d = f.d0 + 1
        LEFT JOIN days x7 ON x7.grp = f.grp AND x7.user_id = f.user_id AND x7.d = f.d0 + 7
        GROUP BY f.grp
        """,
        params,
    )
    return {
        str(g): {"d1_retention": _div(k1, e1), "d7_retention": _div(k7, e7)}
        for g, e1, k1, e7, k7 in found
    }


def _completion(
    con: duckdb.DuckDBPyConnection, engine: Engine | None, source: str, params: list[Any]
) -> dict[str, dict[str, float]]:
    found = rows(
        con,
        engine,
        f"""
        WITH ev AS {source},
        pairs AS (
            SELECT grp, user_id, item_id,
                   bool_or(event_type = 'enroll') AS enrolled,
                   bool_or(event_type = 'complete') AS completed
            FROM ev WHERE domain = 'knowledge' AND event_type IN ('enroll', 'complete')
            GROUP BY grp, user_id, item_id)
        SELECT grp, count(*) FILTER (WHERE enrolled),
               count(*) FILTER (WHERE enrolled AND completed)
        FROM pairs GROUP BY grp
        """,
        params,
    )
    return {str(g): {"completion": _div(c, e)} for g, e, c in found}
