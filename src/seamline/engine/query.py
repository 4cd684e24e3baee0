"""`rows`: one call for a definition's rows on the workspace connection or on an engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seamline.engine.dialect import bind

if TYPE_CHECKING:
    import duckdb

    from seamline.engine.base import Engine


def rows(
    con: duckdb.DuckDBPyConnection, engine: Engine | None, sql: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    """Rows of `sql` (DuckDB dialect, `?` parameters): on `con` itself when `engine` is None,
    else on the engine (parameters inlined, SQL rendered for it)."""
    if engine is None:
        return con.execute(sql, params).fetchall()
    return engine.fetch(bind(sql, params))
