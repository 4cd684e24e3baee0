"""API keys: scoped, stored hashed, in a JSON file beside the workspace's store.

The file (not the DuckDB store) holds the keys so `seamline keys create` works while the
service holds the store open; the service re-reads it when it changes. A key is
``sl_<key_id>_<secret>``: the id finds the record, the secret is checked against a salted
SHA-256 digest with a constant-time compare. The secret itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seamline.errors import ConfigError, DataError

KEYS_FILE = "api_keys.json"
SCOPES: tuple[str, ...] = ("read", "ingest", "assign", "admin")
PREFIX = "sl"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    scopes: tuple[str, ...]
    salt: str
    digest: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """`admin` implies every scope."""
        return scope in self.scopes or "admin" in self.scopes

    def public(self) -> dict[str, Any]:
        """What listings show: never the salt or digest."""
        return {
            "key_id": self.key_id,
            "name": self.name,
            "scopes": list(self.scopes),
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if not scopes:
        raise ConfigError(f"give at least one scope; allowed: {', '.join(SCOPES)}")
    bad = [s for s in scopes if s not in SCOPES]
    if bad:
        raise ConfigError(f"unknown scope {bad[0]!r}; allowed: {', '.join(SCOPES)}")
    return tuple(dict.fromkeys(scopes))


class KeyStore:
    """The key file of one workspace; safe to share between threads of the service."""

    def __init__(self, workspace: str | Path) -> None:
        self.path = Path(workspace) / KEYS_FILE
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}

    # --- file ---------------------------------------------------------------------------
    def _read(self) -> dict[str, ApiKey]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise DataError(f"{self.path}: cannot read the API key file ({e})") from e
        keys = {}
        for k in data.get("keys", []):
            k["scopes"] = tuple(k["scopes"])
            keys[k["key_id"]] = ApiKey(**k)
        return keys

    def _write(self, keys: dict[str, ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = {"keys": [{**asdict(k), "scopes": list(k.scopes)} for k in keys.values()]}
        # Owner-only file, replaced atomically: a reader sees the old or the new list.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _current(self) -> dict[str, ApiKey]:
        """The keys, re-read only when the file changed (one stat per call)."""
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._keys = self._read() if stamp else {}
                self._stamp = stamp
            return self._keys

    # --- management ---------------------------------------------------------------------
    def create(self, scopes: list[str] | tuple[str, ...], name: str = "") -> tuple[ApiKey, str]:
        """A new key; returns its record and the full key (shown once, never stored)."""
        scopes = check_scopes(scopes)
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        salt = secrets.token_hex(16)
        record = ApiKey(
            key_id=key_id,
            name=name,
            scopes=scopes,
            salt=salt,
            digest=_digest(salt, secret),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        keys = dict(self._read())
        keys[key_id] = record
        self._write(keys)
        return record, f"{PREFIX}_{key_id}_{secret}"

    def revoke(self, key_id: str) -> ApiKey:
        keys = dict(self._read())
        if key_id.startswith(f"{PREFIX}_"):  # the whole key was given: take its id
            key_id = key_id.split("_")[1]
        if key_id not in keys:
            raise DataError(
                f"no API key {key_id!r} in {self.path}; see `seamline keys list` for key ids"
            )
        old = keys[key_id]
        if old.active:
            keys[key_id] = ApiKey(
                **{**asdict(old), "revoked_at": datetime.now(UTC).isoformat(timespec="seconds")}
            )
            self._write(keys)
        return keys[key_id]

    def list(self) -> list[ApiKey]:
        return sorted(self._read().values(), key=lambda k: (k.created_at, k.key_id))

    # --- checking -----------------------------------------------------------------------
    def verify(self, token: str) -> ApiKey | None:
        """The active key `token` names, or None (unknown, malformed, wrong or revoked)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            return None
        record = self._current().get(parts[1])
        if record is None or not record.active:
            return None
        if not hmac.compare_digest(record.digest, _digest(record.salt, parts[2])):
            return None
        return record
