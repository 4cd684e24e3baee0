"""Rejects: where each refused row or line goes, with a message saying what was wrong."""

from __future__ import annotations

import json
from collections import Counter

import duckdb
import pyarrow as pa

from seamline.data import readers
from seamline.data.cleaning import NON_NEGATIVE, SEP, TIMESTAMP_FORMS
from seamline.data.columns import MAX_ID_CHARS
from seamline.data.mapping import TableMapping
from seamline.data.readers import Source
from seamline.data.store import count
from seamline.data.summary import TableSummary
from seamline.pii.patterns import KINDS as PII_KINDS

MESSAGES = {
    "missing": "is empty (required)",
    "bad_timestamp": "is not a date (" + TIMESTAMP_FORMS + ")",
    "timestamp_out_of_range": "is before 1970 or more than a day in the future",
    "bad_event_type": "is not an allowed event type",
    "bad_domain": "is not an allowed domain (knowledge, fashion, other)",
    "malformed_line": "could not be split into the header's fields",
    "erased_user": "is a user erased from this workspace (seamline forget)",
    **{f"pii_{k}": f"holds PII ({k}); the PII policy rejects the row" for k in PII_KINDS},
}


def _message(
    table: str, reason: str, value: str | None, column: str, tm: TableMapping
) -> tuple[str, str]:
    """The stored reason (without the stage's column suffix) and what was wrong."""
    reason, _, canonical = reason.partition(SEP)
    key = "missing" if reason.startswith("missing_") else reason
    text = MESSAGES.get(key)
    if reason == "bad_event_type":
        text = (
            f"is not an allowed event type ({', '.join(tm.allowed_event_types)}; declare "
            "others as custom_event_types in the mapping)"
        )
    elif reason == "out_of_range":
        lo, hi = tm.range_of(table, canonical) or (0.0, 0.0)
        text = (
            f"is outside the plausible range [{lo:g}, {hi:g}] of {canonical} (set `ranges` "
            "in the mapping to change it)"
        )
    elif reason == "id_too_long":
        text = f"is longer than {MAX_ID_CHARS} characters (the limit for ids)"
    elif reason == "bad_id":
        text = "is not a usable id (control, zero-width or bidi characters, or a JSON object/array)"
    elif text is None and reason.startswith("bad_"):  # bad_<number column>
        text = (
            "is not a non-negative number"
            if reason[4:] in NON_NEGATIVE
            else "is not a finite number"
        )
    elif text is None:  # a reason without a message of its own: name it, never guess one
        text = f"is rejected ({reason})"
    if value is not None and len(value) > 200:  # a giant id is shown cut, not whole
        value = value[:200] + "..."
    shown = "(empty)" if value is None else repr(value)
    return reason, (f"column {column!r}: {shown} {text}" if column else text)


def _line_breaks(raw: str) -> int:
    """Line breaks inside the values of a rejected row (its raw row as JSON)."""
    return sum(v.count("\n") for v in json.loads(raw).values() if isinstance(v, str))


Reject = tuple[int, str, str, str | None, str, str]  # line, column, reason, value, message, raw


def collect_rejects(
    con: duckdb.DuckDBPyConnection, table: str, source: Source, tm: TableMapping
) -> list[Reject]:
    """The rejected rows of `stage` and the source's malformed lines, each at its file line.

    Runs before the store's transaction: finding lines may scan the file, and a scan that
    fails (and falls back to counting) must not abort a transaction."""
    rows = con.execute(
        "SELECT rowid, reject_reason, reject_column, reject_value, reject_raw "
        "FROM stage WHERE reject_reason IS NOT NULL ORDER BY rowid"
    ).fetchall()
    breaks = {int(r[0]): _line_breaks(r[4]) for r in rows}
    lines = readers.record_lines(con, source, breaks, count(con, "stage"))
    records: list[Reject] = []
    for i, reason, col, val, raw in rows:
        stored, message = _message(table, reason, val, col, tm)
        records.append((lines[int(i)], col, stored, val, message, raw))
    records += [
        (m.line, "", m.reason, None, f"{m.message}", json.dumps({"line": m.text}))
        for m in source.malformed
    ]
    return records


def store_rejects(
    con: duckdb.DuckDBPyConnection,
    ingest_id: int,
    table: str,
    source: Source,
    records: list[Reject],
    summary: TableSummary,
) -> None:
    """Copy collected rejects into `rejects`, once per file line."""
    summary.rejected = len(records)
    summary.rejected_by_reason = dict(sorted(Counter(r[2] for r in records).items()))
    if not records:
        return
    # Columnar hand-over: a file with millions of bad rows must not cost millions of
    # single-row inserts.
    names = ("line", "column_name", "reason", "value", "message", "raw")
    new_rejects = pa.table(  # noqa: F841 (read by name in the SQL below)
        {
            n: pa.array(list(col), pa.int64() if n == "line" else pa.string())
            for n, col in zip(names, zip(*records, strict=True), strict=True)
        }
    )
    # DuckDB reads the local `new_rejects` table by name (a replacement scan).
    # A re-ingested file reports its rejects again but does not store them twice.
    con.execute(
        "INSERT INTO rejects SELECT ?, ?, ?, n.line, n.column_name, n.reason, n.value, "
        "n.message, n.raw::JSON FROM new_rejects n ANTI JOIN rejects r "
        "ON r.file = ? AND r.table_name = ? AND r.line = n.line "
        "AND r.raw::VARCHAR = n.raw::JSON::VARCHAR",
        [ingest_id, source.label, table, source.label, table],
    )
