"""Keyed pseudonyms of user ids: HMAC-SHA256 with a secret key that never enters the workspace.

The key comes from ``SEAMLINE_ID_KEY`` (one key, or several joined by commas, oldest first)
or from a key file (``SEAMLINE_ID_KEY_FILE`` or an explicit path: one key per line, oldest
first). A pseudonym is ``u_`` + 32 hex digits of ``HMAC(key, id)``; with several keys the
HMACs chain (``HMAC(k2, HMAC(k1, id))``). Rotation appends a key and re-keys every stored
pseudonym with it, so history stays joined without the raw ids; from then on every key of
the ring is needed to pseudonymise a new raw id, and the newest key alone guards the ids
(an old key that leaked no longer yields stored pseudonyms).

The workspace records only a fingerprint of the ring (an HMAC of a fixed label), so an
ingest with a different key is refused rather than splitting a user in two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from seamline.errors import ConfigError

ENV_KEY = "SEAMLINE_ID_KEY"
ENV_KEY_FILE = "SEAMLINE_ID_KEY_FILE"
PREFIX = "u_"
PSEUDONYM = re.compile(r"u_[0-9a-f]{32}")
MIN_KEY_BYTES = 16


def _step(key: bytes, value: str) -> str:
    return PREFIX + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class KeyRing:
    """The ordered secret keys (oldest first)."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigError("a key ring needs at least one key")
        for k in self.keys:
            if len(k) < MIN_KEY_BYTES:
                raise ConfigError(
                    f"id key too short ({len(k)} bytes); use at least {MIN_KEY_BYTES} "
                    "(e.g. `seamline privacy keygen --out FILE`)"
                )

    @classmethod
    def from_text(cls, text: str, origin: str) -> KeyRing:
        parts = [p.strip() for p in re.split(r"[,\n]", text) if p.strip()]
        if not parts:
            raise ConfigError(f"{origin}: holds no key")
        return cls(tuple(p.encode("utf-8") for p in parts))

    @classmethod
    def load(cls, key_file: str | Path | None = None) -> KeyRing:
        """The ring from `key_file`, else ``$SEAMLINE_ID_KEY_FILE``, else ``$SEAMLINE_ID_KEY``."""
        path = key_file or os.environ.get(ENV_KEY_FILE)
        if path:
            p = Path(path)
            if not p.is_file():
                raise ConfigError(f"id key file {p} does not exist")
            return cls.from_text(p.read_text(encoding="utf-8"), str(p))
        env = os.environ.get(ENV_KEY)
        if env:
            return cls.from_text(env, f"${ENV_KEY}")
        raise ConfigError(
            f"no id key: set {ENV_KEY} or {ENV_KEY_FILE}, or pass --key-file "
            "(create one with `seamline privacy keygen --out FILE`); keys are never stored "
            "in the workspace"
        )

    def pseudonym(self, raw_id: str) -> str:
        value = raw_id
        for k in self.keys:
            value = _step(k, value)
        return value

    def rekey(self, stored: str) -> str:
        """What a pseudonym made with all keys but the newest becomes under the newest."""
        return _step(self.keys[-1], stored)

    def without_newest(self) -> KeyRing:
        return KeyRing(self.keys[:-1])

    def derive(self, purpose: str, value: str) -> str:
        """A keyed digest of `value` for another purpose (audit, partner ids): not joinable
        with the stored pseudonyms."""
        return hmac.new(self.keys[-1], f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[
            :32
        ]

    @property
    def fingerprint(self) -> str:
        return self.derive("seamline-fingerprint", "|".join(str(i) for i in range(len(self.keys))))


def new_key() -> str:
    """A fresh random key (64 hex characters, 256 bits)."""
    return secrets.token_hex(32)


def write_key_file(path: str | Path, *, append: bool = False) -> Path:
    """Create a key file with one new key (or append a key to an existing ring for rotation)."""
    p = Path(path)
    if p.exists() and not append:
        raise ConfigError(f"{p} exists; refusing to overwrite a key (use rotation to add one)")
    text = p.read_text(encoding="utf-8") if p.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    p.write_text(text + new_key() + "\n", encoding="utf-8")
    p.chmod(0o600)
    return p
