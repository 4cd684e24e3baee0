"""Helpers shared by erasure and re-keying: which tables hold users, and `meta` values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data import schema

if TYPE_CHECKING:
    import duckdb


def user_id_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the workspace file with a `user_id` column."""
    return schema.tables_with_column(con, "user_id")


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])
