"""Privacy options of an ingest: the PII policy per column and the id pseudonymisation key.

A workspace remembers its choices in `meta` (the policy as JSON, the key ring's
fingerprint, never the key), so every later ingest path (files, datasets, the REST
service's rows) applies them without being told again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from seamline.errors import ConfigError
from seamline.pii.keyring import KeyRing

if TYPE_CHECKING:
    import duckdb

Action = Literal["reject", "hash", "drop", "allow"]
ACTIONS: tuple[str, ...] = ("reject", "hash", "drop", "allow")
META_PII = "privacy.pii_policy"
META_KEY = "privacy.id_key_fingerprint"


def _action(value: str, where: str) -> Action:
    if value not in ACTIONS:
        raise ConfigError(f"{where}: PII action {value!r} is not one of {', '.join(ACTIONS)}")
    return cast(Action, value)


@dataclass(frozen=True)
class PiiPolicy:
    """What ingestion does with PII found in a text column.

    - ``reject``: the row goes to `rejects` with reason ``pii_<kind>`` (the PII is redacted
      from the kept raw row);
    - ``hash``: each PII span is replaced by a keyed token ``[<kind>:<hmac>]`` (needs the id
      key), so equal values stay equal without being readable;
    - ``drop``: each PII span is cut out (``[<kind> removed]``); a column that is PII as a
      whole (``email``, ``phone``, ``name`` ...) becomes empty;
    - ``allow``: the column is not scanned.
    """

    default: Action = "reject"
    columns: Mapping[str, Action] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _action(self.default, "pii policy")
        for c, a in self.columns.items():
            _action(a, f"pii policy for column {c!r}")

    def action_for(self, column: str) -> Action:
        return self.columns.get(column, self.default)

    @property
    def needs_key(self) -> bool:
        return "hash" in (self.default, *self.columns.values())

    def to_json(self) -> str:
        return json.dumps({"default": self.default, "columns": dict(self.columns)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PiiPolicy:
        d = json.loads(text)
        return cls(default=d["default"], columns=d.get("columns", {}))

    @classmethod
    def parse(cls, default: str, column_rules: list[str] | None = None) -> PiiPolicy:
        """From CLI form: a default action and ``column=action`` rules."""
        cols: dict[str, Action] = {}
        for rule in column_rules or []:
            name, sep, act = rule.partition("=")
            if not sep or not name.strip():
                raise ConfigError(f"PII column rule {rule!r}: expected COLUMN=ACTION")
            cols[name.strip()] = _action(act.strip(), f"PII column rule {rule!r}")
        return cls(default=_action(default, "--pii-policy"), columns=cols)


@dataclass(frozen=True)
class PrivacyOptions:
    """Per-ingest privacy settings; `None` fields fall back to what the workspace recorded."""

    pii: PiiPolicy | None = None
    keyring: KeyRing | None = None  # for pseudonyms and `hash` (else loaded from the env)
    pseudonymise: bool = False  # store keyed pseudonyms instead of raw user ids


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    # fetchall, not fetchone: a half-read result blocks registering functions later on.
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return str(rows[0][0]) if rows else None


def resolve(con: duckdb.DuckDBPyConnection, given: PrivacyOptions | None) -> PrivacyOptions:
    """Merge `given` with the workspace's recorded settings and record new ones.

    A workspace that pseudonymises refuses ingest without the same key ring; one that holds
    raw ids refuses to start pseudonymising mid-way (use `pseudonymise_workspace`).
    """
    given = given or PrivacyOptions()
    stored_policy = _meta(con, META_PII)
    pii = given.pii or (PiiPolicy.from_json(stored_policy) if stored_policy else None)
    fingerprint = _meta(con, META_KEY)
    pseudonymise = given.pseudonymise or fingerprint is not None
    keyring = given.keyring
    if keyring is None and (pseudonymise or (pii is not None and pii.needs_key)):
        keyring = KeyRing.load()  # raises a ConfigError naming the env variables
    if fingerprint and keyring is not None and keyring.fingerprint != fingerprint:
        raise ConfigError(
            "this workspace's user ids are pseudonymised with another id key (fingerprint "
            f"{fingerprint[:8]}…, given {keyring.fingerprint[:8]}…); use the same key ring"
        )
    if pseudonymise and keyring is not None and not fingerprint:
        row = con.execute("SELECT count(*) FROM events").fetchone()
        users = con.execute("SELECT count(*) FROM users").fetchone()
        if (row and row[0]) or (users and users[0]):
            raise ConfigError(
                "this workspace already holds raw user ids; pseudonymise them first with "
                "`seamline privacy pseudonymise` rather than mixing raw and keyed ids"
            )
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_KEY, keyring.fingerprint])
    if given.pii is not None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_PII, given.pii.to_json()])
    return PrivacyOptions(pii=pii, keyring=keyring, pseudonymise=pseudonymise)
