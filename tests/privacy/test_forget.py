"""Erasure reaches every table, the models and the bytes of the DuckDB file."""

from __future__ import annotations

import pytest

from seamline.errors import DataError, NotFittedError
from seamline.privacy.forget import forget_user
from seamline.recommend.store import load_model
from seamline.workspace import Workspace


def _file_holds(ws: Workspace, text: str) -> bool:
    return text.encode() in ws.db_path.read_bytes()


def test_forget_removes_the_user_everywhere(ws_copy: Workspace, planted: str) -> None:
    with ws_copy.connect() as con:
        con.execute("CHECKPOINT")
    # Honest precondition: before erasure the raw id is readable in the file's bytes and
    # sits in every stage's tables.
    assert _file_holds(ws_copy, planted)
    removed = forget_user(ws_copy, planted)
    for table in ("events", "users", "rejects", "user_features", "segments", "exposures"):
        assert removed.get(table, 0) >= 1, (table, removed)
    assert removed["events"] == 5
    assert not _file_holds(ws_copy, planted)
    with ws_copy.connect() as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for t in tables:
            cnt = con.execute(
                f'SELECT count(*) FROM "{t}" t WHERE contains(CAST(t AS VARCHAR), ?)', [planted]
            ).fetchone()
            assert cnt is not None and cnt[0] == 0, t
        audit = con.execute("SELECT action, subject FROM privacy_audit").fetchall()
    assert audit and audit[0][0] == "forget" and planted not in audit[0][1]


def test_models_are_refused_until_refit(ws_copy: Workspace, planted: str) -> None:
    load_model(ws_copy)  # usable before
    forget_user(ws_copy, planted, compact_file=False)
    with pytest.raises(NotFittedError, match="seamline fit"):
        load_model(ws_copy)


def test_plain_ingest_keeps_models_erasure_starts_a_new_epoch(
    ws_copy: Workspace, planted: str, tmp_path
) -> None:
    from seamline.data.versions import data_version, privacy_epoch
    from seamline.recommend.store import fit_models, list_models

    with ws_copy.connect() as con:
        v0, (e0, _) = data_version(con), privacy_epoch(con)
    users = tmp_path / "users.csv"
    users.write_text("user_id,gender\nbrand-new-user,f\n")
    ws_copy.ingest(users=users)
    load_model(ws_copy)  # an ingest alone leaves fitted models usable, as before
    with ws_copy.connect() as con:
        assert data_version(con) == v0 + 1 and privacy_epoch(con)[0] == e0
    forget_user(ws_copy, planted, compact_file=False)
    with ws_copy.connect() as con:
        assert data_version(con) == v0 + 2
        assert privacy_epoch(con) == (e0 + 1, "a user was erased (seamline forget)")
    with pytest.raises(NotFittedError, match=r"stale \(a user was erased.*seamline fit"):
        load_model(ws_copy)
    assert all(m["stale"] for m in list_models(ws_copy))
    fit_models(ws_copy, ["mostpop"])
    assert load_model(ws_copy, "mostpop").name == "mostpop"


def test_other_users_keep_their_data(ws_copy: Workspace, planted: str) -> None:
    with ws_copy.connect() as con:
        before = con.execute("SELECT count(*) FROM events").fetchone()
    forget_user(ws_copy, planted)
    with ws_copy.connect() as con:
        after = con.execute("SELECT count(*) FROM events").fetchone()
    assert before is not None and after is not None and before[0] - after[0] == 5


def test_unknown_user_is_an_error_not_a_silent_success(ws_copy: Workspace, planted: str) -> None:
    with pytest.raises(DataError, match="no table holds user"):
        forget_user(ws_copy, "nobody-here", compact_file=False)


def test_rewritten_file_keeps_keys_and_constraints(ws_copy: Workspace, tmp_path) -> None:
    forget_user(ws_copy, "U0000001")
    users = tmp_path / "users.csv"
    users.write_text("user_id,gender\nU0000002,f\nnew-user,m\n")
    s = ws_copy.ingest(users=users).to_dict()
    # Upserts still work: the primary key on users survived the rewrite.
    assert s["accepted"] + s["duplicates"] == 2
    with ws_copy.connect() as con:
        n = con.execute("SELECT count(*) FROM users WHERE user_id = 'U0000002'").fetchone()
    assert n is not None and n[0] == 1
