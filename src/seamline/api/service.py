"""The service's hold on a workspace: one DuckDB connection, one writer at a time.

DuckDB lets one process open a file read-write, and the same process cannot open it again
read-only. The service therefore opens the store once and hands every library call a
`ServiceWorkspace`, whose `connect` yields a cursor on that connection: reads run side by
side, writes (``connect()`` without ``read_only``) take the writer lock for their whole
transaction. Stage code written against `Workspace` needs no change to run in the service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from seamline.data import store
from seamline.workspace import Workspace

log = logging.getLogger(__name__)


class ServiceWorkspace(Workspace):
    """A `Workspace` whose connections are cursors on one held connection."""

    def __init__(
        self,
        path: str | Path,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
    ) -> None:
        super().__init__(path, memory_limit=memory_limit, threads=threads)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._open_lock = threading.Lock()
        self.write_lock = threading.RLock()
        self.writes = 0  # committed write sections; caches compare it to know they are stale

    def open(self) -> ServiceWorkspace:
        with self._open_lock:
            if self._con is None:
                self._con = store.connect(
                    self.path, memory_limit=self.memory_limit, threads=self.threads
                )
        return self

    def close(self) -> None:
        with self._open_lock, self.write_lock:
            if self._con is not None:
                # A checkpoint folds the write-ahead log into the file on a clean stop.
                self._con.execute("CHECKPOINT")
                self._con.close()
                self._con = None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._con is None:
            self.open()
        assert self._con is not None
        cur = self._con.cursor()
        try:
            store.session(cur)  # cursors do not inherit session settings
            if read_only:
                yield cur
            else:
                with self.write_lock:
                    yield cur
                    self.writes += 1
        finally:
            cur.close()

    def stats(self) -> dict[str, Any]:
        return {"path": str(self.path), "open": self._con is not None, "writes": self.writes}
