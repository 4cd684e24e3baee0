"""Tombstones of erased users: a keyed digest per user, never the id itself.

Erasure records the digest of the id it was given and of the id the workspace stores (the
pseudonym, when ids are pseudonymised). Ingest rejects rows of a tombstoned user with
reason ``erased_user``, so re-ingesting an old export does not bring them back. The digest
is SHA-256 of a random per-workspace key (in `meta`) and the id: a tombstone list alone
does not reveal who was erased.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from seamline.data import schema

if TYPE_CHECKING:
    import duckdb

TABLE = "erased_users"  # declared in data.schema
META_KEY = "privacy.tombstone_key"
REASON = "erased_user"


def _key(con: duckdb.DuckDBPyConnection, *, create: bool) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchone()
    if row is not None:
        return str(row[0])
    if not create:
        return None
    key = secrets.token_hex(32)
    con.execute("INSERT INTO meta VALUES (?, ?)", [META_KEY, key])
    return key


def _digest_sql(column: str) -> str:
    """SQL: the tombstone digest of text `column` (the key is the first parameter)."""
    return f"sha256(? || ':' || {column})"


def record_erased(con: duckdb.DuckDBPyConnection, user_ids: Iterable[str]) -> None:
    """Add tombstones for `user_ids` (inside the erasure's transaction)."""
    schema.ensure(con, TABLE)
    key = _key(con, create=True)
    for uid in dict.fromkeys(user_ids):
        con.execute(
            f"INSERT OR IGNORE INTO erased_users SELECT {_digest_sql('?')}, ?",
            [key, uid, datetime.now(UTC)],
        )


def was_erased(con: duckdb.DuckDBPyConnection, user_id: str) -> bool:
    key = _key(con, create=False)
    if key is None or not schema.has_table(con, TABLE):
        return False
    row = con.execute(
        f"SELECT count(*) FROM erased_users WHERE digest = {_digest_sql('?')}", [key, user_id]
    ).fetchone()
    return bool(row and row[0])


def reject_erased(con: duckdb.DuckDBPyConnection, user_column: str | None) -> None:
    """Turn the ingest `stage` rows of tombstoned users into ``erased_user`` rejects.

    The reject keeps where (line, column), not what: its value and raw row are withheld,
    so no byte of an erased user returns. The raw row keeps the row's line breaks, which
    place the later rows on their file lines.
    """
    key = _key(con, create=False)
    if key is None or not schema.has_table(con, TABLE):
        return
    # Digests of the distinct ids only: users are far fewer than events.
    texts = [
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'stage' "
            "AND data_type = 'VARCHAR' AND column_name NOT LIKE 'reject\\_%' ESCAPE '\\' "
            "AND column_name NOT LIKE '\\_\\_%' ESCAPE '\\'"
        ).fetchall()
    ]
    breaks = " + ".join(
        f'coalesce(length("{c}") - length(replace("{c}", chr(10), \'\')), 0)' for c in texts
    )
    con.execute(
        f"UPDATE stage SET reject_reason = '{REASON}', reject_column = ?, "
        "reject_value = '[withheld: erased user]', "
        f"reject_raw = json_object('withheld', 'erased user', 'breaks', repeat(chr(10), {breaks})) "
        "WHERE user_id IN (SELECT u FROM (SELECT DISTINCT user_id AS u FROM stage "
        f"WHERE user_id IS NOT NULL) WHERE {_digest_sql('u')} IN "
        "(SELECT digest FROM erased_users))",
        [user_column or "user_id", key],
    )
