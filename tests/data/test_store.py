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
