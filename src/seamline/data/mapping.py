"""Column mapping: how a user's own column names and vocabularies map onto the model.

A mapping is a YAML file with one optional section per table::

    events:
      columns: {user_id: customer, item_id: sku, timestamp: ts}   # canonical: theirs
      event_types: {pv: view, buy: purchase}                      # theirs: canonical
      custom_event_types: [share]                                 # allowed beyond the built-ins
      domain: fashion                   # constant when the file has no domain column
      domains: {course: knowledge}      # their domain words: canonical
      timestamp_format: "%d/%m/%Y %H:%M"  # strptime format when not ISO / epoch
      timestamp_required: true          # false for datasets without time (e.g. Douban)
      encoding: gbk                     # a CSV/TSV file that is not UTF-8 (latin-1, big5 ...)
      ranges: {value: [0, 50000]}       # plausible range per numeric column (else RANGES),
                                        # bounds at most MAX_RANGE_BOUND (1e15) in magnitude
      pii_policy: drop                  # PII in free text: reject, hash, drop (default), allow
      pii_columns: {notes: reject}      # per-column exceptions
    items: {columns: {item_id: article_id, title: prod_name}, domain: fashion}
    users: {columns: {user_id: customer_id}}
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from seamline.data.columns import DOMAINS, EVENT_TYPES, MAX_RANGE_BOUND, RANGES, TABLES
from seamline.errors import ConfigError
from seamline.pii.policy import Action


class TableMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = Field(default_factory=dict)
    event_types: dict[str, str] = Field(default_factory=dict)
    custom_event_types: list[str] = Field(default_factory=list)
    domain: str | None = None
    domains: dict[str, str] = Field(default_factory=dict)
    timestamp_format: str | None = None
    timestamp_required: bool = True
    delimiter: str | None = None
    encoding: str | None = None  # text encoding of a CSV/TSV file that is not UTF-8
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)  # column: [lo, hi]
    # PII in free-text columns: reject, hash, drop or allow (default: the workspace's
    # recorded policy, else drop), and per-column exceptions.
    pii_policy: Action | None = None
    pii_columns: dict[str, Action] = Field(default_factory=dict)

    @field_validator("ranges")
    @classmethod
    def _finite_ranges(cls, v: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for col, (lo, hi) in v.items():
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise ValueError(f"ranges: {col} needs two finite numbers [low, high], low <= high")
            if max(abs(lo), abs(hi)) > MAX_RANGE_BOUND:
                raise ValueError(
                    f"ranges: {col} [{lo:g}, {hi:g}] is too wide: bounds may be at most "
                    f"{MAX_RANGE_BOUND:g} in magnitude (larger values make totals overflow)"
                )
        return v

    def range_of(self, table: str, column: str) -> tuple[float, float] | None:
        """The plausible range of a numeric column: the mapping's, else the default."""
        return self.ranges.get(column) or RANGES.get(table, {}).get(column)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        from seamline.data.csvscan import check_encoding

        try:
            check_encoding(v)
        except ConfigError as e:
            raise ValueError(str(e)) from None
        return v

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, v: str | None) -> str | None:
        if v is not None and v.strip().lower() not in DOMAINS:
            raise ValueError(f"domain {v!r} is not one of {', '.join(DOMAINS)}")
        return v.strip().lower() if v else v

    @field_validator("domains")
    @classmethod
    def _known_domains(cls, v: dict[str, str]) -> dict[str, str]:
        out = {}
        for theirs, ours in v.items():
            if ours.strip().lower() not in DOMAINS:
                raise ValueError(f"domains maps {theirs!r} to {ours!r}; allowed: {DOMAINS}")
            out[theirs.strip().lower()] = ours.strip().lower()
        return out

    @property
    def allowed_event_types(self) -> tuple[str, ...]:
        custom = tuple(t.strip().lower() for t in self.custom_event_types)
        return EVENT_TYPES + tuple(t for t in custom if t not in EVENT_TYPES)

    def event_type_map(self) -> dict[str, str]:
        """Their event words (normalised) -> canonical event types."""
        allowed = self.allowed_event_types
        out = {}
        for theirs, ours in self.event_types.items():
            ours_n = ours.strip().lower()
            if ours_n not in allowed:
                raise ConfigError(
                    f"event_types maps {theirs!r} to {ours!r}, which is neither built in "
                    f"({', '.join(EVENT_TYPES)}) nor listed in custom_event_types"
                )
            out[theirs.strip().lower()] = ours_n
        return out


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: TableMapping = Field(default_factory=TableMapping)
    items: TableMapping = Field(default_factory=TableMapping)
    users: TableMapping = Field(default_factory=TableMapping)

    def for_table(self, table: str) -> TableMapping:
        tm: TableMapping = getattr(self, table)
        numeric = [c.name for c in TABLES[table].values() if c.kind == "number"]
        odd = sorted(set(tm.ranges) - set(numeric))
        if odd:
            raise ConfigError(
                f"mapping for {table} sets ranges for {odd}; numeric columns: {', '.join(numeric)}"
            )
        unknown = set(tm.columns) - set(TABLES[table])
        if unknown:
            raise ConfigError(
                f"mapping for {table} names unknown canonical column(s) {sorted(unknown)}; "
                f"allowed: {', '.join(TABLES[table])}"
            )
        return tm

    @classmethod
    def load(cls, path: str | Path | None) -> Mapping:
        if path is None:
            return cls()
        p = Path(path)
        try:
            raw: Any = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except OSError as e:
            raise ConfigError(f"{p}: cannot read mapping ({e.strerror})") from e
        except yaml.YAMLError as e:  # its text spans lines; errors here are one line
            raise ConfigError(f"{p}: not valid YAML ({' '.join(str(e).split())})") from e
        try:
            mapping = cls.model_validate(raw)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "mapping"
            raise ConfigError(f"{p}: {where}: {first['msg']}") from e
        try:  # check column names and event types now, naming the file
            for table in TABLES:
                mapping.for_table(table).event_type_map()
        except ConfigError as e:
            raise ConfigError(f"{p}: {e}") from e
        return mapping
