"""Read functions of the privacy stage: its settings, the DP ledger, the audit log and what
the PII policy caught, for the report and the shells (no SQL against its tables elsewhere).

Each takes an open connection, so a reader can take several in one read-only session;
none creates a table, so they work on read-only and older workspaces.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from seamline.data.schema import has_table

if TYPE_CHECKING:
    import duckdb


def settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The workspace's `meta` entries (id key fingerprint, PII policy, epsilon total...)."""
    return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()}


def pii_rejects(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows the PII policy rejected, per reason (`pii_<kind>`)."""
    return [
        {"reason": r[0], "rows": int(r[1])}
        for r in con.execute(
            "SELECT reason, count(*) FROM rejects WHERE reason LIKE 'pii_%' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    ]


def ledger(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The DP budget ledger, oldest first: spent_at, query, epsilon, detail."""
    if not has_table(con, "privacy_budget"):
        return []
    return [
        {"spent_at": r[0], "query": r[1], "epsilon": r[2], "detail": json.loads(r[3])}
        for r in con.execute(
            "SELECT spent_at, query, epsilon, detail::VARCHAR FROM privacy_budget ORDER BY spent_at"
        ).fetchall()
    ]


def audit_log(
    con: duckdb.DuckDBPyConnection, *, newest_first: bool = False, limit: int | None = None
) -> list[dict[str, Any]]:
    """Entries of the audit log (erasures, exports; subjects by digest only)."""
    if not has_table(con, "privacy_audit"):
        return []
    order = "DESC" if newest_first else ""
    cap = f" LIMIT {int(limit)}" if limit is not None else ""
    return [
        {"logged_at": r[0], "action": r[1], "subject": r[2], "detail": json.loads(r[3])}
        for r in con.execute(
            "SELECT logged_at, action, subject, detail::VARCHAR FROM privacy_audit "
            f"ORDER BY logged_at {order}{cap}"
        ).fetchall()
    ]
