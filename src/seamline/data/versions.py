"""Version counters of the workspace's data, kept in `meta`.

- the *data version* grows with every change of the stored rows (ingest, erasure,
  re-keying): a reader can tell that something changed since it last looked;
- the *privacy epoch* grows only when stored users are erased or re-keyed: a fitted model
  made in an earlier epoch may hold ids that are gone, so the model store refuses it until
  it is refitted. A plain ingest leaves the epoch alone (a model fitted before it stays
  usable, as it always was).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

DATA_VERSION = "data.version"
PRIVACY_EPOCH = "data.privacy_epoch"
PRIVACY_REASON = "data.privacy_epoch_reason"


def _get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def _put(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(_get(con, DATA_VERSION) or 0)


def privacy_epoch(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """The current privacy epoch and why it last grew (None before any erasure)."""
    return int(_get(con, PRIVACY_EPOCH) or 0), _get(con, PRIVACY_REASON)


def bump_data_version(con: duckdb.DuckDBPyConnection, *, privacy_reason: str | None = None) -> int:
    """Count one change of the stored data; with `privacy_reason` (users erased or
    re-keyed) also start a new privacy epoch. Returns the new data version."""
    version = data_version(con) + 1
    _put(con, DATA_VERSION, str(version))
    if privacy_reason is not None:
        _put(con, PRIVACY_EPOCH, str(privacy_epoch(con)[0] + 1))
        _put(con, PRIVACY_REASON, privacy_reason)
    return version
