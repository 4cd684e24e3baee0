"""A workspace in a temporary folder with shortcuts to write files, ingest and query."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from seamline.data.ingest import IngestSummary
from seamline.workspace import Workspace

EVENTS_HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,quantity,rating"


class Store:
    """A workspace in a temporary folder, with shortcuts to ingest and to query it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ws = Workspace(folder / "ws")

    def write(self, name: str, text: str | bytes) -> Path:
        """Write `text` to `name` in the test folder (gzipped when the name ends .gz)."""
        path = self.folder / name
        data = text.encode("utf-8") if isinstance(text, str) else text
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    def ingest(self, **kwargs: Any) -> IngestSummary:
        return self.ws.ingest(**kwargs)

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.ws.connect() as con:
            return con.execute(sql, params or []).fetchall()

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def rejects(self) -> list[tuple[int, str, str]]:
        """(line, column, reason) of every stored reject, in file-line order."""
        return [
            (int(r[0]), r[1], r[2])
            for r in self.query("SELECT line, column_name, reason FROM rejects ORDER BY file, line")
        ]

    def reject_raw(self) -> dict[int, dict[str, Any]]:
        """The raw row kept with each reject, by file line."""
        return {
            int(r[0]): json.loads(r[1])
            for r in self.query("SELECT line, raw FROM rejects ORDER BY line")
        }
