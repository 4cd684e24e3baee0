"""Campaign plans in a workspace: the plan, its per-user allocation and its results.

Tables (declared in `seamline.data.schema`, created on first use):
- `campaign_plans`: plan_id, name, created_at, spec, summary (totals, curves), experiment;
- `campaign_allocations`: per planned user the offer, arm (campaign or control), expected
  uplift, profit and cost, channel, language, recommended items and message;
- `campaign_results`: a plan's simulated responses and its measured effect.

These are the read functions the report, the CLI and the REST service use.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seamline.data import schema
from seamline.errors import NotFoundError

if TYPE_CHECKING:
    import pandas as pd

    from seamline.data.store import Store

TABLES = ("campaign_plans", "campaign_allocations", "campaign_results")
ALLOCATION_COLUMNS = (
    "user_id", "offer_id", "arm", "uplift", "base_rate", "expected_profit", "expected_cost",
    "channel", "language", "items", "message",
)  # fmt: skip


def next_plan_id(ws: Store) -> int:
    """The id the next stored plan gets."""
    with ws.connect() as con:
        schema.ensure(con, *TABLES)
        row = con.execute("SELECT coalesce(max(plan_id), 0) + 1 FROM campaign_plans")
        return int(row.fetchall()[0][0])


def save_plan(
    ws: Store,
    name: str,
    spec: dict[str, Any],
    summary: dict[str, Any],
    experiment: str,
    allocations: pd.DataFrame,
    seconds: float,
    plan_id: int | None = None,
) -> int:
    """Store a plan and its allocation (columns `ALLOCATION_COLUMNS`) under `plan_id` (by
    default the next free id); returns its id."""
    # base_rate is optional (a plan made elsewhere may not know it)
    frame = allocations.reindex(columns=list(ALLOCATION_COLUMNS))
    with ws.connect() as con:
        schema.ensure(con, *TABLES)
        con.execute("BEGIN")
        try:
            if plan_id is None:
                row = con.execute("SELECT coalesce(max(plan_id), 0) + 1 FROM campaign_plans")
                plan_id = int(row.fetchall()[0][0])
            con.execute(
                "INSERT INTO campaign_plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    plan_id,
                    name,
                    datetime.now(UTC),
                    json.dumps(spec),
                    json.dumps(summary),
                    experiment,
                    seconds,
                ],
            )
            con.register("_plan_rows", frame)
            try:
                cols = ", ".join(ALLOCATION_COLUMNS)
                con.execute(
                    f"INSERT INTO campaign_allocations SELECT ?, {cols} FROM _plan_rows",
                    [plan_id],
                )
            finally:
                con.unregister("_plan_rows")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return plan_id


def _has_plans(con: Any) -> bool:
    return schema.has_table(con, "campaign_plans")


def list_plans(ws: Store) -> list[dict[str, Any]]:
    """Every plan, newest first: plan_id, name, created_at, experiment and its totals."""
    with ws.connect(read_only=True) as con:
        if not _has_plans(con):
            return []
        rows = con.execute(
            "SELECT plan_id, name, created_at, experiment, summary FROM campaign_plans "
            "ORDER BY plan_id DESC"
        ).fetchall()
    return [
        {
            "plan_id": int(r[0]),
            "name": r[1],
            "created_at": str(r[2]),
            "experiment": r[3],
            "totals": json.loads(r[4]).get("totals", {}),
        }
        for r in rows
    ]


def resolve_plan(ws: Store, plan: int | str | None = None) -> int:
    """A plan's id from its id, its name (the newest plan of that name) or None (newest)."""
    with ws.connect(read_only=True) as con:
        if not _has_plans(con):
            raise NotFoundError("no campaign plans in this workspace (seamline campaign plan)")
        if plan is None:
            rows = con.execute("SELECT max(plan_id) FROM campaign_plans").fetchall()
        elif isinstance(plan, int) or str(plan).isdigit():
            rows = con.execute(
                "SELECT plan_id FROM campaign_plans WHERE plan_id = ?", [int(plan)]
            ).fetchall()
        else:
            rows = con.execute(
                "SELECT max(plan_id) FROM campaign_plans WHERE name = ?", [str(plan)]
            ).fetchall()
    if not rows or rows[0][0] is None:
        raise NotFoundError(f"no campaign plan {plan!r} in this workspace")
    return int(rows[0][0])


def get_plan(ws: Store, plan: int | str | None = None) -> dict[str, Any]:
    """One plan: id, name, created_at, spec, summary, experiment, seconds and results."""
    plan_id = resolve_plan(ws, plan)
    with ws.connect(read_only=True) as con:
        r = con.execute(
            "SELECT plan_id, name, created_at, spec, summary, experiment, seconds "
            "FROM campaign_plans WHERE plan_id = ?",
            [plan_id],
        ).fetchall()[0]
        results = []
        if schema.has_table(con, "campaign_results"):
            results = con.execute(
                "SELECT kind, created_at, result FROM campaign_results WHERE plan_id = ? "
                "ORDER BY created_at",
                [plan_id],
            ).fetchall()
    return {
        "plan_id": int(r[0]),
        "name": r[1],
        "created_at": str(r[2]),
        "spec": json.loads(r[3]),
        "summary": json.loads(r[4]),
        "experiment": r[5],
        "seconds": r[6],
        "results": {k: {"created_at": str(t), **json.loads(v)} for k, t, v in results},
    }


def allocations(
    ws: Store, plan: int | str | None = None, *, limit: int | None = None
) -> pd.DataFrame:
    """A plan's per-user rows (items as lists), by user id."""
    plan_id = resolve_plan(ws, plan)
    with ws.connect(read_only=True) as con:
        sql = (
            f"SELECT {', '.join(ALLOCATION_COLUMNS)} FROM campaign_allocations "
            "WHERE plan_id = ? ORDER BY user_id" + (" LIMIT ?" if limit else "")
        )
        frame = con.execute(sql, [plan_id, *([limit] if limit else [])]).df()
    frame["items"] = [json.loads(x) if x else [] for x in frame["items"]]
    return frame


def previews(
    ws: Store, plan: int | str | None = None, *, per_variant: int = 1
) -> list[dict[str, Any]]:
    """Example messages of a plan, `per_variant` per (offer, channel, language)."""
    plan_id = resolve_plan(ws, plan)
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT offer_id, channel, language, user_id, items, message FROM ("
            "SELECT *, row_number() OVER (PARTITION BY offer_id, channel, language "
            "ORDER BY user_id) AS k FROM campaign_allocations "
            "WHERE plan_id = ? AND arm = 'campaign') WHERE k <= ? ORDER BY ALL",
            [plan_id, per_variant],
        ).fetchall()
    return [
        {
            "offer_id": r[0],
            "channel": r[1],
            "language": r[2],
            "user_id": r[3],
            "items": json.loads(r[4]) if r[4] else [],
            "message": r[5],
        }
        for r in rows
    ]


def save_result(ws: Store, plan_id: int, kind: str, result: dict[str, Any]) -> None:
    """Store (replace) a plan's result of one kind (`simulation`, `measured`)."""
    with ws.connect() as con:
        schema.ensure(con, *TABLES)
        con.execute("DELETE FROM campaign_results WHERE plan_id = ? AND kind = ?", [plan_id, kind])
        con.execute(
            "INSERT INTO campaign_results VALUES (?, ?, ?, ?)",
            [plan_id, datetime.now(UTC), kind, json.dumps(result)],
        )
