"""Ingestion's validation rules on an engine: the rejects (column, reason, value) of a
file, from the same SQL as the workspace ingest (`data.cleaning.plan`), rendered for it.

For a file too large for one machine: the rows ingestion would refuse, and why, computed on
Spark before anything is loaded. The workspace ingest stays the one that stores rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data.cleaning import SEP, plan
from seamline.data.mapping import TableMapping
from seamline.data.readers import Source

if TYPE_CHECKING:
    from seamline.engine.spark import SparkEngine

RejectRow = tuple[str, str, str | None]  # reason, column, raw value


def read_csv_text(engine: SparkEngine, name: str, path: str) -> list[str]:
    """A CSV file (header first) as a table of text columns `name`; its column names."""
    df = engine.session.read.csv(path, header=True, inferSchema=False, multiLine=True,
                                 escape='"', mode="PERMISSIVE")  # fmt: skip
    df.createOrReplaceTempView(name)
    return list(df.columns)


def csv_rejects(
    engine: SparkEngine, table: str, path: str, mapping: TableMapping | None = None
) -> list[RejectRow]:
    """(reason, column, value) of every row of CSV `path` that the ingest of `table` would
    refuse, as the workspace stores them (reason without its column suffix)."""
    columns = read_csv_text(engine, "raw_source", path)
    source = Source(
        label=path, fmt="csv", sql="SELECT * FROM raw_source", columns=columns,
        first_line=2, malformed=[], skipped=[], path=None, temporary=False,
    )  # fmt: skip
    checked = plan(table, source, mapping or TableMapping()).select_sql
    found = engine.fetch(
        f"SELECT reject_reason, reject_column, reject_value FROM ({checked}) AS v "
        "WHERE reject_reason IS NOT NULL"
    )
    return [(str(r).partition(SEP)[0], str(c), v) for r, c, v in found]
