"""The workspace: a folder with one DuckDB file plus outputs; the library's front door.

The CLI, the REST service and the pipeline all go through this class, so the library API
mirrors the CLI: ``Workspace(path).ingest(events=..., items=..., users=...)``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from seamline.data import readers, store
from seamline.data.cleaning import resolve_columns
from seamline.data.csvscan import check_encoding
from seamline.data.datasets import SourceTables, load_dataset
from seamline.data.ingest import IngestSummary, ingest_source, stage, store_staged
from seamline.data.mapping import Mapping
from seamline.engine import EngineConfig, open_engine
from seamline.engine.stage import spark_stage
from seamline.errors import ConfigError
from seamline.pii.policy import PrivacyOptions
from seamline.progress import Progress

log = logging.getLogger(__name__)

DEFAULT_WORKSPACE = Path("seamline-workspace")
WAIT_ENV = "SEAMLINE_WAIT"  # default seconds to wait for a busy workspace (else 0)


def _env_wait() -> float:
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return 0.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"{WAIT_ENV}={text!r}: expected a number of seconds >= 0")
    return seconds


class Workspace:
    """A folder holding `seamline.duckdb` and the outputs of every stage."""

    def __init__(
        self,
        path: str | Path = DEFAULT_WORKSPACE,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        privacy: PrivacyOptions | None = None,
        wait: float | None = None,
    ) -> None:
        self.path = Path(path)
        # Seconds to keep retrying while another process holds the store, then fail with
        # WorkspaceBusyError (one line naming the holder's pid).
        self.wait = wait if wait is not None else _env_wait()
        self.memory_limit = memory_limit
        self.threads = threads
        # PII policy and id pseudonymisation for ingests through this object; the
        # workspace also remembers them, so later ingests apply them unasked.
        self.privacy = privacy

    @property
    def db_path(self) -> Path:
        return self.path / store.DB_FILE

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.db_path.exists():
            read_only = False  # first use: create the empty store
        con = store.connect(
            self.path,
            read_only=read_only,
            memory_limit=self.memory_limit,
            threads=self.threads,
            wait=self.wait,
        )
        try:
            yield con
        finally:
            con.close()

    def ingest(
        self,
        *,
        events: str | Path | None = None,
        items: str | Path | None = None,
        users: str | Path | None = None,
        mapping: Mapping | str | Path | None = None,
        progress: Progress | None = None,
        encoding: str | None = None,
        engine: EngineConfig | None = None,
    ) -> IngestSummary:
        """Ingest files (CSV, TSV, Parquet, JSON Lines) into the workspace.

        `engine` (Spark) runs each file's validation and cleaning there; reading the files
        and storing the accepted rows stay in the workspace (`engine.stage`).

        All files of one call are stored in one transaction: if any of them cannot be read,
        nothing of the call is stored. `encoding` is the text encoding of CSV/TSV files that
        are not UTF-8 (a mapping's per-table `encoding` wins for its table)."""
        m = mapping if isinstance(mapping, Mapping) else Mapping.load(mapping)
        check_encoding(encoding)
        files = {
            t: readers.check_file(f)  # before the store is opened: a typo creates nothing
            for t, f in {"items": items, "users": users, "events": events}.items()
            if f is not None
        }
        summary = IngestSummary()
        sources: dict[str, readers.Source] = {}
        with self.connect() as con:
            try:
                # Open (and check) every file before storing anything: a missing required
                # column in the users file should not leave the events half-loaded.
                for t, f in files.items():
                    tm = m.for_table(t)
                    sources[t] = readers.open_file(con, f, tm.delimiter, tm.encoding or encoding)
                for table, source in sources.items():
                    resolve_columns(table, source, m.for_table(table))
                with open_engine(engine, con, self.path) as eng:
                    build = None if eng.name == "duckdb" else spark_stage(eng)  # type: ignore[arg-type]
                    staged = [
                        stage(
                            con,
                            t,
                            s,
                            m.for_table(t),
                            progress=progress,
                            privacy=self.privacy,
                            build=build,
                        )
                        for t, s in sources.items()
                    ]
                with store.transaction(con):
                    for st in staged:
                        summary.parts.append(store_staged(con, st, progress=progress))
            finally:
                for source in sources.values():
                    source.cleanup()
        return summary

    def ingest_source(
        self,
        source: SourceTables,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Ingest tables produced by a dataset adapter (or any pyarrow tables), all of them
        in one transaction."""
        summary = IngestSummary()
        tables = source.tables()
        with self.connect() as con:
            staged = []
            for table in ("items", "users", "events"):
                data = tables.get(table)
                if data is None:
                    continue
                src = readers.arrow_source(con, table, data, f"{source.name}:{table}")
                tm = source.mapping.for_table(table)
                staged.append(stage(con, table, src, tm, progress=progress, privacy=self.privacy))
            with store.transaction(con):
                for st in staged:
                    summary.parts.append(store_staged(con, st, progress=progress))
        return summary

    def ingest_dataset(
        self,
        name: str,
        path: str | Path,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Ingest a public dataset by name (see `seamline.data.datasets.ADAPTERS`)."""
        return self.ingest_source(load_dataset(name, path), progress=progress)

    def ingest_rows(
        self,
        records: list[Any],
        source_name: str,
        *,
        table: str = "events",
        max_extra_keys: int | None = None,
    ) -> IngestSummary:
        """Ingest in-memory records (dicts with canonical or aliased column names), e.g. a
        batch posted to the REST service, under the same rules as files: each bad record
        is a reject naming its position (`line`, from 1) and column; a record that is not
        an object is a `malformed_line` reject; the rest go in with one transaction. Other
        keys are kept in `attrs`; more than `max_extra_keys` distinct ones refuse the
        batch (`TooLargeError`) before anything is stored."""
        from seamline.data.columns import TABLES
        from seamline.data.records import as_text, record_columns
        from seamline.errors import DataError

        if table not in TABLES:
            raise DataError(
                f"{source_name}: unknown table {table!r}; allowed: events, items, users"
            )
        summary = IngestSummary()
        if not records:
            return summary
        data = record_columns(records, table, label=source_name, max_extra_keys=max_extra_keys)
        m = Mapping()
        with self.connect() as con:
            src = readers.arrow_source(con, table, data, source_name)
            # Non-objects keep their position, so later records keep theirs (1-based).
            src.malformed = [
                readers.Malformed(
                    line=i + 1,
                    reason="malformed_line",
                    text=as_text(r) or "",
                    message=f"record {i + 1} is not a JSON object",
                )
                for i, r in enumerate(records)
                if not isinstance(r, dict)
            ]
            resolve_columns(table, src, m.for_table(table))
            summary.parts.append(ingest_source(con, table, src, m.for_table(table)))
        return summary

    def quality(self) -> dict[str, Any]:
        """Data-quality summary of what the workspace holds."""
        from seamline.data.quality import quality_summary

        with self.connect(read_only=True) as con:
            return quality_summary(con)
