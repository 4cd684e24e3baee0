"""Read functions of the segments stage: what the service, the report and other stages
know of segmentation runs, so none of them writes SQL against the stage's tables.

`segment_runs` (one row per run), `segments` (user -> segment of the newest runs) and
`segment_profiles` (size, names, profile) are declared in `seamline.data.schema`. The
latest run is the one with the highest `run_id`. Consumers that aggregate in SQL join
`assignment_sql(con)`, a relation whose columns the stage keeps stable.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from seamline.data.schema import has_table
from seamline.features import repo as features_repo

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import Store

TABLES = ("segment_runs", "segments", "segment_profiles")
LATEST_RUN = "(SELECT max(run_id) FROM segment_runs)"


def has_segments(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the workspace holds a segmentation."""
    return has_table(con, "segments") and has_table(con, "segment_runs")


def assignment_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """A SELECT of the latest run's assignment: `user_id`, `segment` and `name_en` (the
    segment's English name; NULL when it has no profile); None without a segmentation."""
    if not has_segments(con):
        return None
    if not has_table(con, "segment_profiles"):
        return (
            "SELECT user_id, segment, CAST(NULL AS VARCHAR) AS name_en FROM segments "
            f"WHERE run_id = {LATEST_RUN}"
        )
    return (
        "SELECT g.user_id, g.segment, p.name_en FROM segments g "
        "LEFT JOIN segment_profiles p ON p.run_id = g.run_id AND p.segment = g.segment "
        f"WHERE g.run_id = {LATEST_RUN}"
    )


def latest_labels_sql(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest run's segment of every user as a SQL subquery with columns (user_id,
    label), the label being the segment's English name when profiled, else `segment N`;
    None before any run. Other stages join it in their own SQL (one statement, any engine)."""
    assignment = assignment_sql(con)
    if assignment is None:
        return None
    return (
        "(SELECT user_id, coalesce(name_en, 'segment ' || CAST(segment AS VARCHAR)) AS label "
        f"FROM ({assignment}))"
    )


def latest_run(workspace: Store) -> dict[str, Any] | None:
    """The newest run: run_id, method, k, metrics, created_at, features_version; or None."""
    with workspace.connect(read_only=True) as con:
        if not has_table(con, "segment_runs"):
            return None
        row = con.execute(
            "SELECT run_id, method, k, metrics, created_at, features_version "
            "FROM segment_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return None
    return {
        "run_id": row[0],
        "method": row[1],
        "k": row[2],
        "metrics": json.loads(row[3]),
        "created_at": row[4],
        "features_version": row[5],
    }


def segment_list(workspace: Store) -> list[dict[str, Any]]:
    """Segments of the latest run: [{id, size, name_en, name_zh, profile}] by id."""
    with workspace.connect(read_only=True) as con:
        if not has_table(con, "segment_profiles"):
            return []
        rows = con.execute(
            "SELECT segment, size, name_en, name_zh, profile FROM segment_profiles "
            f"WHERE run_id = {LATEST_RUN} ORDER BY segment"
        ).fetchall()
    return [
        {"id": r[0], "size": r[1], "name_en": r[2], "name_zh": r[3], "profile": json.loads(r[4])}
        for r in rows
    ]


def user_segment(workspace: Store, user_id: str) -> dict[str, Any] | None:
    """The latest run's segment of one user ({run_id, user_id, id, name_en, name_zh,
    rfm_group}), or None when the user was not segmented."""
    with workspace.connect(read_only=True) as con:
        if not has_table(con, "segments"):
            return None
        row = con.execute(
            "SELECT s.run_id, s.segment, p.name_en, p.name_zh FROM segments s "
            "JOIN segment_profiles p ON p.run_id = s.run_id AND p.segment = s.segment "
            f"WHERE s.run_id = {LATEST_RUN} AND s.user_id = ?",
            [str(user_id)],
        ).fetchone()
        if row is None:
            return None
        rfm = features_repo.rfm_group(con, str(user_id))
    return {
        "run_id": row[0],
        "user_id": str(user_id),
        "id": row[1],
        "name_en": row[2],
        "name_zh": row[3],
        "rfm_group": rfm,
    }


def latest_assignment(workspace: Store) -> dict[str, str] | None:
    """user id -> segment (as text) of the latest run, or None without a segmentation."""
    with workspace.connect(read_only=True) as con:
        query = assignment_sql(con)
        if query is None:
            return None
        rows = con.execute(f"SELECT user_id, CAST(segment AS VARCHAR) FROM ({query})").fetchall()
    return {str(u): str(s) for u, s in rows}
