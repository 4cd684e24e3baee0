"""Every persistent table of the workspace, its owner stage, and the schema migrations.

This is the one module that creates persistent tables. A stage makes its tables exist with
`ensure(con, name, ...)` before it writes them (so a workspace holds only the tables of the
stages that ran), builds a derived table from a query with `create_as`, and asks whether a
table exists with `has_table`. Other stages read a stage's tables through that stage's read
functions (`segments.api.latest_run`, `evaluate.runner.latest_results`, ...), never by SQL.

`store.connect` applies `MIGRATIONS` in order to bring a workspace from the version in
`meta` ('schema_version') to `SCHEMA_VERSION`. To change a table: edit its columns here,
then append a migration that brings existing workspaces to the new shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from seamline.data.columns import EXTRA, KEYS
from seamline.data.columns import TABLES as CANONICAL
from seamline.errors import DataError


@dataclass(frozen=True)
class Table:
    """One persistent table: who writes it and its columns."""

    name: str
    owner: str  # the stage (package) that writes it; the others read through its functions
    doc: str
    columns: str | None  # CREATE TABLE body; None: built from a query by `create_as`
    versioned: bool = False  # older copies are kept as <name>_v<N>


def _canonical(table: str) -> str:
    cols = [f'"{c.name}" {c.sql_type}' for c in CANONICAL[table].values()]
    cols += [f"{EXTRA} JSON", "ingest_id INTEGER"]
    if table != "events":  # events are deduped by ingestion; an index would slow bulk loads
        cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in KEYS[table]) + ")")
    return ", ".join(cols)


_DECLARED = (
    # data: ingestion
    Table("events", "data", "canonical events", _canonical("events")),
    Table("items", "data", "the catalog", _canonical("items")),
    Table("users", "data", "user attributes", _canonical("users")),
    Table(
        "rejects",
        "data",
        "rows refused by ingestion, with file, line, column and reason",
        "ingest_id INTEGER, file VARCHAR, table_name VARCHAR, line BIGINT, "
        "column_name VARCHAR, reason VARCHAR, value VARCHAR, message VARCHAR, raw JSON",
    ),
    Table(
        "ingests",
        "data",
        "one row per ingested file",
        "ingest_id INTEGER PRIMARY KEY, file VARCHAR, table_name VARCHAR, format VARCHAR, "
        "rows BIGINT, accepted BIGINT, rejected BIGINT, duplicates BIGINT, updated BIGINT, "
        "started_at TIMESTAMPTZ, seconds DOUBLE, summary JSON",
    ),
    Table(
        "bot_flags",
        "data",
        "users flagged as bots by their event rate",
        "user_id VARCHAR PRIMARY KEY, max_events_per_minute BIGINT, "
        "busiest_minute TIMESTAMPTZ, ingest_id INTEGER",
    ),
    Table("meta", "data", "settings (key, value)", "key VARCHAR PRIMARY KEY, value VARCHAR"),
    Table(
        "schema_migrations",
        "data",
        "the schema migrations applied to this workspace",
        "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ, doc VARCHAR",
    ),
    Table(
        "erased_users",
        "data",
        "tombstones of erased users (keyed digests); ingest rejects their rows",
        "digest VARCHAR PRIMARY KEY, erased_at TIMESTAMPTZ",
    ),
    # features
    Table(
        "feature_versions",
        "features",
        "one row per user_features version",
        "version INTEGER PRIMARY KEY, created_at TIMESTAMPTZ, as_of TIMESTAMPTZ, users BIGINT, "
        "columns JSON, config JSON, seconds DOUBLE",
    ),
    Table("user_features", "features", "one row per user; columns vary", None, versioned=True),
    Table("item_embeddings", "features", "text embedding per item (emb_0..)", None),
    # segments
    Table(
        "segment_runs",
        "segments",
        "one row per segmentation run",
        "run_id INTEGER PRIMARY KEY, method VARCHAR, k INTEGER, metrics JSON, "
        "created_at TIMESTAMPTZ, features_version INTEGER, config JSON, seconds DOUBLE",
    ),
    Table(
        "segments",
        "segments",
        "user -> segment of the newest runs",
        "run_id INTEGER, user_id VARCHAR, segment INTEGER",
    ),
    Table(
        "segment_profiles",
        "segments",
        "size, names and profile of each segment",
        "run_id INTEGER, segment INTEGER, size BIGINT, name_en VARCHAR, name_zh VARCHAR, "
        "profile JSON",
    ),
    # evaluate
    Table(
        "evaluation_runs",
        "evaluate",
        "one row per evaluation",
        "run_id INTEGER PRIMARY KEY, created_at TIMESTAMPTZ, split VARCHAR, k INTEGER, "
        "domain VARCHAR, split_stats JSON, seconds DOUBLE",
    ),
    Table(
        "evaluation_results",
        "evaluate",
        "metrics per model and evaluation",
        "run_id INTEGER, model VARCHAR, params JSON, metrics JSON, tuning JSON, "
        "fit_s DOUBLE, eval_s DOUBLE",
    ),
    # experiments
    Table(
        "experiments",
        "experiments",
        "A/B experiment designs",
        "name VARCHAR PRIMARY KEY, config JSON, status VARCHAR, created_at TIMESTAMPTZ",
    ),
    Table(
        "exposures",
        "experiments",
        "who saw which arm",
        "experiment VARCHAR, user_id VARCHAR, arm VARCHAR, exposed_at TIMESTAMPTZ, "
        "source VARCHAR, PRIMARY KEY (experiment, user_id)",
    ),
    # campaigns
    Table(
        "campaign_plans",
        "campaigns",
        "one row per campaign plan: its spec, totals, curves and experiment",
        "plan_id INTEGER PRIMARY KEY, name VARCHAR, created_at TIMESTAMPTZ, spec JSON, "
        "summary JSON, experiment VARCHAR, seconds DOUBLE",
    ),
    Table(
        "campaign_allocations",
        "campaigns",
        "per planned user: the offer, arm (campaign or control), expected effect and message",
        "plan_id INTEGER, user_id VARCHAR, offer_id VARCHAR, arm VARCHAR, uplift DOUBLE, "
        "base_rate DOUBLE, expected_profit DOUBLE, expected_cost DOUBLE, channel VARCHAR, "
        "language VARCHAR, items JSON, message VARCHAR, PRIMARY KEY (plan_id, user_id)",
    ),
    Table(
        "campaign_results",
        "campaigns",
        "a plan's simulated responses and measured effect",
        "plan_id INTEGER, created_at TIMESTAMPTZ, kind VARCHAR, result JSON",
    ),
    # fairness
    Table(
        "fairness_runs",
        "fairness",
        "fairness audits",
        "run_id INTEGER, created_at TIMESTAMPTZ, model VARCHAR, k INTEGER, result JSON",
    ),
    # privacy
    Table(
        "privacy_budget",
        "privacy",
        "the differential-privacy ledger",
        "spent_at TIMESTAMPTZ, query VARCHAR, epsilon DOUBLE, detail JSON",
    ),
    Table(
        "privacy_audit",
        "privacy",
        "erasures and exports, without raw ids",
        "logged_at TIMESTAMPTZ, action VARCHAR, subject VARCHAR, detail JSON",
    ),
)
TABLES: dict[str, Table] = {t.name: t for t in _DECLARED}
# Created on every writable connect; the other tables appear when their stage first runs.
CORE = ("events", "items", "users", "rejects", "ingests", "bot_flags", "meta")

_VERSIONED = re.compile(r"(?P<base>.+)_v(?P<n>\d+)")


def table(name: str) -> Table:
    """The declaration of `name` (a versioned copy `<name>_v<N>` maps to its family)."""
    if name in TABLES:
        return TABLES[name]
    m = _VERSIONED.fullmatch(name)
    if m and m["base"] in TABLES and TABLES[m["base"]].versioned:
        return TABLES[m["base"]]
    raise DataError(
        f"table {name!r} is not declared in seamline.data.schema; declared: " + ", ".join(TABLES)
    )


def owner(name: str) -> str:
    return table(name).owner


def ddl(name: str) -> str:
    t = table(name)
    if t.columns is None:
        raise DataError(f"table {name!r} is built from a query: use schema.create_as")
    return f"CREATE TABLE IF NOT EXISTS {name} ({t.columns})"


def ensure(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Make the declared tables exist (no-op for those already there)."""
    for name in names:
        con.execute(ddl(name))


def create_as(con: duckdb.DuckDBPyConnection, name: str, query: str) -> None:
    """(Re)create the derived table `name` (or a versioned copy `<name>_v<N>`) from a query."""
    if table(name).columns is not None:
        raise DataError(f"table {name!r} has declared columns: use schema.ensure")
    con.execute(f"CREATE OR REPLACE TABLE {name} AS {query}")


def archive(con: duckdb.DuckDBPyConnection, name: str, version: int) -> None:
    """Keep the current `name` (a versioned table) as `<name>_v<version>`, if it exists."""
    if not table(name).versioned:
        raise DataError(f"table {name!r} is not versioned; only versioned tables are archived")
    if has_table(con, name):
        con.execute(f"ALTER TABLE {name} RENAME TO {name}_v{int(version)}")


def drop(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Drop declared tables (or versioned copies) if they exist."""
    for name in names:
        table(name)  # refuses an undeclared name
        con.execute(f"DROP TABLE IF EXISTS {name}")


def has_table(con: duckdb.DuckDBPyConnection, name: str, *, temporary: bool = False) -> bool:
    """Whether the workspace holds the table (a temporary one of this connection when asked)."""
    # fetchall, not fetchone: DuckDB refuses con.register() while a result is unfinished
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary = ? "
        "AND (temporary OR database_name = current_database())",  # not an ATTACHed file's
        [name, temporary],
    ).fetchall()
    return bool(rows[0][0])


def tables_with_column(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    """Every persistent table of the workspace file that has `column`, by name. Erasure asks
    the file itself rather than the declarations, so no table holding users escapes it."""
    rows = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE column_name = ? "
        "AND NOT internal AND database_name = current_database() AND schema_name = 'main' "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database()) ORDER BY table_name",
        [column],
    ).fetchall()
    return [str(r[0]) for r in rows]


# -- migrations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    doc: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    ensure(con, *CORE)


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    ensure(con, "schema_migrations")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables: events, items, users, rejects, ingests, bot_flags, meta", _v1),
    Migration(2, "schema_migrations: a log of the migrations applied", _v2),
)
SCHEMA_VERSION = str(MIGRATIONS[-1].version)


def latest_version() -> int:
    """The version the last migration brings a workspace to (read at call time)."""
    return MIGRATIONS[-1].version


def stored_version(con: duckdb.DuckDBPyConnection) -> int:
    """The workspace's schema version (0 for an empty store)."""
    if not has_table(con, "meta"):
        return 0
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def check_version(con: duckdb.DuckDBPyConnection, where: str) -> int:
    found = stored_version(con)
    if found > latest_version():
        raise DataError(
            f"{where}: workspace schema version {found} is newer than this Seamline "
            f"understands ({latest_version()}); upgrade seamline to open it"
        )
    return found


def migrate(con: duckdb.DuckDBPyConnection, where: str = "workspace") -> list[int]:
    """Apply the migrations the workspace lacks, in order; returns the versions applied.
    The caller runs it inside a transaction so a failed step leaves the old version."""
    found = check_version(con, where)
    todo = [m for m in MIGRATIONS if m.version > found]
    for m in todo:
        m.apply(con)
    if todo:
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(todo[-1].version)]
        )
        now = datetime.now(UTC)
        con.executemany(
            "INSERT OR REPLACE INTO schema_migrations VALUES (?, ?, ?)",
            [[m.version, now, m.doc] for m in todo],
        )
    return [m.version for m in todo]
