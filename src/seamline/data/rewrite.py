"""Crash-safe rewrite of the workspace file, so deleted values leave no bytes behind.

DuckDB reuses freed blocks but does not wipe them, so erased values could linger in the
file after CHECKPOINT. A rewrite copies the live rows into ``seamline.duckdb.compact`` and
swaps it in with one atomic rename. Erasure creates the marker ``seamline.duckdb.rewrite``
*before* it deletes anything and removes it only after the swap, holding an exclusive lock
on it meanwhile. A process killed anywhere in between leaves the marker (or a stray
``.compact`` from older versions) unlocked: the next open of the workspace sees it and
redoes the rewrite from the live rows, so an interrupted erasure always finishes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from seamline.errors import WorkspaceBusyError

try:
    import fcntl
except ImportError:  # not POSIX: the marker still makes a rewrite finish, without the lock
    fcntl = None  # type: ignore[assignment]

DB_FILE = "seamline.duckdb"  # re-exported as `store.DB_FILE` (store imports this module)
MARKER = DB_FILE + ".rewrite"
FRESH = DB_FILE + ".compact"
_HELD: set[Path] = set()  # folders whose marker this process holds (not to recover them)


def _quote(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


@contextmanager
def rewrite_guard(folder: Path) -> Iterator[None]:
    """Hold the rewrite marker of `folder` (created if absent) with an exclusive lock.

    The marker stays after the block; only `compact` removes it, once the file is rewritten.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / MARKER, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise WorkspaceBusyError(
                f"workspace {folder} is busy: another seamline process (pid {pid}) holds it "
                "(an erasure or re-keying is rewriting its file); retry later"
            ) from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        os.fsync(fd)
        _HELD.add(folder.resolve())
        yield
    finally:
        _HELD.discard(folder.resolve())
        os.close(fd)  # also releases the lock


def abandon_rewrite(folder: Path) -> None:
    """Drop the marker of a rewrite that turned out unneeded (nothing was deleted)."""
    (folder / MARKER).unlink(missing_ok=True)


def compact(folder: Path) -> None:
    """Rewrite `folder`'s DuckDB file from its live rows (call inside `rewrite_guard`, with
    every connection to the file closed); removes the rewrite marker when done."""
    db, fresh = folder / DB_FILE, folder / FRESH
    for stray in (fresh, folder / (FRESH + ".wal")):
        stray.unlink(missing_ok=True)  # an earlier, interrupted copy
    if db.exists():
        con = duckdb.connect()
        try:
            # Spill (if ever) inside the workspace, not into the current directory.
            con.execute(f"SET temp_directory = {_quote(folder / 'tmp')}")
            con.execute(f"ATTACH {_quote(db)} AS old")
            con.execute("CHECKPOINT old")  # fold the write-ahead log in before copying
            con.execute(f"ATTACH {_quote(fresh)} AS fresh")
            con.execute("COPY FROM DATABASE old TO fresh")
            con.execute("DETACH fresh")
            con.execute("DETACH old")
        finally:
            con.close()
        os.replace(fresh, db)
        (folder / (DB_FILE + ".wal")).unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)


def finish_interrupted_rewrite(folder: Path) -> bool:
    """Complete a rewrite that a killed process left half done; True when one was."""
    if not (folder / MARKER).exists() and not (folder / FRESH).exists():
        return False
    if folder.resolve() in _HELD:
        return False
    with rewrite_guard(folder):
        compact(folder)
    return True
