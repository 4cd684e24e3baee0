"""The default engine: the workspace's own DuckDB connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seamline.data.store import literal

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


class DuckEngine:
    """SQL on a DuckDB connection; tables are temporary tables of that connection."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def create(self, name: str, sql: str, *, reuse: bool = True) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def columns(self, name: str) -> list[str]:
        return [d[0] for d in self.con.execute(f"SELECT * FROM {name} LIMIT 0").description]

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(f"_{name}_arrow", table)
        try:
            self.create(name, f"SELECT * FROM _{name}_arrow")
        finally:
            self.con.unregister(f"_{name}_arrow")

    def read_parquet(self, name: str, path: str) -> None:
        glob = path if path.endswith(".parquet") else path.rstrip("/") + "/*.parquet"
        self.create(name, f"SELECT * FROM read_parquet({literal(glob)})")

    def write_parquet(self, name: str, path: str) -> None:
        self.con.execute(f"COPY {name} TO {literal(path)} (FORMAT parquet)")
