"""Readers: open CSV, TSV, Parquet and JSON Lines files as DuckDB relations of text.

Every column is read as text so that validation, not the reader, decides what a bad value
is: a bad row becomes a reject with its file, line and column instead of failing the load.
Malformed lines (wrong number of fields, broken JSON) are rejects too.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from seamline.data.csvscan import Scanned, scan_csv, scan_lines
from seamline.errors import DataError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


@dataclass
class Malformed:
    """A line the reader could not split into the header's fields."""

    line: int
    reason: str
    text: str
    message: str
    exact: bool = False  # `line` is already the file line (found by the pre-scan)


@dataclass
class Source:
    """A file opened as a relation of text columns, in file order."""

    label: str  # what error messages call the file
    fmt: str
    sql: str  # a SELECT over the file, one text column per field
    columns: list[str]  # field names as the file spells them
    first_line: int  # line number of the first data record
    malformed: list[Malformed] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # lines holding no record (blank)
    path: Path | None = None  # the file DuckDB reads (a cleaned copy, or the file itself)
    temporary: bool = False  # `path` is a copy to delete once the ingest is over

    @property
    def read_path(self) -> Path:
        return self.path or Path(self.label)

    def cleanup(self) -> None:
        if self.temporary and self.path is not None:
            self.path.unlink(missing_ok=True)

    def line_of(self, index: int) -> int:
        """Line of the `index`-th good record, skipping malformed and blank lines."""
        return self.lines_of([index])[index]

    def lines_of(self, indices: list[int]) -> dict[int, int]:
        """Line of each good record index, in one pass over the skipped lines."""
        skip = sorted({m.line for m in self.malformed} | set(self.skipped))
        out: dict[int, int] = {}
        passed = 0
        for index in sorted(set(indices)):
            line = self.first_line + index + passed
            while passed < len(skip) and skip[passed] <= line:
                passed += 1
                line += 1
            out[index] = line
        return out


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


def _check_path(p: Path) -> None:
    """A file to ingest must be a regular file: say what it is otherwise."""
    if p.is_dir():
        raise DataError(f"{p}: is a folder, not a file (give the file inside it)")
    if p.exists() and not p.is_file():
        kind = (
            "a character device"
            if p.is_char_device()
            else "a block device"
            if p.is_block_device()
            else "a named pipe"
            if p.is_fifo()
            else "a socket"
            if p.is_socket()
            else "not a regular file"
        )
        raise DataError(f"{p}: is {kind}, not a regular file; give a data file")
    if not p.exists():
        raise DataError(f"{p}: file not found")


def check_file(path: str | Path) -> Path:
    """`path` as a Path once it is known to be a readable regular file of a known type."""
    p = Path(path)
    _check_path(p)
    detect_format(p)
    return p


def open_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Source:
    """Open `path` for ingestion; raise DataError (one line) when it is unusable.

    `encoding` (CSV/TSV): the file's text encoding when it is not UTF-8."""
    p = check_file(path)
    fmt = detect_format(p)
    try:
        if fmt in ("csv", "tsv"):
            return _open_csv(con, p, fmt, delimiter or ("\t" if fmt == "tsv" else None), encoding)
        if fmt == "parquet":
            return _open_parquet(con, p)
        scan = scan_lines(con, p, str(p))
        return _from_scan(scan, lambda: _open_jsonl(con, scan.path, label=str(p)))
    except duckdb.Error as e:
        msg = str(e).splitlines()[0]
        raise DataError(f"{p}: cannot read as {fmt} ({msg})") from e


def _open_csv(
    con: duckdb.DuckDBPyConnection,
    p: Path,
    fmt: str,
    delimiter: str | None,
    encoding: str | None,
) -> Source:
    scan = scan_csv(con, p, str(p), delimiter, encoding)
    return _from_scan(scan, lambda: _read_csv(con, p, fmt, scan.path, scan.delimiter))


def _from_scan(scan: Scanned, read: Callable[[], Source]) -> Source:
    """The source `read` opens from the pre-scan's file, carrying the lines the scan refused;
    a temporary copy is deleted if reading fails (else once the ingest is over)."""
    try:
        source = read()
    except BaseException:
        if scan.temporary:
            scan.path.unlink(missing_ok=True)
        raise
    source.path, source.temporary = scan.path, scan.temporary
    source.malformed = [
        Malformed(line=r.line, reason=r.reason, text=r.text, message=r.message, exact=True)
        for r in scan.refused
    ]
    return source


def _read_csv(
    con: duckdb.DuckDBPyConnection, p: Path, fmt: str, read: Path, delimiter: str
) -> Source:
    # Malformed lines go to DuckDB's rejects tables instead of aborting the whole load.
    con.execute("DROP TABLE IF EXISTS seamline_csv_errors")
    con.execute("DROP TABLE IF EXISTS seamline_csv_scans")
    # RFC 4180 quoting, stated rather than sniffed: a lone quote in a field (12" vinyl)
    # must not make the sniffer guess another dialect. The delimiter is the pre-scan's.
    base = (
        f"read_csv({_q(str(read))}, all_varchar=true, header=true, delim={_q(delimiter)}, "
        "quote='\"', escape='\"', store_rejects=true, rejects_table='seamline_csv_errors', "
        "rejects_scan='seamline_csv_scans', max_line_size=10000000)"
    )
    # Column names come from the header alone; the sniffer never guesses types here.
    cols = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM {base}").fetchall()]
    if not cols or all(c.startswith("column") and c[6:].isdigit() for c in cols):
        raise DataError(f"{p}: no header row found (the first line must name the columns)")
    return Source(label=str(p), fmt=fmt, sql=f"SELECT * FROM {base}", columns=cols, first_line=2)


def collect_csv_errors(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """After a CSV scan ran, move DuckDB's reject list into `source.malformed`."""
    if source.fmt not in ("csv", "tsv"):
        return
    try:
        # DuckDB may report one line several times (once per missing column): keep one.
        rows = con.execute(
            "SELECT line, arg_min(error_type::VARCHAR, column_idx), "
            "ltrim(arg_min(csv_line, column_idx), chr(13) || chr(10)), "
            "arg_min(error_message, column_idx) "
            "FROM seamline_csv_errors GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.CatalogException:
        return
    source.malformed = [m for m in source.malformed if m.exact] + [
        Malformed(
            line=int(r[0]),
            reason="malformed_line",
            text=r[2] or "",
            message=f"{r[1].lower()}: {r[3]}",
        )
        for r in rows
    ]


def _lines(p: Path) -> str:
    """The file as one text value per physical line, numbered `n` from 1 (blank: NULL)."""
    return (
        f"read_csv({_q(str(p))}, columns={{'t': 'VARCHAR'}}, header=false, "
        "delim='\x01', quote='', escape='', max_line_size=10000000) "
        "WITH ORDINALITY AS lines(t, n)"
    )


def record_lines(
    con: duckdb.DuckDBPyConnection, source: Source, newlines: dict[int, int], records: int
) -> dict[int, int]:
    """File line of each good record index in `newlines` (0-based, file order, `records` in
    all); `newlines` holds how many line breaks each of those records has inside quotes.

    The CSV reader skips blank lines, and a quoted field may span lines (DuckDB's own line
    numbers for malformed lines do not count those), so for CSV the lines that start a
    record are found from the file itself; this also moves each malformed line to its
    file line. A found layout is used only when it agrees with the reader (record counts,
    and the line breaks inside each record asked about); otherwise lines are counted from
    the header.
    """
    indices = list(newlines)
    if source.fmt not in ("csv", "tsv") or not (indices or source.malformed):
        return source.lines_of(indices)
    # Lines the pre-scan refused are blank in what DuckDB read: only DuckDB's own move.
    duck = [m for m in source.malformed if not m.exact]
    found = _starts_by_quote_parity(con, source, duck, newlines, records) or (
        _starts_by_python_csv(source, duck, indices, records)
    )
    if found is None:
        return source.lines_of(indices)
    good, bad = found
    for m, line in zip(duck, bad, strict=True):
        m.line = line
    return good


Starts = tuple[dict[int, int], list[int]]  # good record index -> line; malformed lines


def _starts_by_quote_parity(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    duck: list[Malformed],
    newlines: dict[int, int],
    records: int,
) -> Starts | None:
    """Fast path for the common layout: one scan lists the blank lines; when no line holds
    an odd number of quote characters, no record spans lines and every other line starts a
    record. Quoted line breaks or a lone quote inside a field (12" vinyl) need a real CSV
    parser: then the slow path takes over."""
    odd = "(length(t) - length(replace(t, '\"', ''))) % 2 = 1"
    try:
        row = con.execute(
            f"SELECT list(n ORDER BY n) FILTER (WHERE t IS NULL), "
            f"count(*) FILTER (WHERE {odd}), count(*) "
            f"FROM {_lines(source.read_path)}"
        ).fetchone()
    except duckdb.Error:
        return None
    if row is None or int(row[1]) or any(newlines.values()):
        return None
    blank: list[int] = row[0] or []
    last = int(row[2])
    if blank and duck:
        return None  # the reader's numbering of malformed lines around blanks: let csv decide
    # Without multi-line records the reader numbers malformed lines as the file does.
    bad = [m.line for m in duck]
    skip = sorted({*blank, *bad})
    good: dict[int, int] = {}
    passed = 0
    for k in sorted(newlines):
        line = source.first_line + k + passed
        while passed < len(skip) and skip[passed] <= line:
            passed += 1
            line += 1
        good[k] = line
    skipped = sum(1 for n in skip if n >= source.first_line)
    if last - (source.first_line - 1) - skipped != records:
        return None
    return good, bad


def _starts_by_python_csv(
    source: Source, duck: list[Malformed], indices: list[int], records: int
) -> Starts | None:
    """Slow path: parse the file with Python's csv module, which treats quotes like
    DuckDB does, and note the line each record starts on."""
    path = source.read_path
    if path.suffix.lower() == ".zst":
        return None
    want = set(indices)
    good: dict[int, int] = {}
    bad: list[int] = []
    k = 0
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            header = f.readline()
            delim = next(
                (
                    d
                    for d in (",", "\t", ";", "|")
                    if next(csv.reader([header], delimiter=d)) == source.columns
                ),
                None,
            )
            if delim is None:
                return None
            reader = csv.reader(f, delimiter=delim)
            start = 2
            for row in reader:
                if len(row) == len(source.columns):
                    if k in want:
                        good[k] = start
                    k += 1
                elif row:  # [] is a blank line
                    bad.append(start)
                start = reader.line_num + 2
    except (OSError, csv.Error, EOFError):
        return None
    if k != records or len(bad) != len(duck) or len(good) != len(want):
        return None
    return good, bad


def _open_parquet(con: duckdb.DuckDBPyConnection, p: Path) -> Source:
    rel = f"read_parquet({_q(str(p))})"
    return _typed_source(con, rel, label=str(p), fmt="parquet")


def _typed_source(con: duckdb.DuckDBPyConnection, rel: str, *, label: str, fmt: str) -> Source:
    """A typed relation (Parquet, Arrow) as text columns, timestamps as UTC ISO text."""
    desc = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    cols = [d[0] for d in desc]
    casts = ", ".join(_to_text(c, d[1]) for c, d in zip(cols, desc, strict=True))
    return Source(
        label=label, fmt=fmt, sql=f"SELECT {casts} FROM {rel}", columns=cols, first_line=1
    )


def _open_jsonl(con: duckdb.DuckDBPyConnection, p: Path, label: str) -> Source:
    # Read each line as one text value, so a broken line is a reject with its line number
    # rather than an error for the whole file. \x01 cannot appear raw in valid JSON.
    # Blank lines hold no record. `o` is the line when it is a JSON object, else NULL, so
    # no JSON function ever sees a broken line (that one goes to `__malformed`).
    obj = "json_valid(t) AND starts_with(ltrim(t), '{')"
    lines = (
        f"(SELECT CASE WHEN {obj} THEN t END AS o, CASE WHEN {obj} THEN NULL ELSE t END "
        f"AS __malformed, n FROM {_lines(p)} WHERE trim(t) <> '')"
    )
    keys = [
        r[0]
        for r in con.execute(  # in order of first appearance
            "SELECT k FROM (SELECT unnest(json_keys(o)) AS k, "
            f"unnest(range(len(json_keys(o)))) AS i, n FROM {lines}) "
            "GROUP BY k ORDER BY min([n, i])"
        ).fetchall()
    ]
    if not keys:
        raise DataError(f"{label}: no JSON objects found (expected one object per line)")
    blank = [
        int(r[0])
        for r in con.execute(
            f"SELECT n FROM {_lines(p)} WHERE t IS NULL OR trim(t) = '' ORDER BY n"
        ).fetchall()
    ]
    fields = ", ".join(
        f"CASE WHEN json_type(o, {_q('$.' + _json_path(k))}) <> 'NULL' "
        f"THEN json_extract_string(o, {_q('$.' + _json_path(k))}) END AS {ident(k)}"
        for k in keys
    )
    sql = f"SELECT {fields}, __malformed FROM {lines} ORDER BY n"
    return Source(
        label=label,
        fmt="jsonl",
        sql=sql,
        columns=[*keys, "__malformed"],
        first_line=1,
        skipped=blank,
    )


def _json_path(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def arrow_source(con: duckdb.DuckDBPyConnection, name: str, table: object, label: str) -> Source:
    """A pyarrow table (from a dataset adapter or the API) as a source."""
    view = f"seamline_src_{name}"
    con.register(view, table)
    return _typed_source(con, view, label=label, fmt="arrow")


def _to_text(col: str, sql_type: str) -> str:
    # Timestamps carry their zone into text so they parse back to the same instant.
    if sql_type.startswith("TIMESTAMP"):
        return (
            f"strftime(CAST({ident(col)} AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%S.%fZ') AS {ident(col)}"
        )
    return f"CAST({ident(col)} AS VARCHAR) AS {ident(col)}"
