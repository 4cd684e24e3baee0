"""Helpers shared by erasure and re-keying: which tables hold users, and the file rewrite
that leaves no freed bytes behind."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import duckdb

from seamline.data.store import DB_FILE, literal

if TYPE_CHECKING:
    from seamline.data.store import WorkspaceHandle


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


def compact(ws: WorkspaceHandle) -> None:
    """Rewrite the DuckDB file from its live rows only.

    DuckDB reuses freed blocks but does not wipe them, so deleted values could linger in
    the file after CHECKPOINT; copying the database into a fresh file and swapping it in
    leaves nothing of them. Costs one full copy of the store; other open connections to the
    workspace must be closed first.
    """
    db = ws.path / DB_FILE
    fresh = ws.path / (DB_FILE + ".compact")
    fresh.unlink(missing_ok=True)
    with ws.connect() as con:
        con.execute("CHECKPOINT")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {literal(db.as_posix())} AS old (READ_ONLY)")
        con.execute(f"ATTACH {literal(fresh.as_posix())} AS fresh")
        con.execute("COPY FROM DATABASE old TO fresh")
        con.execute("DETACH fresh")
        con.execute("DETACH old")
    finally:
        con.close()
    os.replace(fresh, db)
    (ws.path / (DB_FILE + ".wal")).unlink(missing_ok=True)
