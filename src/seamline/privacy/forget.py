"""Erasure: remove one user from every table of the workspace, start a new privacy epoch
(fitted models then need a refit), rewrite the DuckDB file so no deleted bytes remain, and
log an audit entry without the id.

"Every table" is found, not listed: any base table with a `user_id` column (events, users,
bot flags, features and their versions, segments, exposures, whatever later stages add),
plus reject rows whose kept value or raw row holds the id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from seamline.data import schema
from seamline.data.erased import record_erased, was_erased
from seamline.data.rewrite import abandon_rewrite, compact, rewrite_guard
from seamline.data.store import transaction
from seamline.data.versions import bump_data_version
from seamline.errors import DataError
from seamline.pii.keyring import PSEUDONYM, KeyRing
from seamline.pii.policy import META_KEY
from seamline.privacy import repo
from seamline.privacy._tables import user_id_tables

if TYPE_CHECKING:
    from seamline.data.store import WorkspaceHandle as Workspace

log = logging.getLogger(__name__)


def audit_subject(user_id: str, keyring: KeyRing | None) -> str:
    """How the audit log names a user: a keyed digest when a key is at hand (verifiable by
    whoever holds the key), else a salted SHA-256 (verifiable given the id)."""
    if keyring is not None:
        return "hmac:" + keyring.derive("audit", user_id)
    salt = secrets.token_hex(8)
    return f"sha256:{salt}:" + hashlib.sha256((salt + user_id).encode()).hexdigest()


def record_audit(
    con: duckdb.DuckDBPyConnection, action: str, subject: str, detail: dict[str, Any]
) -> None:
    schema.ensure(con, "privacy_audit")
    con.execute(
        "INSERT INTO privacy_audit VALUES (?, ?, ?, ?::JSON)",
        [datetime.now(UTC), action, subject, json.dumps(detail, sort_keys=True)],
    )


def _stored_id(con: duckdb.DuckDBPyConnection, user_id: str, keyring: KeyRing | None) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchone()
    if row is None or PSEUDONYM.fullmatch(user_id):
        return user_id
    ring = keyring or KeyRing.load()
    if ring.fingerprint != row[0]:
        raise DataError("the id key given does not match the key this workspace was built with")
    return ring.pseudonym(user_id)


def _reject_rows(con: duckdb.DuckDBPyConnection, stored: str) -> list[int]:
    """Reject rows whose value, or a value of whose raw row, is the id (after trimming)."""
    rows = con.execute(
        "SELECT rowid, value, raw::VARCHAR FROM rejects WHERE contains(value, ?) "
        "OR contains(raw::VARCHAR, ?)",
        [stored, json.dumps(stored)[1:-1]],
    ).fetchall()
    hits = []
    for rowid, value, raw in rows:
        values = [value]
        obj = json.loads(raw) if raw else None
        if isinstance(obj, dict):
            values += list(obj.values())
        if any(isinstance(v, str) and v.strip() == stored for v in values):
            hits.append(int(rowid))
    return hits


def forget_user(
    ws: Workspace,
    user_id: str,
    *,
    keyring: KeyRing | None = None,
    compact_file: bool = True,
) -> dict[str, int]:
    """Remove `user_id` (a raw id, or its pseudonym) everywhere; rows removed per table.

    Idempotent: a user erased before (found by tombstone) gives no rows and no error, and
    a rewrite that a killed erasure left unfinished is completed when the workspace opens.
    Raises DataError when the workspace never held the user (so a typo is not mistaken for
    an erasure); the audit entry names the user only by a digest.
    """
    uid = user_id.strip()
    if not uid:
        raise DataError("forget: the user id is empty")
    with ws.connect() as con:  # opening finishes an interrupted rewrite first
        stored = _stored_id(con, uid, keyring)
    # The rewrite marker exists before anything is deleted, so a kill at any point after
    # leaves a workspace that completes the rewrite when next opened.
    with rewrite_guard(ws.path) if compact_file else nullcontext():
        try:
            removed = _delete(ws, uid, stored, keyring)
        except DataError:
            abandon_rewrite(ws.path)  # nothing was deleted: no rewrite needed
            raise
        if compact_file and removed:
            compact(ws.path)
        elif compact_file:
            abandon_rewrite(ws.path)
    log.info("forgot a user: %s", removed)
    return removed


def _delete(ws: Workspace, uid: str, stored: str, keyring: KeyRing | None) -> dict[str, int]:
    removed: dict[str, int] = {}
    with ws.connect() as con, transaction(con):
        for t in user_id_tables(con):
            row = con.execute(f'DELETE FROM "{t}" WHERE user_id = ?', [stored]).fetchone()
            if row and row[0]:
                removed[t] = int(row[0])
        hits = _reject_rows(con, stored)
        if hits:
            con.execute("DELETE FROM rejects WHERE rowid IN (SELECT unnest(?::BIGINT[]))", [hits])
            removed["rejects"] = len(hits)
        if removed:
            record_erased(con, {uid, stored})
            # Fitted models still hold the user: the model store refuses them until refit.
            bump_data_version(con, privacy_reason="a user was erased (seamline forget)")
        elif not (was_erased(con, stored) or was_erased(con, uid)):
            raise DataError(
                f"forget: no table holds user {uid!r}"
                + (" (ids are pseudonymised; give the raw id)" if stored != uid else "")
            )
        record_audit(
            con,
            "forget",
            audit_subject(uid, keyring),
            {"rows_removed": removed, "repeat": not removed},
        )
    return removed


def audit_log(ws: Workspace) -> list[dict[str, Any]]:
    """Entries of `privacy_audit`, oldest first."""
    with ws.connect() as con:
        schema.ensure(con, "privacy_audit")
        rows = repo.audit_log(con)
    return [{**r, "logged_at": str(r["logged_at"])} for r in rows]
