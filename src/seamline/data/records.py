"""Records posted as JSON (the service's event batches): turned into a table in linear
time (keys outside the canonical columns packed into one JSON column, with a cap on how
many distinct ones a batch may hold), ingested under the file rules, and answered with the
counts and each reject of the batch."""

from __future__ import annotations

import json
from typing import Any, Protocol

import pyarrow as pa

from seamline.data.browse import rows
from seamline.data.columns import ALIASES, PACKED, TABLES
from seamline.data.store import Store
from seamline.errors import TooLargeError
from seamline.pii.patterns import column_kind


class RecordStore(Store, Protocol):
    def ingest_rows(
        self, records: list[Any], source_name: str, *, max_extra_keys: int | None = None
    ) -> Any: ...


def ingest_records(
    ws: RecordStore,
    records: list[Any],
    label: str,
    *,
    max_errors: int = 1000,
    max_extra_keys: int | None = None,
) -> dict[str, Any]:
    """Ingest one batch of event records under `label`; the counts plus each reject of this
    batch (position from 1, column, reason, message), at most `max_errors` of them. More
    than `max_extra_keys` distinct keys outside the canonical columns refuse the whole
    batch (`TooLargeError`) before anything is stored."""
    summary = ws.ingest_rows(records, label, max_extra_keys=max_extra_keys).to_dict()
    errors: list[dict[str, Any]] = []
    if summary["rejected"]:
        with ws.connect(read_only=True) as con:
            errors = rows(
                con,
                "SELECT line AS position, column_name AS column, reason, message FROM rejects "
                "WHERE file = ? ORDER BY line LIMIT ?",
                [label, max_errors],
            )
    keys = ("rows", "accepted", "rejected", "duplicates", "rejected_by_reason")
    return {
        **{k: summary[k] for k in keys},
        "duplicates_by_kind": summary["duplicates_by_kind"],
        "errors": errors,
    }


def as_text(v: Any) -> str | None:
    """Values travel as text: validation decides, as for files."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def record_columns(
    records: list[Any], table: str, *, label: str, max_extra_keys: int | None = None
) -> pa.Table:
    """The dict records as a text table: one column per canonical (or aliased) name, plus
    the keys whose name says they hold PII (so the PII policy sees them by name), and one
    column `PACKED` holding each record's other keys as a JSON object. Time is linear in
    the number of values, however many distinct keys the batch holds; more than
    `max_extra_keys` distinct other keys raise `TooLargeError`."""
    known = {c for c in TABLES[table]} | set(ALIASES[table])
    good = [r for r in records if isinstance(r, dict)]
    n = len(good)
    columns: dict[str, list[str | None]] = {}
    packed: list[str | None] = [None] * n
    extra_keys: set[str] = set()
    is_column: dict[str, bool] = {}  # each distinct name is classified once
    for i, r in enumerate(good):
        extras: dict[str, str | None] = {}
        for k, v in r.items():
            name = str(k)
            own = is_column.get(name)
            if own is None:
                own = is_column[name] = bool(name.strip().lower() in known or column_kind(name))
            if own:
                col = columns.get(name)
                if col is None:
                    col = columns[name] = [None] * n
                col[i] = as_text(v)
            else:
                extras[name] = as_text(v)
        if extras:
            extra_keys.update(extras)
            if max_extra_keys is not None and len(extra_keys) > max_extra_keys:
                raise TooLargeError(
                    f"{label}: more than {max_extra_keys:,} distinct keys outside the canonical "
                    f"columns in one batch (record {i + 1} passes the cap); send fewer "
                    "distinct attributes per batch"
                )
            packed[i] = json.dumps(extras, ensure_ascii=False)
    # A required column absent from every record still rejects row by row.
    present = {c.strip().lower() for c in columns}
    for c in TABLES[table].values():
        aliases = {a for a, canon in ALIASES[table].items() if canon == c.name}
        if c.required and c.name not in present and not aliases & present:
            columns[c.name] = [None] * n
    data = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    if extra_keys:
        data[PACKED] = pa.array(packed, pa.string())
    return pa.table(data)
