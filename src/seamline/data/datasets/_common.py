"""Helpers the dataset adapters share: reading delimited files and mapping them with SQL.

Files are read with every column as a string (ids keep leading zeros, nothing is guessed)
and empty fields as null; the adapters then cast and rename in DuckDB SQL, which returns
Arrow tables whose timestamps are in UTC.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from seamline.errors import DataError


def require(folder: Path, *names: str) -> list[Path]:
    """Paths of the files `names` in `folder`; DataError naming the first one missing."""
    paths = [folder / n for n in names]
    for p in paths:
        if not p.is_file():
            raise DataError(f"{p}: file not found (expected in the {folder.name} dataset folder)")
    return paths


def _header(path: Path, delimiter: str, encoding: str) -> list[str]:
    with path.open(encoding=encoding, newline="") as f:
        return next(csv.reader(f, delimiter=delimiter), [])


def read_text_table(
    path: Path,
    *,
    names: Sequence[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf8",
    quoted: bool = True,
) -> pa.Table:
    """Read a delimited file, every column as a string and empty fields as null.

    `names` gives the columns of a file without a header; otherwise the first line is the
    header. `quoted=False` for formats where a quote character is ordinary text.
    """
    header = list(names) if names is not None else _header(path, delimiter, encoding)
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=0 if names is not None else 1, encoding=encoding
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"' if quoted else False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header},
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, OSError) as e:
        raise DataError(f"{path}: cannot read ({e})") from e


def literal(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def query(sql: str, **tables: pa.Table) -> pa.Table:
    """Run DuckDB `sql` over the Arrow `tables` (by keyword name); timestamps in UTC."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for name, table in tables.items():
            con.register(name, table)
        rel = con.sql(sql)
        fetch = getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table
        result: pa.Table = fetch()
        return result
    finally:
        con.close()
