"""SQL helpers shared by the feature families.

Feature definitions are plain SELECT statements over one prepared view (`fe_events`, see
`base.py`), built from standard functions (CASE, SUM, COUNT(DISTINCT), window
PERCENT_RANK, LN, SIN/COS) that DuckDB and Spark SQL both have. The few engine-specific
spellings live here, so a Spark port swaps this module only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from seamline.data.columns import CONVERSION_TYPES

# Event types that mean the user paid or committed: the data model's conversions.
BUY_TYPES: tuple[str, ...] = CONVERSION_TYPES
RETURN_TYPES: tuple[str, ...] = ("return",)


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(quote(v) for v in values) + ")"


def epoch_s(expr: str) -> str:
    """Seconds since 1970 of a timestamp (Spark: unix_timestamp(expr))."""
    return f"epoch({expr})"


def iso_weekday(expr: str) -> str:
    """1 = Monday .. 7 = Sunday (Spark: (dayofweek(expr) + 5) % 7 + 1)."""
    return f"isodow({expr})"


def median(expr: str) -> str:
    """The median (Spark 3.4+: median(expr); older: percentile_approx(expr, 0.5))."""
    return f"median({expr})"


def share(numerator: str, denominator: str) -> str:
    """numerator / denominator, NULL when the denominator is 0."""
    return f"CAST({numerator} AS DOUBLE) / NULLIF({denominator}, 0)"


def slug(text: str) -> str:
    """A column-name fragment: lower case, runs of non-word characters as `_`."""
    s = re.sub(r"\W+", "_", text.strip().lower()).strip("_")
    return s or "blank"


def unique_names(prefix: str, labels: Iterable[str]) -> list[str]:
    """`prefix_<slug>` per label, suffixed `_2`, `_3`... where slugs collide."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        base = f"{prefix}_{slug(label)}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return out
