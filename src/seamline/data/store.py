"""The workspace store: one DuckDB file holding the canonical tables and the ingest log."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

import duckdb

from seamline.data import schema
from seamline.data.rewrite import DB_FILE, finish_interrupted_rewrite
from seamline.data.schema import SCHEMA_VERSION as SCHEMA_VERSION
from seamline.errors import ConfigError, WorkspaceBusyError

DEFAULT_MEMORY_LIMIT = "3GB"


class Store(Protocol):
    """What a stage needs of a workspace: its folder and connections to its store.
    `Workspace` and the service's `ServiceWorkspace` implement it."""

    @property
    def path(self) -> Path: ...

    def connect(
        self, read_only: bool = False
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...


WorkspaceHandle = Store  # the name privacy operations type against


def store_exists(ws: Store) -> bool:
    """Whether the workspace's DuckDB file exists yet (readers skip a workspace without one)."""
    return (ws.path / DB_FILE).exists()


def session(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection settings; a cursor does not inherit them, so cursors call this too."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # it writes to stdout and breaks --json


def literal(text: str) -> str:
    """`text` as a SQL string literal (for settings that take no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


_LOCK_PID = re.compile(r"\(PID (\d+)\)")
_RETRY_SECONDS = 0.2


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file; while another process holds its lock, retry for up to `wait`
    seconds, then fail with one line naming the holder."""
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            text = str(e)
            if "Could not set lock" not in text:
                raise
            if time.monotonic() >= deadline:
                found = _LOCK_PID.search(text)
                pid = f"pid {found.group(1)}" if found else "pid unknown"
                raise WorkspaceBusyError(
                    f"workspace {path.parent} is busy: another seamline process ({pid}) "
                    "holds it" + ("" if wait else "; retry later or pass --wait SECONDS")
                ) from None
            time.sleep(_RETRY_SECONDS)


def connect(
    folder: Path,
    *,
    read_only: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
    wait: float = 0.0,
) -> duckdb.DuckDBPyConnection:
    """Open (and on first use create) the workspace's DuckDB file; a writable connection
    brings an older workspace up to `SCHEMA_VERSION` (see `seamline.data.schema`).

    `wait`: seconds to keep retrying while another process holds the store.
    """
    folder.mkdir(parents=True, exist_ok=True)
    finish_interrupted_rewrite(folder)  # an erasure killed mid-way must not leave bytes
    con = _open(folder / DB_FILE, read_only, wait)
    session(con)
    # Large sorts and joins spill next to the store rather than to a shared /tmp. Settings
    # take no bound parameters, so the path goes in as a quoted literal (o'brien, ';--).
    con.execute(f"SET temp_directory = {literal((folder / 'tmp').as_posix())}")
    # DuckDB would take 80% of RAM; a bounded store spills big joins to `tmp/` instead, so
    # a 10M-event re-ingest stays within a few GiB. SEAMLINE_MEMORY_LIMIT overrides.
    limit = memory_limit or os.environ.get("SEAMLINE_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    try:
        con.execute(f"SET memory_limit = {literal(limit)}")
    except duckdb.Error as e:
        con.close()
        raise ConfigError(
            f"memory limit {limit!r} is not a size (e.g. 3GB, 512MB): {str(e).splitlines()[0]}"
        ) from e
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    try:
        found = schema.check_version(con, str(folder))
        if not read_only and found < schema.latest_version():  # read-only waits for a writer
            with transaction(con):
                schema.migrate(con, str(folder))
    except BaseException:
        con.close()
        raise
    return con


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All statements inside commit together, or none do (rolled back on any exception)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# DuckDB's catalog keeps only a raw pointer to a Python function; the connection object that
# registered it holds the reference. A service registers through a short-lived cursor and
# later cursors call the function from the shared catalog, so each registered function is
# kept here: otherwise they would call freed memory (an unrelated TypeError, or a crash).
_REGISTERED: list[Callable[..., Any]] = []


def register_udf(
    con: duckdb.DuckDBPyConnection,
    name: str,
    fn: Callable[..., str | None],
    *,
    arity: int = 1,
    nulls: bool = False,
) -> None:
    """Make the text function `fn` (`arity` text arguments) callable as `name` in SQL on
    `con`, replacing one registered earlier on it. A cursor whose connection registered
    `name` already keeps that one (a cursor cannot replace it; a service's functions are
    made from its one key). `nulls`: `fn` is called with NULLs too (else NULL in, NULL out)."""
    from duckdb.func import FunctionNullHandling
    from duckdb.sqltypes import VARCHAR

    with suppress(duckdb.InvalidInputException):  # not registered on `con` itself
        con.remove_function(name)
    handling = FunctionNullHandling.SPECIAL if nulls else FunctionNullHandling.DEFAULT
    try:
        con.create_function(name, fn, [VARCHAR] * arity, VARCHAR, null_handling=handling)
    except duckdb.CatalogException:
        return  # shared from the cursor's connection
    _REGISTERED.append(fn)
