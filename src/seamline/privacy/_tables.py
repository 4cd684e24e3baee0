"""Helpers shared by erasure and re-keying: which tables hold users, and `meta` values."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def user_id_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the workspace file with a `user_id` column."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = 'user_id' "
        "AND NOT internal AND database_name = current_database() AND schema_name = 'main' "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database()) ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])
