"""The canonical data model: fixed column names and types, defined once.

Every table a user brings is mapped onto these columns; any other column is kept
as an extra attribute (`attrs`, a JSON object) so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "text", "category", "number", "timestamp", "tags"]

# Domains a row may belong to. Courses, books and audio lessons are `knowledge`;
# clothing and accessories are `fashion`; `other` holds anything else a dataset brings
# (movies, music, sports gear) so cross-domain data can still be used.
DOMAINS: tuple[str, ...] = ("knowledge", "fashion", "other")

# Built-in event types, roughly ordered by intent. Custom types are declared in a mapping.
EVENT_TYPES: tuple[str, ...] = (
    "view",
    "click",
    "cart",
    "purchase",
    "enroll",
    "complete",
    "review",
    "rate",
)
# What a conversion is: the user paid or committed (a fashion purchase, a course enrolment).
# KPIs, features, the quality summary and the service all count these event types.
CONVERSION_TYPES: tuple[str, ...] = ("purchase", "enroll")
# The same as a SQL list, for `event_type IN {CONVERSION_SQL}`.
CONVERSION_SQL = "(" + ", ".join(f"'{t}'" for t in CONVERSION_TYPES) + ")"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    sql_type: str = "VARCHAR"


def _cols(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


EVENT_COLUMNS = _cols(
    Column("event_id", "id"),
    Column("user_id", "id", required=True),
    Column("item_id", "id", required=True),
    Column("domain", "category", required=True),
    Column("event_type", "category", required=True),
    Column("timestamp", "timestamp", required=True, sql_type="TIMESTAMPTZ"),
    Column("value", "number", sql_type="DOUBLE"),
    Column("quantity", "number", sql_type="DOUBLE"),
    Column("rating", "number", sql_type="DOUBLE"),
    Column("session_id", "id"),
    Column("channel", "category"),
    Column("coupon_id", "id"),
)

ITEM_COLUMNS = _cols(
    Column("item_id", "id", required=True),
    Column("domain", "category", required=True),
    Column("title", "text"),
    Column("description", "text"),
    Column("category", "category"),
    Column("brand", "category"),
    Column("price", "number", sql_type="DOUBLE"),
    Column("tags", "tags"),
    Column("language", "category"),
)

USER_COLUMNS = _cols(
    Column("user_id", "id", required=True),
    Column("gender", "category"),
    Column("age", "number", sql_type="DOUBLE"),
    Column("age_band", "category"),
    Column("city", "category"),
    Column("occupation", "category"),
    Column("signup_at", "timestamp", sql_type="TIMESTAMPTZ"),
)

TABLES: dict[str, dict[str, Column]] = {
    "events": EVENT_COLUMNS,
    "items": ITEM_COLUMNS,
    "users": USER_COLUMNS,
}

# Each table's natural key: a later row with the same key is a duplicate (events) or an
# update (items, users keep the latest version).
KEYS: dict[str, tuple[str, ...]] = {
    "events": ("event_id",),
    "items": ("item_id", "domain"),
    "users": ("user_id",),
}

# Aliases accepted without a mapping ("provider" is the knowledge-side word for brand).
ALIASES: dict[str, dict[str, str]] = {
    "events": {"ts": "timestamp", "time": "timestamp", "price": "value", "qty": "quantity"},
    "items": {"provider": "brand", "name": "title"},
    "users": {"sex": "gender", "age_group": "age_band", "signup": "signup_at"},
}

EXTRA = "attrs"  # JSON object holding every column outside the model
# A source column holding each record's other keys already as a JSON object (posted
# records: one column however many distinct keys a batch has); merged into `attrs`.
PACKED = "__attrs"

# Plausible ranges of the numeric columns, inclusive; a finite value outside is rejected
# as `out_of_range` (1e308 would otherwise turn every total into Infinity). A mapping can
# set its own per table: ``events: {ranges: {value: [0, 50000]}}``.
RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "events": {"value": (-1e9, 1e9), "quantity": (0, 1e6), "rating": (0, 100)},
    "items": {"price": (0, 1e9)},
    "users": {"age": (0, 120)},
}
# No bound a mapping sets may exceed this in magnitude: a billion values of 1e15 still sum
# to a finite float, while a range up to 1.7e308 lets two values overflow to Infinity.
MAX_RANGE_BOUND = 1e15

# Ids longer than this are rejected (`bad_id`), as are ids holding control, zero-width or
# bidirectional-override characters and JSON objects or arrays given as ids.
MAX_ID_CHARS = 256
# RE2 class of the characters no id may hold: C0/C1 controls, zero-width and joiners,
# bidi marks, overrides and isolates, word joiner and invisible operators, BOM.
ID_FORBIDDEN_RE = (
    "[\\x00-\\x1F\\x7F-\\x9F\\x{200B}-\\x{200F}\\x{202A}-\\x{202E}"
    "\\x{2060}-\\x{2064}\\x{2066}-\\x{2069}\\x{FEFF}]"
)
