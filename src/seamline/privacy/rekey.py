"""Re-keying stored user ids: pseudonymise a workspace that holds raw ids, or rotate the key.

Both rewrite every `user_id` column of every table in one transaction, plus the ids inside
kept reject rows, so history (events, features, segments, exposures) stays joined.
Fitted models hold the old ids in their files: a new privacy epoch makes the model store
refuse them until they are refitted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from seamline.data.rewrite import compact as rewrite_file
from seamline.data.rewrite import rewrite_guard
from seamline.data.store import register_udf, transaction
from seamline.data.versions import bump_data_version
from seamline.errors import ConfigError
from seamline.pii.keyring import PSEUDONYM, KeyRing
from seamline.pii.policy import META_KEY
from seamline.privacy._tables import meta_value, user_id_tables

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import WorkspaceHandle as Workspace

log = logging.getLogger(__name__)
REKEY_UDF = "seamline_rekey"


def _rewrite(
    con: duckdb.DuckDBPyConnection,
    fn: Callable[[str], str],
    raw_value: Callable[[object], object],
) -> dict[str, int]:
    register_udf(con, REKEY_UDF, fn)
    changed: dict[str, int] = {}
    for t in user_id_tables(con):
        row = con.execute(
            f'UPDATE "{t}" SET user_id = {REKEY_UDF}(user_id) WHERE user_id IS NOT NULL'
        ).fetchone()
        changed[t] = int(row[0]) if row else 0
    rows = con.execute("SELECT rowid, value, raw::VARCHAR FROM rejects").fetchall()
    n = 0
    for rowid, value, raw in rows:
        new_raw = None
        if raw is not None:
            obj = json.loads(raw)
            if isinstance(obj, dict):
                new_raw = json.dumps({k: raw_value(v) for k, v in obj.items()}, ensure_ascii=False)
        new_value = raw_value(value)
        if new_raw != raw or new_value != value:
            con.execute(
                "UPDATE rejects SET value = ?, raw = ?::JSON WHERE rowid = ?",
                [new_value, new_raw, rowid],
            )
            n += 1
    changed["rejects"] = n
    return changed


def _rewrite_recorded(
    con: duckdb.DuckDBPyConnection,
    keyring: KeyRing,
    new_id: Callable[[str], str],
    raw_value: Callable[[object], object],
    reason: str,
) -> dict[str, int]:
    """Rewrite every stored id, record the ring's fingerprint and start a new privacy
    epoch (fitted models hold the old ids), in one transaction."""
    with transaction(con):
        changed = _rewrite(con, new_id, raw_value)
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, keyring.fingerprint])
        bump_data_version(con, privacy_reason=reason)
    return changed


def pseudonymise_workspace(ws: Workspace, keyring: KeyRing) -> dict[str, int]:
    """Replace the raw user ids a workspace holds by pseudonyms; returns rows per table."""
    with ws.connect() as con:
        if meta_value(con, META_KEY):
            raise ConfigError("this workspace is already pseudonymised; rotate its key instead")
    # Marked before the raw ids change, so a kill mid-way still ends in a rewritten file.
    # One guard for the change and the rewrite: no other process may take the lock between.
    with rewrite_guard(ws.path):
        with ws.connect() as con:
            known = {
                str(r[0])
                for t in user_id_tables(con)
                for r in con.execute(f'SELECT DISTINCT user_id FROM "{t}"').fetchall()
                if r[0] is not None
            }

            def raw_value(v: object) -> object:
                return keyring.pseudonym(v) if isinstance(v, str) and v.strip() in known else v

            changed = _rewrite_recorded(
                con, keyring, keyring.pseudonym, raw_value, "user ids were pseudonymised"
            )
        rewrite_file(ws.path)  # the raw ids must not linger in free blocks of the file
    return changed


def rotate_key(ws: Workspace, keyring: KeyRing) -> dict[str, int]:
    """Re-key every stored pseudonym with the newest key of `keyring`.

    `keyring` is the old ring plus one new key (`seamline privacy keygen --append`);
    the workspace must currently match the old ring.
    """
    if len(keyring.keys) < 2:
        raise ConfigError("rotation needs the old key ring plus one new key (2+ keys)")
    old = keyring.without_newest()
    with ws.connect() as con:
        fp = meta_value(con, META_KEY)
        if fp is None:
            raise ConfigError("this workspace holds raw ids; pseudonymise it first")
        if fp != old.fingerprint:
            raise ConfigError(
                "the key ring without its newest key does not match this workspace's key"
            )

        def raw_value(v: object) -> object:
            if isinstance(v, str):
                return PSEUDONYM.sub(lambda m: keyring.rekey(m.group(0)), v)
            return v

        changed = _rewrite_recorded(
            con, keyring, keyring.rekey, raw_value, "the id key was rotated"
        )
    log.info("re-keyed user ids: %s", changed)
    return changed
