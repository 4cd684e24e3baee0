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


def test_a_function_registered_through_a_closed_cursor_stays_callable() -> None:
    """DuckDB keeps only a raw pointer to a Python function; a service registers through a
    short-lived cursor and calls from later ones (this crashed before the store kept it)."""
    import gc

    import duckdb

    from seamline.data.store import register_udf

    con = duckdb.connect()
    first = con.cursor()
    register_udf(first, "shout", lambda s: s.upper() + "!")
    first.close()
    del first
    gc.collect()
    later = con.cursor()
    register_udf(later, "shout", lambda s: s.lower())  # shared: the cursor keeps the first
    assert later.execute("SELECT shout('hi'), shout(NULL)").fetchall() == [("HI!", None)]


def test_register_udf_takes_several_arguments_and_nulls() -> None:
    import duckdb

    from seamline.data.store import register_udf

    con = duckdb.connect()
    register_udf(con, "glue", lambda a, b: (a or "-") + b, arity=2, nulls=True)
    assert con.execute("SELECT glue('a', 'b'), glue(NULL, 'b')").fetchall() == [("ab", "-b")]
