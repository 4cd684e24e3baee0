"""API keys: stored hashed, scoped, revocable, and the CLI prints a new key once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seamline.api.keys import KEYS_FILE, KeyStore
from seamline.cli.main import app
from seamline.errors import ConfigError, DataError


def test_created_key_verifies_and_is_stored_only_hashed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    record, token = store.create(["read", "ingest"], name="app")
    assert store.verify(token) == record
    text = (tmp_path / KEYS_FILE).read_text()
    secret = token.split("_", 2)[2]
    assert secret not in text  # only a salted digest is kept
    assert json.loads(text)["keys"][0]["scopes"] == ["read", "ingest"]
    assert (tmp_path / KEYS_FILE).stat().st_mode & 0o077 == 0  # owner-only file


def test_wrong_secret_malformed_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    _, token = store.create(["read"])
    prefix, key_id, secret = token.split("_", 2)
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert store.verify(f"{prefix}_{key_id}_{flipped}") is None
    assert store.verify(f"{prefix}_ffffffffffff_{secret}") is None
    assert store.verify("not-a-key") is None
    assert store.verify("") is None


def test_scopes_admin_implies_all(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    read, _ = store.create(["read"])
    admin, _ = store.create(["admin"])
    assert read.allows("read") and not read.allows("ingest") and not read.allows("admin")
    assert all(admin.allows(s) for s in ("read", "ingest", "assign", "admin"))
    with pytest.raises(ConfigError, match="allowed: read, ingest, assign, admin"):
        store.create(["write"])
    with pytest.raises(ConfigError):
        store.create([])


def test_revoke_takes_effect_for_a_running_store(tmp_path: Path) -> None:
    server_side = KeyStore(tmp_path)  # as the service holds it
    record, token = KeyStore(tmp_path).create(["read"])
    assert server_side.verify(token) is not None
    KeyStore(tmp_path).revoke(record.key_id)  # another process (the CLI) revokes
    assert server_side.verify(token) is None
    with pytest.raises(DataError, match="no API key"):
        server_side.revoke("000000000000")


def test_cli_create_prints_the_key_alone_on_the_last_line(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["keys", "create", "--workspace", str(tmp_path), "--scope", "read"])
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[-1]
    assert KeyStore(tmp_path).verify(token) is not None

    listed = runner.invoke(app, ["keys", "list", "--workspace", str(tmp_path), "--json"])
    rows = json.loads(listed.stdout)
    assert [r["scopes"] for r in rows] == [["read"]]
    assert token not in listed.stdout

    key_id = rows[0]["key_id"]
    res = runner.invoke(app, ["keys", "revoke", key_id, "--workspace", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert KeyStore(tmp_path).verify(token) is None

    bad = runner.invoke(app, ["keys", "create", "--workspace", str(tmp_path), "--scope", "root"])
    assert bad.exit_code == 2
    assert "unknown scope 'root'" in bad.stderr


def test_cli_creates_an_assign_key_that_assigns_and_reads_nothing(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["keys", "create", "--workspace", str(tmp_path), "--scope", "assign", "--json"]
    )
    assert res.exit_code == 0, res.output
    key = KeyStore(tmp_path).verify(json.loads(res.stdout)["key"])
    assert key is not None and key.scopes == ("assign",)
    assert key.allows("assign") and not key.allows("read") and not key.allows("ingest")
