"""Ingestion: validate, clean, dedupe and store one source into a canonical table.

Accounting is exact: every input row ends up accepted, rejected (with file, line, column,
reason and the raw row kept in `rejects`) or counted as a duplicate, so
``accepted + rejected + duplicates == rows`` always holds.

Events are deduplicated by `event_id` when a row has one, and by the whole row otherwise,
both within the file and against what the store already holds: ingesting a file twice
adds nothing. Items and users are keyed (`item_id` + `domain`, `user_id`); a later row
replaces an earlier one (counted as `updated`), an identical row is a duplicate.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb

from seamline.data import readers
from seamline.data.cleaning import plan, resolve_columns
from seamline.data.columns import EXTRA, KEYS, TABLES
from seamline.data.erased import reject_erased
from seamline.data.mapping import TableMapping
from seamline.data.pii_default import DEFAULT_SOURCE, pii_in_force
from seamline.data.pseudonyms import pseudonymise_stage
from seamline.data.readers import Source, ident
from seamline.data.rejects import Reject, collect_rejects, store_rejects
from seamline.data.store import count, register_udf, transaction
from seamline.data.summary import IngestSummary, TableSummary
from seamline.data.versions import bump_data_version
from seamline.pii.patterns import MASK_UDF, mask, nullable_masker
from seamline.pii.policy import PrivacyOptions
from seamline.pii.policy import resolve as resolve_privacy
from seamline.progress import Progress, step

log = logging.getLogger(__name__)

__all__ = ["IngestSummary", "Staged", "TableSummary", "ingest_source", "stage", "store_staged"]

# Builds the temporary table `stage` from a source: (connection, source, the validating
# SELECT of that source read through another SELECT, the PII masking function the SELECT
# calls as MASK_UDF or None). The default runs it in DuckDB; an engine may run it
# elsewhere (`engine.stage.spark_stage`) and land the rows in `stage`.
Masker = Callable[[str | None, str, str], str | None]
StageBuilder = Callable[
    [duckdb.DuckDBPyConnection, Source, Callable[[str], str], Masker | None], None
]

# A user with this many events in one minute is flagged as bot-like (not removed).
BOT_EVENTS_PER_MINUTE = 120


@dataclass
class Staged:
    """A source validated into its own temporary table, ready to be stored."""

    table: str
    source: Source
    tm: TableMapping
    summary: TableSummary
    started: float
    rejects: list[Reject]


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: Source,
    tm: TableMapping,
    *,
    progress: Progress | None = None,
    privacy: PrivacyOptions | None = None,
) -> TableSummary:
    """Validate `source` as `table` and add what is new to the store, in one transaction.

    `privacy` (merged with what the workspace recorded) scans free text for PII and
    pseudonymises user ids before anything is stored."""
    staged = stage(con, table, source, tm, progress=progress, privacy=privacy)
    with transaction(con):
        return store_staged(con, staged, progress=progress)


def stage(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: Source,
    tm: TableMapping,
    *,
    progress: Progress | None = None,
    privacy: PrivacyOptions | None = None,
    build: StageBuilder | None = None,
) -> Staged:
    """Validate `source` into the temporary table `stage_<table>`; nothing is stored yet.
    `build` runs the validating SELECT somewhere else than DuckDB (Spark)."""
    started = time.perf_counter()
    opts, policy = pii_in_force(resolve_privacy(con, privacy), privacy, tm)
    p = plan(table, source, tm, pii=opts.pii)
    summary = TableSummary(file=source.label, table=table, extras=p.extras, pii_policy=policy)
    masker = nullable_masker(opts.keyring) if opts.pii is not None else None
    if masker is not None:
        register_udf(con, MASK_UDF, masker, arity=3, nulls=True)
    # The stage is built outside the transaction so its rowids are 0..n-1 in file order
    # (DuckDB keeps insertion order), which is how a reject finds its line number.
    with step(progress, f"validating {source.label}"):
        if build is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {p.select_sql}")
        else:
            pii = opts.pii

            def select_of(sql: str) -> str:
                return plan(table, replace(source, sql=sql), tm, pii).select_sql

            build(con, source, select_of, masker)
        readers.collect_csv_errors(con, source)
        if opts.pseudonymise or not policy.endswith(DEFAULT_SOURCE):
            # A line that could not be parsed may hold anything: keep where, not what.
            for m in source.malformed:
                m.text = "[withheld: privacy policy]"
        else:  # the default policy: cut PII out, keep the rest of the line to diagnose it
            for m in source.malformed:
                m.text = mask(m.text, lambda kind, _span: f"[{kind} removed]")
        user_col = resolve_columns(table, source, tm).get("user_id")
        if "user_id" in TABLES[table]:  # tombstones hold raw ids and pseudonyms: check both
            reject_erased(con, user_col)
        if opts.pseudonymise and opts.keyring is not None and "user_id" in TABLES[table]:
            pseudonymise_stage(con, opts.keyring, user_col)
            reject_erased(con, user_col)
        if p.pii_count_sql is not None:  # every span, not one kind per value
            rows = con.execute(p.pii_count_sql).fetchall()
            summary.pii_masked = {str(k): int(n) for k, n in rows}
        rejects = collect_rejects(con, table, source, tm)
        con.execute(f"DROP TABLE IF EXISTS stage_{table}")
        con.execute(f"ALTER TABLE stage RENAME TO stage_{table}")
    return Staged(table, source, tm, summary, started, rejects)


def store_staged(
    con: duckdb.DuckDBPyConnection, staged: Staged, *, progress: Progress | None = None
) -> TableSummary:
    """Store a staged source; call it inside a transaction (several files may share one)."""
    table, source, summary = staged.table, staged.source, staged.summary
    # Renaming keeps the rowids (0..n-1, file order) that rejects' line numbers rely on.
    con.execute("DROP TABLE IF EXISTS stage")
    con.execute(f"ALTER TABLE stage_{table} RENAME TO stage")
    ingest_id = _next_ingest_id(con)
    staged_rows = count(con, "stage")
    summary.rows = staged_rows + len(source.malformed)
    store_rejects(con, ingest_id, table, source, staged.rejects, summary)
    with step(progress, f"deduplicating and storing {table}"):
        if table == "events":
            _insert_events(con, ingest_id, summary)
            summary.bot_users_flagged = _flag_bots(con, ingest_id)
        else:
            _upsert_entities(con, table, ingest_id, summary)
    summary.seconds = round(time.perf_counter() - staged.started, 3)
    con.execute(
        "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
        [
            ingest_id,
            source.label,
            table,
            source.fmt,
            summary.rows,
            summary.accepted,
            summary.rejected,
            summary.duplicates,
            summary.updated,
            summary.seconds,
            json.dumps(summary.to_dict()),
        ],
    )
    con.execute("DROP TABLE IF EXISTS stage")
    bump_data_version(con)
    if summary.rejected:
        log.info(
            "%s: %d rows rejected %s", source.label, summary.rejected, summary.rejected_by_reason
        )
    if summary.bot_users_flagged:
        log.warning(
            "%s: %d users flagged as bot-like (>= %d events in a minute)",
            source.label,
            summary.bot_users_flagged,
            BOT_EVENTS_PER_MINUTE,
        )
    return summary


def _next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchone()
    return int(row[0]) if row else 1


def _canonical(table: str) -> list[str]:
    return [*TABLES[table], EXTRA]


def _key_hash(prefix: str = "") -> str:
    """64-bit hash of an event's identity: its event_id, else the whole row.

    Hashes only pick candidates; duplicates are then confirmed on the real values, so a
    hash collision can never drop an event.
    """
    content = [c for c in _canonical("events") if c != "event_id"]
    row = ", ".join(f"{prefix}{ident(c)}{'::VARCHAR' if c == EXTRA else ''}" for c in content)
    return (
        f"CASE WHEN {prefix}event_id IS NOT NULL THEN hash('id', {prefix}event_id) "
        f"ELSE hash({row}) END"
    )


def _same_row(a: str, b: str) -> str:
    """Null-safe equality of two id-less events, column by column (aliases `a`, `b`)."""
    content = [c for c in _canonical("events") if c != "event_id"]
    cast = {EXTRA: "::VARCHAR"}
    return (
        "("
        + " AND ".join(
            f"{a}.{ident(c)}{cast.get(c, '')} IS NOT DISTINCT FROM {b}.{ident(c)}{cast.get(c, '')}"
            for c in content
        )
        + ")"
    )


def _insert_events(con: duckdb.DuckDBPyConnection, ingest_id: int, summary: TableSummary) -> None:
    """Insert the valid staged events that are new, within the file and to the store.

    Fast path: hash every valid row's identity; only rows whose hash repeats in the file or
    appears in the store are compared exactly. Most files have none, and then the whole
    stage goes in with one INSERT.
    """
    cols = ", ".join(ident(c) for c in _canonical("events"))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE keys AS SELECT rowid AS _i, "
        f"{_key_hash()} AS _k FROM stage WHERE reject_reason IS NULL"
    )
    valid = count(con, "keys")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE suspect AS "
        "SELECT _k FROM keys GROUP BY _k HAVING count(*) > 1"
    )
    if count(con, "events"):
        # Stored events with an id are found by id (one string column, no hashing of the
        # whole store: small batches into a large store stay cheap); id-less stored rows
        # are hashed only when this batch has id-less rows to compare them with.
        con.execute(
            "INSERT INTO suspect SELECT DISTINCT hash('id', event_id) FROM events "
            "WHERE event_id IN (SELECT event_id FROM stage "
            "  WHERE reject_reason IS NULL AND event_id IS NOT NULL)"
        )
        idless = con.execute(
            "SELECT count(*) FROM stage WHERE reject_reason IS NULL AND event_id IS NULL"
        ).fetchone()
        if idless and idless[0]:
            con.execute(
                f"INSERT INTO suspect SELECT DISTINCT {_key_hash()} AS _k FROM events "
                f"WHERE event_id IS NULL AND {_key_hash()} IN (SELECT _k FROM keys)"
            )
    # Exact checks on the candidates only. Events with an id are duplicates when the id came
    # earlier in the file or is stored: a string comparison, no copy of the rows needed.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dropped AS SELECT _i, true AS by_id FROM ("
        "  SELECT k._i, s.event_id, "
        "    row_number() OVER (PARTITION BY s.event_id ORDER BY k._i) AS seen "
        "  FROM keys k JOIN stage s ON s.rowid = k._i "
        "  WHERE k._k IN (SELECT _k FROM suspect) AND s.event_id IS NOT NULL) "
        "WHERE seen > 1 OR event_id IN (SELECT event_id FROM events "
        "  WHERE event_id IS NOT NULL AND hash('id', event_id) IN (SELECT _k FROM suspect))"
    )
    # Events without an id are duplicates when an identical row came earlier or is stored.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE candidates AS SELECT k._i, k._k, s.* "
        "FROM keys k JOIN stage s ON s.rowid = k._i "
        "WHERE k._k IN (SELECT _k FROM suspect) AND s.event_id IS NULL"
    )
    con.execute(
        "INSERT INTO dropped SELECT c._i, false FROM candidates c WHERE EXISTS ("
        f"  SELECT 1 FROM candidates p WHERE p._k = c._k AND p._i < c._i "
        f"  AND {_same_row('p', 'c')}) "
        "OR EXISTS (SELECT 1 FROM events e WHERE e.event_id IS NULL "
        f"  AND {_key_hash('e.')} = c._k AND {_same_row('e', 'c')})"
    )
    dropped = count(con, "dropped")
    keep = "" if not dropped else " AND rowid NOT IN (SELECT _i FROM dropped)"
    # The stored order of events carries no meaning (lines are already resolved), and an
    # unordered insert lets both threads write at once.
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(
            f"INSERT INTO events SELECT {cols}, ? FROM stage WHERE reject_reason IS NULL{keep}",
            [ingest_id],
        )
    finally:
        con.execute("RESET preserve_insertion_order")
    summary.accepted = valid - dropped
    summary.duplicates = dropped
    if dropped:
        row = con.execute(
            "SELECT count(*) FILTER (WHERE by_id), count(*) FILTER (WHERE NOT by_id) FROM dropped"
        ).fetchone() or (0, 0)
        conflicts = _conflicting_ids(con) if row[0] else 0
        summary.duplicates_by_kind = {
            k: int(v)
            for k, v in (
                ("repeated_event_id", row[0] - conflicts),
                ("conflicting_event_id", conflicts),
                ("exact_row", row[1]),
            )
            if v
        }
        if conflicts:
            log.warning(
                "%s: %d events reuse an event_id with different content (kept out: the "
                "first one stays)",
                summary.file,
                conflicts,
            )
    for t in ("keys", "suspect", "candidates", "dropped"):
        con.execute(f"DROP TABLE {t}")


def _conflicting_ids(con: duckdb.DuckDBPyConnection) -> int:
    """Events dropped for their event_id whose content matches no earlier event with that
    id (stored, or earlier in the file): a reused id, not a repeat."""
    content = _same_row("e", "s")
    row = con.execute(
        "SELECT count(*) FROM dropped d JOIN stage s ON s.rowid = d._i WHERE d.by_id "
        f"AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id AND {content}) "
        "AND NOT EXISTS (SELECT 1 FROM stage e WHERE e.event_id = s.event_id "
        f"AND e.rowid < s.rowid AND e.reject_reason IS NULL AND {content})"
    ).fetchone()
    return int(row[0]) if row else 0


def _flag_bots(con: duckdb.DuckDBPyConnection, ingest_id: int) -> int:
    """Flag users whose busiest minute in this batch reaches the bot threshold."""
    # Only users with enough events in the whole batch can qualify: that cheap filter
    # spares the per-minute grouping of everyone else. Minutes are integer epoch buckets.
    batch = f"FROM events WHERE ingest_id = {int(ingest_id)} AND timestamp IS NOT NULL"
    con.execute(
        "INSERT OR REPLACE INTO bot_flags "
        "SELECT user_id, max(n), to_timestamp(arg_max(minute, n) * 60), ? FROM ("
        f"  SELECT user_id, epoch_us(timestamp) // 60000000 AS minute, count(*) AS n {batch}"
        f"  AND user_id IN (SELECT user_id {batch} GROUP BY user_id"
        f"    HAVING count(*) >= {BOT_EVENTS_PER_MINUTE})"
        f"  GROUP BY ALL HAVING count(*) >= {BOT_EVENTS_PER_MINUTE}) GROUP BY user_id",
        [ingest_id],
    )
    flagged = con.execute(
        "SELECT count(*) FROM bot_flags WHERE ingest_id = ?", [ingest_id]
    ).fetchone()
    return int(flagged[0]) if flagged else 0


def _upsert_entities(
    con: duckdb.DuckDBPyConnection, table: str, ingest_id: int, summary: TableSummary
) -> None:
    cols = _canonical(table)
    keys = [ident(k) for k in KEYS[table]]
    quoted = ", ".join(ident(c) for c in cols)
    # Within a file the last row of a key wins: catalogs are often appended to over time.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE fresh AS SELECT {quoted}, "
        f"row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY rowid DESC) AS _n "
        "FROM stage WHERE reject_reason IS NULL"
    )
    valid = count(con, "fresh")
    latest = con.execute("SELECT count(*) FROM fresh WHERE _n = 1").fetchone()
    n_latest = int(latest[0]) if latest else 0
    join = " AND ".join(f"s.{k} = f.{k}" for k in keys)
    same = " AND ".join(
        f"s.{ident(c)}{'::VARCHAR' if c == EXTRA else ''} IS NOT DISTINCT FROM "
        f"f.{ident(c)}{'::VARCHAR' if c == EXTRA else ''}"
        for c in cols
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE changes AS SELECT f.*, "
        f"EXISTS (SELECT 1 FROM {table} s WHERE {join}) AS _known "
        f"FROM fresh f WHERE f._n = 1 AND NOT EXISTS (SELECT 1 FROM {table} s WHERE {same})"
    )
    row = con.execute("SELECT count(*), count(*) FILTER (WHERE _known) FROM changes").fetchone()
    changed, known = (int(row[0]), int(row[1])) if row else (0, 0)
    con.execute(f"INSERT OR REPLACE INTO {table} SELECT {quoted}, ? FROM changes", [ingest_id])
    con.execute("DROP TABLE fresh")
    con.execute("DROP TABLE changes")
    summary.accepted = changed
    summary.updated = known
    summary.duplicates = valid - changed
    summary.duplicates_by_kind = {
        k: v
        for k, v in (("repeated_key", valid - n_latest), ("unchanged", n_latest - changed))
        if v
    }
