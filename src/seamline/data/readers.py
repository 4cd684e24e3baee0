"""Readers: open CSV, TSV, Parquet and JSON Lines files as DuckDB relations of text.

Every column is read as text so that validation, not the reader, decides what a bad value
is: a bad row becomes a reject with its file, line and column instead of failing the load.
Malformed lines (wrong number of fields, broken JSON) are rejects too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from seamline.errors import DataError

FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}


@dataclass
class Malformed:
    """A line the reader could not split into the header's fields."""

    line: int
    reason: str
    text: str
    message: str


@dataclass
class Source:
    """A file opened as a relation of text columns, in file order."""

    label: str                      # what error messages call the file
    fmt: str
    sql: str                        # a SELECT over the file, one text column per field
    columns: list[str]              # field names as the file spells them
    first_line: int                 # line number of the first data record
    malformed: list[Malformed] = field(default_factory=list)

    def line_of(self, index: int) -> int:
        """Line of the `index`-th good record, skipping the malformed lines before it."""
        line = self.first_line + index
        for bad in sorted(m.line for m in self.malformed):  # usually empty
            if bad <= line:
                line += 1
        return line


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in FORMATS:
        raise DataError(
            f"{path}: unknown file type {''.join(path.suffixes) or '(none)'}; "
            f"allowed: {', '.join(sorted(FORMATS))} (optionally .gz)"
        )
    return FORMATS[suffixes[-1]]


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_file(con: duckdb.DuckDBPyConnection, path: str | Path,
              delimiter: str | None = None) -> Source:
    """Open `path` for ingestion; raise DataError (one line) when it is unusable."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: file not found")
    fmt = detect_format(p)
    try:
        if fmt in ("csv", "tsv"):
            return _open_csv(con, p, fmt, delimiter or ("\t" if fmt == "tsv" else None))
        if fmt == "parquet":
            return _open_parquet(con, p)
        return _open_jsonl(con, p)
    except duckdb.Error as e:
        msg = str(e).splitlines()[0]
        raise DataError(f"{p}: cannot read as {fmt} ({msg})") from e


def _open_csv(con: duckdb.DuckDBPyConnection, p: Path, fmt: str,
              delimiter: str | None) -> Source:
    delim = f", delim={_q(delimiter)}" if delimiter else ""
    # Malformed lines go to DuckDB's rejects tables instead of aborting the whole load.
    con.execute("DROP TABLE IF EXISTS seamline_csv_errors")
    con.execute("DROP TABLE IF EXISTS seamline_csv_scans")
    base = (f"read_csv({_q(str(p))}, all_varchar=true, header=true{delim}, "
            "store_rejects=true, rejects_table='seamline_csv_errors', "
            "rejects_scan='seamline_csv_scans', max_line_size=10000000)")
    # Column names come from the header alone; the sniffer never guesses types here.
    cols = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {base}").fetchall()]
    if not cols or all(c.startswith("column") and c[6:].isdigit() for c in cols):
        raise DataError(f"{p}: no header row found (the first line must name the columns)")
    return Source(label=str(p), fmt=fmt, sql=f"SELECT * FROM {base}", columns=cols,
                  first_line=2)


def collect_csv_errors(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """After a CSV scan ran, move DuckDB's reject list into `source.malformed`."""
    if source.fmt not in ("csv", "tsv"):
        return
    try:
        rows = con.execute(
            "SELECT DISTINCT line, error_type::VARCHAR, csv_line, error_message "
            "FROM seamline_csv_errors ORDER BY line"
        ).fetchall()
    except duckdb.CatalogException:
        return
    source.malformed = [
        Malformed(line=int(r[0]), reason="malformed_line", text=r[2] or "",
                  message=f"{r[1].lower()}: {r[3]}") for r in rows
    ]


def _open_parquet(con: duckdb.DuckDBPyConnection, p: Path) -> Source:
    rel = f"read_parquet({_q(str(p))})"
    desc = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    cols = [d[0] for d in desc]
    casts = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in cols)
    return Source(label=str(p), fmt="parquet", sql=f"SELECT {casts} FROM {rel}",
                  columns=cols, first_line=1)


def _open_jsonl(con: duckdb.DuckDBPyConnection, p: Path) -> Source:
    # Read each line as one text value, so a broken line is a reject with its line number
    # rather than an error for the whole file. \x01 cannot appear raw in valid JSON.
    lines = (f"read_csv({_q(str(p))}, columns={{'j': 'VARCHAR'}}, header=false, "
             "delim='\x01', quote='', escape='', max_line_size=10000000)")
    keys = [r[0] for r in con.execute(
        f"SELECT k FROM (SELECT unnest(json_keys(j)) AS k, rowid AS r FROM {lines} "
        "WHERE json_valid(j) AND starts_with(ltrim(j), '{')) GROUP BY k ORDER BY min(r)"
    ).fetchall()]
    if not keys:
        raise DataError(f"{p}: no JSON objects found (expected one object per line)")
    fields = ", ".join(
        f"CASE WHEN json_type(j, {_q('$.' + _json_path(k))}) = 'NULL' THEN NULL "
        f"ELSE json_extract_string(j, {_q('$.' + _json_path(k))}) END AS {ident(k)}"
        for k in keys
    )
    sql = (f"SELECT {fields}, CASE WHEN json_valid(j) AND starts_with(ltrim(j), '{{') "
           f"THEN NULL ELSE j END AS __malformed FROM {lines}")
    return Source(label=str(p), fmt="jsonl", sql=sql, columns=keys, first_line=1)


def _json_path(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def arrow_source(con: duckdb.DuckDBPyConnection, name: str, table: object,
                 label: str) -> Source:
    """A pyarrow table (from a dataset adapter or the API) as a source."""
    view = f"seamline_src_{name}"
    con.register(view, table)
    desc = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
    cols = [d[0] for d in desc]
    casts = ", ".join(_to_text(c, d[1]) for c, d in zip(cols, desc, strict=True))
    return Source(label=label, fmt="arrow", sql=f"SELECT {casts} FROM {view}",
                  columns=cols, first_line=1)


def _to_text(col: str, sql_type: str) -> str:
    # Timestamps carry their zone into text so they parse back to the same instant.
    if sql_type.startswith("TIMESTAMP"):
        return (f"strftime(CAST({ident(col)} AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%S.%fZ') "
                f"AS {ident(col)}")
    return f"CAST({ident(col)} AS VARCHAR) AS {ident(col)}"
