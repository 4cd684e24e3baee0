"""The store's transaction helper: all statements land together or none do."""

from __future__ import annotations

import pytest

from seamline.data.store import transaction


def test_transaction_commits_or_rolls_back(store) -> None:  # type: ignore[no-untyped-def]
    with store.ws.connect() as con:
        with transaction(con):
            con.execute("INSERT INTO meta VALUES ('probe', 'kept')")
        with pytest.raises(ZeroDivisionError), transaction(con):
            con.execute("INSERT INTO meta VALUES ('probe2', 'lost')")
            _ = 1 / 0
    assert store.query("SELECT value FROM meta WHERE key LIKE 'probe%'") == [("kept",)]


def test_session_settings_reach_a_cursor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Cursors (the service's connections) start from DuckDB's defaults, not the parent's."""
    from seamline.data import store as store_mod

    con = store_mod.connect(tmp_path / "ws")
    try:
        cur = con.cursor()
        cur.execute("SET TimeZone = 'Asia/Shanghai'")
        cur.execute("SET enable_progress_bar = true")
        store_mod.session(cur)
        got = cur.execute(
            "SELECT current_setting('TimeZone'), current_setting('enable_progress_bar')"
        ).fetchall()
    finally:
        con.close()
    assert got == [("UTC", False)]
