"""Tables between the workspace (DuckDB) and an engine: Parquet in the engine's staging
path. With the DuckDB engine on the workspace's own connection nothing moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data.columns import EXTRA
from seamline.data.store import literal

if TYPE_CHECKING:
    import duckdb

    from seamline.engine.base import Engine


def _staging(engine: Engine, con: duckdb.DuckDBPyConnection) -> str | None:
    """The engine's staging path; None when it works inside `con` itself."""
    if getattr(engine, "con", None) is con:
        return None
    return str(getattr(engine, "staging", "")) or None


def publish(engine: Engine, con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Make the workspace tables (or temp tables) `names` queryable on the engine."""
    root = _staging(engine, con)
    if root is None:
        return
    for name in names:
        cols = [r[0] for r in con.execute(f"SELECT * FROM {name} LIMIT 0").description]
        # The JSON bag of unmodelled columns stays home: no definition reads it.
        select = ", ".join(f'"{c}"' for c in cols if c != EXTRA)
        path = f"{root}/in/{name}.parquet"
        con.execute(f"COPY (SELECT {select} FROM {name}) TO {literal(path)} (FORMAT parquet)")
        engine.read_parquet(name, path)


def collect(engine: Engine, con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Bring the engine's table `name` into `con` as a temporary table of the same name."""
    root = _staging(engine, con)
    if root is None:
        return
    path = f"{root}/out/{name}"
    engine.write_parquet(name, path)
    engine.read_parquet(name, path)  # computed once: later reads take the written copy
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        f"SELECT * FROM read_parquet({literal(path + '/*.parquet')})"
    )
