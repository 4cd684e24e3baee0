"""A campaign's audience: users of the named segments for whom every rule holds.

Behaviour rules count a user's events (of an action, domain and category) in the `days`
before the campaign starts; feature rules compare a user_features column. Everything is
one SQL statement over events, items, user_features and the latest segmentation, with
values passed as parameters (column names come from a closed set checked beforehand).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from seamline.campaigns.spec import BehaviourRule, CampaignSpec, check_spec
from seamline.data import schema
from seamline.data.columns import CONVERSION_TYPES
from seamline.errors import DataError
from seamline.features import repo as features_repo
from seamline.segments import repo as segments_repo

if TYPE_CHECKING:
    from seamline.data.store import Store

ACTIONS: dict[str, tuple[str, ...]] = {
    "viewed": ("view",),
    "clicked": ("click",),
    "bought": CONVERSION_TYPES,
}
# Campaign dates are local dates of the brand's market (China time).
LOCAL_TZ = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class AudienceResult:
    """The users selected (sorted) and how many were left after each step."""

    user_ids: list[str]
    steps: list[tuple[str, int]]  # (step, users left)

    @property
    def size(self) -> int:
        return len(self.user_ids)


def campaign_start(spec: CampaignSpec) -> datetime:
    """The campaign's first instant (local midnight of its start date)."""
    return datetime.combine(spec.schedule.start, time(0), tzinfo=LOCAL_TZ)


def campaign_end(spec: CampaignSpec) -> datetime:
    return datetime.combine(spec.schedule.end, time(0), tzinfo=LOCAL_TZ)


def _rule_sql(rule: BehaviourRule, as_of: datetime) -> tuple[str, list[Any]]:
    """Per-user count of the rule's events as (user_id, n), with its parameters."""
    types = ACTIONS[rule.action]
    where = [f"e.event_type IN ({', '.join('?' for _ in types)})", "e.timestamp < ?"]
    params: list[Any] = [*types, as_of]
    if rule.days is not None:
        where.append("e.timestamp >= ?")
        params.append(as_of - timedelta(days=rule.days))
    if rule.domain is not None:
        where.append("e.domain = ?")
        params.append(rule.domain)
    join = ""
    if rule.category is not None:
        join = "JOIN items i ON i.item_id = e.item_id AND i.domain = e.domain"
        where.append("i.category = ?")
        params.append(rule.category)
    sql = (
        f"SELECT e.user_id, count(*) AS n FROM events e {join} "
        f"WHERE {' AND '.join(where)} GROUP BY e.user_id"
    )
    return sql, params


def _bound(rule: BehaviourRule, alias: str) -> tuple[str, list[Any]]:
    conds, params = [], []
    if rule.at_least is not None:
        conds.append(f"coalesce({alias}.n, 0) >= ?")
        params.append(rule.at_least)
    if rule.at_most is not None:
        conds.append(f"coalesce({alias}.n, 0) <= ?")
        params.append(rule.at_most)
    return " AND ".join(conds), params


def _segment_ids(ws: Store, spec: CampaignSpec) -> list[int]:
    known = segments_repo.segment_list(ws)
    ids = []
    for s in spec.audience.segments:
        for k in known:
            if str(s) in (str(k["id"]), k["name_en"], k["name_zh"]):
                ids.append(int(k["id"]))
                break
    return ids


def _steps(spec: CampaignSpec) -> list[str]:
    a = spec.audience
    names = ["users with events"]
    if a.segments:
        names.append("segments " + ", ".join(str(s) for s in a.segments))
    for r in a.rules:
        what = " ".join(x for x in (r.action, r.domain, r.category) if x)
        bound = " ".join(
            f"{op} {v}" for op, v in ((">=", r.at_least), ("<=", r.at_most)) if v is not None
        )
        names.append(f"{what} {bound}" + (f" in {r.days} days" if r.days else " ever"))
    names += [f"{f.feature} {f.op} {f.value:g}" for f in a.features]
    return names


def select_audience(ws: Store, spec: CampaignSpec) -> AudienceResult:
    """The spec's audience in the workspace (checked against it first)."""
    check_spec(ws, spec)
    as_of = campaign_start(spec)
    a = spec.audience
    ctes: list[str] = []
    params: list[Any] = []
    conds: list[tuple[str, list[Any]]] = []  # one condition per step after the base
    joins: list[str] = []
    with ws.connect(read_only=True) as con:
        if not schema.has_table(con, "events"):
            raise DataError("the workspace has no events: ingest data first")
        if a.segments:
            seg_sql = segments_repo.assignment_sql(con)
            ids = _segment_ids(ws, spec)
            joins.append(f"LEFT JOIN ({seg_sql}) seg USING (user_id)")
            conds.append((f"seg.segment IN ({', '.join('?' for _ in ids)})", list(ids)))
        for i, rule in enumerate(a.rules):
            sql, p = _rule_sql(rule, as_of)
            ctes.append(f"r{i} AS ({sql})")
            params += p
            joins.append(f"LEFT JOIN r{i} USING (user_id)")
            conds.append(_bound(rule, f"r{i}"))
        for i, f in enumerate(a.features):  # the column was checked against the features
            joins.append(f"LEFT JOIN ({features_repo.column_sql(f.feature)}) f{i} USING (user_id)")
            conds.append((f"f{i}.value {f.op} ?", [f.value]))
        ctes.insert(0, "base AS (SELECT DISTINCT user_id FROM events WHERE timestamp < ?)")
        params.insert(0, as_of)
        join_params = params
        # One pass: count users left after each cumulative condition, then list them.
        flags = [f"({' AND '.join(c for c, _ in conds[: k + 1])})" for k in range(len(conds))]
        flag_params = [p for k in range(len(conds)) for c in conds[: k + 1] for p in c[1]]
        head = "WITH " + ", ".join(ctes)
        body = f"FROM base {' '.join(joins)}"
        counts_sql = (
            f"{head} SELECT count(*)"
            + "".join(f", count(*) FILTER (WHERE {f})" for f in flags)
            + f" {body}"
        )
        counts = con.execute(counts_sql, join_params + flag_params).fetchall()[0]
        final = flags[-1] if flags else "TRUE"
        final_params = [p for c in conds for p in c[1]]
        order = "ORDER BY hash(user_id, ?), user_id"  # a seeded, stable order for the cap
        rows = con.execute(
            f"{head} SELECT user_id {body} WHERE {final} {order}"
            + (" LIMIT ?" if a.max_users else ""),
            join_params + final_params + [spec.seed] + ([a.max_users] if a.max_users else []),
        ).fetchall()
    users = sorted(str(r[0]) for r in rows)
    steps = list(zip(_steps(spec), (int(c) for c in counts), strict=True))
    if a.max_users:
        steps.append((f"at most {a.max_users} users", len(users)))
    return AudienceResult(users, steps)
