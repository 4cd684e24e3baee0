"""Which PII policy an ingest runs: the one given, the mapping's, the workspace's, or the
safe default (`drop`: PII spans are cut out of free-text columns before anything is stored).
"""

from __future__ import annotations

from dataclasses import replace

from seamline.data.mapping import TableMapping
from seamline.pii.keyring import KeyRing
from seamline.pii.policy import PiiPolicy, PrivacyOptions

DEFAULT_PII = PiiPolicy(default="drop")
DEFAULT_SOURCE = "(default)"


def describe(pii: PiiPolicy) -> str:
    """`drop`, or `drop; email=allow` with per-column rules."""
    rules = "; ".join(f"{c}={a}" for c, a in sorted(pii.columns.items()))
    return pii.default + (f"; {rules}" if rules else "")


def pii_in_force(
    resolved: PrivacyOptions, given: PrivacyOptions | None, tm: TableMapping
) -> tuple[PrivacyOptions, str]:
    """`resolved` (the call's options merged with the workspace's) with the PII policy that
    applies to this table, and a line saying which one and where it came from."""
    if given is not None and given.pii is not None:
        return resolved, f"{describe(resolved.pii or given.pii)} (given)"
    if tm.pii_policy is not None or tm.pii_columns:
        pii, where = PiiPolicy(default=tm.pii_policy or "drop", columns=tm.pii_columns), "mapping"
    elif resolved.pii is not None:
        return resolved, f"{describe(resolved.pii)} (workspace)"
    else:
        pii, where = DEFAULT_PII, "default"
    keyring = resolved.keyring
    if keyring is None and pii.needs_key:
        keyring = KeyRing.load()  # a ConfigError naming the key's variables when unset
    said = DEFAULT_SOURCE if where == "default" else f"({where})"
    return replace(resolved, pii=pii, keyring=keyring), f"{describe(pii)} {said}"
