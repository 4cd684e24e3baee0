"""Keyed pseudonyms at ingest, key rotation without losing history, erasure by raw id."""

from __future__ import annotations

from pathlib import Path

import pytest

from seamline.errors import ConfigError
from seamline.pii.keyring import PSEUDONYM, KeyRing, write_key_file
from seamline.pii.policy import PrivacyOptions
from seamline.privacy.forget import forget_user
from seamline.privacy.rekey import pseudonymise_workspace, rotate_key
from seamline.workspace import Workspace

OLD = KeyRing((b"old-key-0123456789abcdef",))
ROTATED = KeyRing((b"old-key-0123456789abcdef", b"new-key-fedcba9876543210"))


def _ingest(ws: Workspace, world: Path, ring: KeyRing) -> None:
    Workspace(ws.path, privacy=PrivacyOptions(keyring=ring, pseudonymise=True)).ingest(
        events=world / "events.csv",
        items=world / "items.csv",
        users=world / "users.csv",
    )


def _per_user(ws: Workspace) -> dict[str, int]:
    with ws.connect() as con:
        rows = con.execute("SELECT user_id, count(*) FROM events GROUP BY 1").fetchall()
    return {str(u): int(n) for u, n in rows}


def test_no_raw_id_is_stored(world_dir: Path, tmp_path: Path, planted: str) -> None:
    ws = Workspace(tmp_path / "ws")
    _ingest(ws, world_dir, OLD)
    with ws.connect() as con:
        ids = {
            r[0]
            for r in con.execute(
                "SELECT user_id FROM events UNION SELECT user_id FROM users"
            ).fetchall()
        }
        con.execute("CHECKPOINT")
    assert ids and all(PSEUDONYM.fullmatch(i) for i in ids)
    assert OLD.pseudonym(planted) in ids
    # Not even the reject row of the planted user's bad event keeps the raw id.
    assert planted.encode() not in ws.db_path.read_bytes()


def test_pseudonyms_keep_user_histories(world_dir: Path, tmp_path: Path) -> None:
    raw, keyed = Workspace(tmp_path / "raw"), Workspace(tmp_path / "keyed")
    raw.ingest(events=world_dir / "events.csv")
    _ingest(keyed, world_dir, OLD)
    expected = {OLD.pseudonym(u): n for u, n in _per_user(raw).items()}
    assert _per_user(keyed) == expected


def test_rotation_rekeys_history_and_new_ingests_join_it(
    world_dir: Path, tmp_path: Path, planted: str
) -> None:
    ws = Workspace(tmp_path / "ws")
    _ingest(ws, world_dir, OLD)
    before = _per_user(ws)
    changed = rotate_key(ws, ROTATED)
    assert changed["events"] == sum(before.values())
    after = _per_user(ws)
    assert after == {ROTATED.rekey(u): n for u, n in before.items()}
    assert ROTATED.pseudonym(planted) in after
    # The old ring is now refused; the rotated ring ingests into the same histories.
    extra = tmp_path / "more.csv"
    extra.write_text(
        "event_id,user_id,item_id,domain,event_type,timestamp\n"
        f"late-1,{planted},k1,knowledge,view,2026-01-02T00:00:00Z\n"
    )
    with pytest.raises(ConfigError, match="another id key"):
        Workspace(ws.path, privacy=PrivacyOptions(keyring=OLD)).ingest(events=extra)
    Workspace(ws.path, privacy=PrivacyOptions(keyring=ROTATED)).ingest(events=extra)
    assert _per_user(ws)[ROTATED.pseudonym(planted)] == after[ROTATED.pseudonym(planted)] + 1


def test_pseudonymise_existing_workspace_then_forget_by_raw_id(
    world_dir: Path, tmp_path: Path, planted: str
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=world_dir / "events.csv", users=world_dir / "users.csv")
    with pytest.raises(ConfigError, match="already holds raw user ids"):
        Workspace(ws.path, privacy=PrivacyOptions(keyring=OLD, pseudonymise=True)).ingest(
            events=world_dir / "events.csv"
        )
    pseudonymise_workspace(ws, OLD)
    assert planted.encode() not in ws.db_path.read_bytes()
    removed = forget_user(ws, planted, keyring=OLD)
    assert removed["events"] == 5 and removed["users"] == 1 and removed["rejects"] == 1


def test_key_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEAMLINE_ID_KEY", raising=False)
    monkeypatch.delenv("SEAMLINE_ID_KEY_FILE", raising=False)
    with pytest.raises(ConfigError, match="SEAMLINE_ID_KEY"):
        KeyRing.load()
    monkeypatch.setenv("SEAMLINE_ID_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        KeyRing.load()
    f = write_key_file(tmp_path / "id.key")
    write_key_file(f, append=True)
    ring = KeyRing.load(f)
    assert len(ring.keys) == 2 and (f.stat().st_mode & 0o777) == 0o600
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        write_key_file(f)


def test_rows_posted_later_follow_the_workspace_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws", privacy=PrivacyOptions(keyring=OLD, pseudonymise=True))
    f = tmp_path / "e.csv"
    f.write_text(
        "event_id,user_id,item_id,domain,event_type,timestamp\n"
        "e1,alice,k1,knowledge,view,2026-01-02T00:00:00Z\n"
    )
    ws.ingest(events=f)
    plain = Workspace(tmp_path / "ws")  # e.g. the REST service: no options given
    row = {"user_id": "bob", "item_id": "k1", "domain": "knowledge", "event_type": "view",
           "timestamp": "2026-01-03T00:00:00Z"}  # fmt: skip
    monkeypatch.delenv("SEAMLINE_ID_KEY", raising=False)
    monkeypatch.delenv("SEAMLINE_ID_KEY_FILE", raising=False)
    with pytest.raises(ConfigError, match="no id key"):
        plain.ingest_rows([row], "api")
    monkeypatch.setenv("SEAMLINE_ID_KEY", OLD.keys[0].decode())
    plain.ingest_rows([row], "api")
    assert set(_per_user(plain)) == {OLD.pseudonym("alice"), OLD.pseudonym("bob")}


def test_an_erased_user_stays_out_after_a_key_rotation(
    world_dir: Path, tmp_path: Path, planted: str
) -> None:
    ws = Workspace(tmp_path / "ws")
    _ingest(ws, world_dir, OLD)
    assert forget_user(ws, planted, keyring=OLD)["events"] == 5
    rotate_key(ws, ROTATED)
    # The tombstone of the raw id still matches: re-ingesting the old file keeps them out.
    again = Workspace(ws.path, privacy=PrivacyOptions(keyring=ROTATED, pseudonymise=True))
    s = again.ingest(events=world_dir / "events.csv").to_dict()
    assert s["rejected_by_reason"].get("erased_user") == 6
    assert ROTATED.pseudonym(planted) not in _per_user(ws)
    with ws.connect() as con:
        con.execute("CHECKPOINT")
    assert planted.encode() not in ws.db_path.read_bytes()
