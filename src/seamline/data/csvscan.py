"""Pre-scan of CSV/TSV files: header, encoding, stray quotes and oversized records.

DuckDB's CSV reader is fast but lets one unbalanced quote swallow every line after it into
one field, fails a whole file on a single oversized line, and reads UTF-8 only. So before
DuckDB reads a file, one cheap DuckDB scan of its physical lines checks that no line holds
an odd number of quote characters and that no line is oversized. Files that pass (nearly
all) are read as they are. The others are parsed here with Python's csv module, record by
record. A quoted field that runs past its line and never closes, or runs into a line that
is a whole record of its own, is a stray quote: its first line is a `malformed_line` and
the lines after it are read again as records. A record longer than `MAX_RECORD_CHARS` is a
`field_too_long`. Those lines are blanked in a UTF-8 copy that DuckDB then reads; blank
lines hold no record, so every other line keeps its number. A file in another encoding
(`encoding`: latin-1, gbk, gb18030, big5 ...) goes the same way, transcoded on the fly.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from seamline.errors import ConfigError, DataError

# A record (all of its fields) longer than this is refused as `field_too_long`; DuckDB's
# own line limit (10 MB) would otherwise fail the whole file.
MAX_RECORD_CHARS = 1_000_000
DELIMITERS = (",", "\t", ";", "|")
UTF8 = "utf-8"


@dataclass
class Refused:
    """A physical line refused before parsing, with its real file line."""

    line: int
    reason: str
    text: str
    message: str


@dataclass
class Scanned:
    """What DuckDB should read for one CSV file."""

    path: Path  # the file itself, or a cleaned UTF-8 copy with the same line numbers
    delimiter: str
    header: list[str]
    refused: list[Refused] = field(default_factory=list)
    temporary: bool = False  # `path` is a copy to delete after the ingest


def check_encoding(name: str | None) -> str | None:
    """The codec name for `name` (None: UTF-8), or ConfigError naming what is allowed."""
    if name is None:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ConfigError(
            f"encoding {name!r} is unknown; use a Python codec name such as utf-8, "
            "latin-1, cp1252, gbk, gb18030 or big5"
        ) from None
    if info.name.startswith(("utf-16", "utf-32")):
        raise ConfigError(f"encoding {name!r} is not supported; convert the file to UTF-8")
    return None if info.name == UTF8 else info.name


def _open_binary(path: Path, label: str) -> Iterator[bytes]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as f:
            yield from f
    except (OSError, EOFError) as e:  # a broken .gz among them
        raise DataError(f"{label}: cannot read the file ({e})") from None


def _decoded(path: Path, label: str, encoding: str) -> Iterator[str]:
    """The file's physical lines as text (line ends kept); a line that is not valid in
    `encoding` stops the ingest with one line naming it."""
    for n, raw in enumerate(_open_binary(path, label), start=1):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            bad = raw[e.start : e.start + 1].hex()
            hint = (
                "pass the file's encoding with --encoding (e.g. latin-1, gbk, big5) or "
                "`encoding:` in the mapping"
                if encoding == UTF8
                else "check the encoding given for it"
            )
            raise DataError(
                f"{label}: line {n}: not valid {encoding} text (byte 0x{bad} at byte "
                f"{e.start + 1}); {hint}"
            ) from None
        yield text.removeprefix("\ufeff") if n == 1 else text


def _header(path: Path, label: str, encoding: str, delimiter: str | None) -> tuple[str, list[str]]:
    """The delimiter and the header's column names; duplicated names are an error."""
    first = next(_decoded(path, label, encoding), "")
    line = first.rstrip("\r\n")
    if not line.strip():
        raise DataError(f"{label}: no header row found (the first line must name the columns)")
    delim = delimiter or max(DELIMITERS, key=line.count)
    try:
        names = next(csv.reader([line], delimiter=delim, strict=True))
    except csv.Error as e:
        raise DataError(f"{label}: line 1: the header cannot be read ({e})") from None
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        key = name.strip().lower()
        if key in seen:
            raise DataError(
                f"{label}: line 1: columns {seen[key]} ({names[seen[key] - 1]!r}) and {i} "
                f"({name!r}) have the same name; rename one (names must be unique)"
            )
        seen[key] = i
    return delim, names


def _lines_sql(path: Path) -> str:
    q = "'" + path.as_posix().replace("'", "''") + "'"
    return (
        f"read_csv({q}, columns={{'t': 'VARCHAR'}}, header=false, delim='\x01', quote='', "
        "escape='', max_line_size=10000000)"
    )


def _needs_parsing(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """One parallel scan of the raw lines: any odd quote count or oversized line? A line
    DuckDB cannot read at all (not UTF-8, over its own limit) needs the slow path too."""
    odd = "(strlen(t) - strlen(replace(t, '\"', ''))) % 2 = 1"
    try:
        rows = con.execute(
            f"SELECT count(*) FILTER (WHERE {odd}), coalesce(max(strlen(t)), 0) "
            f"FROM {_lines_sql(path)}"
        ).fetchall()
    except duckdb.Error:
        return True
    return not rows or int(rows[0][0]) > 0 or int(rows[0][1]) > MAX_RECORD_CHARS


def scan_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    delimiter: str | None,
    encoding: str | None,
) -> Scanned:
    """Check `path` and decide what DuckDB reads: the file itself or a cleaned copy."""
    enc = check_encoding(encoding) or UTF8
    delim, header = _header(path, label, enc, delimiter)
    if enc == UTF8 and not _needs_parsing(con, path):
        return Scanned(path=path, delimiter=delim, header=header)
    return _parse(con, path, label, enc, delim, header)


class _Feed:
    """Lines for csv.reader, remembering those of the current record and letting lines be
    pushed back so the ones after a refused first line are read again."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.back: deque[str] = deque()
        self.taken: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.back.popleft() if self.back else next(self.lines)
        self.taken.append(line)
        return line


def _parse(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    encoding: str,
    delim: str,
    header: list[str],
) -> Scanned:
    lines = _decoded(path, label, encoding)
    first = next(lines)
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delim, quotechar='"', doublequote=True, strict=True)
    refused: list[Refused] = []
    setting = con.execute("SELECT current_setting('temp_directory')").fetchall()
    folder = Path(setting[0][0] if setting and setting[0][0] else tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="ingest-", suffix=".csv", dir=folder)
    copy = Path(name)
    try:
        with os.fdopen(fd, "w", encoding=UTF8, newline="") as f:
            f.write(first)
            line = 2  # physical line of the next record's first line
            while True:
                # A line with an even number of quotes is a whole record (the fast path's
                # rule): copied as it is, only odd lines need the parser.
                try:
                    head = feed.back.popleft() if feed.back else next(feed.lines)
                except StopIteration:
                    break
                if head.count('"') % 2 == 0 and len(head) <= MAX_RECORD_CHARS:
                    f.write(head)
                    line += 1
                    continue
                feed.back.appendleft(head)
                feed.taken = []
                try:
                    row: list[str] | None = next(reader)
                    problem = ""
                except StopIteration:
                    break
                except csv.Error as e:
                    row, problem = None, str(e)
                taken = feed.taken
                size = sum(len(t) for t in taken)
                if size > MAX_RECORD_CHARS and (len(taken) == 1 or row is not None):
                    refused.append(_refuse(line, "field_too_long", taken, size))
                    f.write("\n" * len(taken))
                    line += len(taken)
                    continue
                if problem or (len(taken) > 1 and _next_is_a_record(taken[1], delim, header)):
                    # A quote ran past its line and never closed, or it swallowed a line
                    # that is a record of its own: refuse the first line, reread the rest.
                    why = problem if len(taken) == 1 else ""
                    refused.append(_refuse(line, "malformed_line", taken[:1], size, why))
                    feed.back.extendleft(reversed(taken[1:]))
                    f.write("\n")
                    line += 1
                    continue
                f.write("".join(taken))
                line += len(taken)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    if not refused and encoding == UTF8:
        copy.unlink(missing_ok=True)
        return Scanned(path=path, delimiter=delim, header=header)
    return Scanned(path=copy, delimiter=delim, header=header, refused=refused, temporary=True)


def _next_is_a_record(line: str, delim: str, header: list[str]) -> bool:
    """Whether `line`, read alone, is a whole record with the header's number of fields
    (then a quote that ran into it from the line above was a stray one)."""
    try:
        return len(next(csv.reader([line], delimiter=delim, strict=True))) == len(header)
    except (csv.Error, StopIteration):
        return False


def _refuse(line: int, reason: str, taken: list[str], size: int, why: str = "") -> Refused:
    text = "".join(taken)
    if reason == "field_too_long":
        message = f"the record holds {size:,} characters; at most {MAX_RECORD_CHARS:,} are allowed"
        text = text[:200] + " [...]"
    else:
        message = why or "a quoted field runs past the end of its line (a stray quote?)"
        text = text.rstrip("\r\n")[:2000]
    return Refused(line=line, reason=reason, text=text, message=message)


def scan_lines(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> Scanned:
    """For line-per-record files (JSON Lines): lines over `MAX_RECORD_CHARS` are refused as
    `field_too_long` and blanked in a copy, so the rest of the file still loads."""
    try:
        rows = con.execute(f"SELECT coalesce(max(strlen(t)), 0) FROM {_lines_sql(path)}").fetchall()
        if rows and int(rows[0][0]) <= MAX_RECORD_CHARS:
            return Scanned(path=path, delimiter="", header=[])
    except duckdb.Error:
        pass  # a line past DuckDB's own limit, or not UTF-8: look line by line
    setting = con.execute("SELECT current_setting('temp_directory')").fetchall()
    folder = Path(setting[0][0] if setting and setting[0][0] else tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="ingest-", suffix=".jsonl", dir=folder)
    copy = Path(name)
    refused: list[Refused] = []
    try:
        with os.fdopen(fd, "w", encoding=UTF8, newline="") as f:
            for n, text in enumerate(_decoded(path, label, UTF8), start=1):
                if len(text) > MAX_RECORD_CHARS:
                    refused.append(_refuse(n, "field_too_long", [text], len(text)))
                    text = "\n"
                f.write(text)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return Scanned(path=copy, delimiter="", header=[], refused=refused, temporary=True)
