"""What one ingest call did: per-file and total counts, rejects by reason, duplicates by kind.

Accounting is exact: ``accepted + rejected + duplicates == rows`` for every file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TableSummary:
    """What happened to one source file or table."""

    file: str
    table: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    updated: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    bot_users_flagged: int = 0
    pii_masked: dict[str, int] = field(default_factory=dict)
    pii_policy: str = ""  # the PII policy that ran and where it came from
    extras: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestSummary:
    """Totals over the files of one ingest call, with each file's own summary."""

    parts: list[TableSummary] = field(default_factory=list)

    def _sum(self, attr: str) -> int:
        return sum(int(getattr(p, attr)) for p in self.parts)

    def _merge(self, attr: str) -> dict[str, int]:
        total: Counter[str] = Counter()
        for p in self.parts:
            total.update(getattr(p, attr))
        return dict(sorted(total.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self._sum("rows"),
            "accepted": self._sum("accepted"),
            "rejected": self._sum("rejected"),
            "duplicates": self._sum("duplicates"),
            "updated": self._sum("updated"),
            "rejected_by_reason": self._merge("rejected_by_reason"),
            "duplicates_by_kind": self._merge("duplicates_by_kind"),
            "bot_users_flagged": self._sum("bot_users_flagged"),
            "pii_masked": self._merge("pii_masked"),
            "pii_policy": sorted({p.pii_policy for p in self.parts if p.pii_policy}),
            "files": [p.to_dict() for p in self.parts],
        }
