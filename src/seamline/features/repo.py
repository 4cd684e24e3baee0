"""Read functions of the features stage for other stages: the current `user_features`
version's RFM groups and numeric columns, without SQL against the stage's tables elsewhere.

`load_features` and `feature_columns` (in `build`) read whole frames; these answer the
small questions the segments and privacy stages ask inside their own connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data.schema import has_table
from seamline.features.rfm import RFM_GROUPS

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import Store

TABLE = "user_features"  # the current version; older ones are user_features_v<N>
VERSIONS_TABLE = "feature_versions"
NUMERIC = ("INT", "DOUBLE", "FLOAT", "DECIMAL")


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest `user_features` version, or None before the first."""
    if not has_table(con, VERSIONS_TABLE):
        return None
    rows = con.execute(f"SELECT max(version) FROM {VERSIONS_TABLE}").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] else None


def has_features(con: duckdb.DuckDBPyConnection) -> bool:
    return has_table(con, TABLE)


def rfm_group(con: duckdb.DuckDBPyConnection, user_id: str) -> str | None:
    """The user's RFM group in the current features (None without features or user)."""
    if not has_features(con):
        return None
    rows = con.execute(f"SELECT rfm_group FROM {TABLE} WHERE user_id = ?", [user_id]).fetchall()
    return rows[0][0] if rows else None


def rfm_counts(workspace: Store) -> list[tuple[str, int]]:
    """Users per RFM group of the current features, in the groups' canonical order."""
    with workspace.connect(read_only=True) as con:
        if not has_features(con):
            return []
        rows = dict(
            con.execute(f"SELECT rfm_group, count(*) FROM {TABLE} GROUP BY rfm_group").fetchall()
        )
    order = [g for g in RFM_GROUPS if g in rows] + sorted(g for g in rows if g not in RFM_GROUPS)
    return [(str(g), int(rows[g])) for g in order]


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """Column -> DuckDB type of the current features; None when there are none."""
    if not has_features(con):
        return None
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {TABLE}").fetchall()}


def is_numeric(sql_type: str) -> bool:
    return any(t in sql_type for t in NUMERIC)


def column_sql(column: str) -> str:
    """A SELECT of `user_id` and one feature column as `value` (checked by the caller
    against `column_types`)."""
    return f'SELECT user_id, "{column}" AS value FROM {TABLE}'
