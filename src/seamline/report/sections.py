"""Report sections: the unit each stage contributes, and helpers to build them safely.

A section is an already-rendered HTML fragment plus the id and title used for its anchor
and its table-of-contents entry. Builders render fragments with `render_fragment`, whose
Jinja2 environment autoescapes everything, so text from the data can never become markup;
only values wrapped in `markupsafe.Markup` (such as the SVG from `seamline.report.charts`)
pass through unescaped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import jinja2

_SECTION_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
EMPTY = "—"


@dataclass(frozen=True)
class Section:
    """One report section: `id` is its anchor (lowercase, digits, `-` or `_`), `title` plain
    text (escaped when rendered) and `html` a fragment that is inserted as is."""

    id: str
    title: str
    html: str

    def __post_init__(self) -> None:
        if not _SECTION_ID.match(self.id):
            raise ValueError(
                f"section id {self.id!r} must be lowercase letters, digits, '-' or '_', "
                "starting with a letter"
            )


def finite(value: Any) -> float | None:
    """`value` as a float, or None when it is missing, not a number, NaN or infinite: every
    number filter goes through here so an overflowing total shows as `EMPTY`, never inf."""
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_num(value: Any, digits: int = 2) -> str:
    """Thousands-separated number; floats keep `digits` decimals unless whole."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    f = finite(value)
    if f is None:  # text that is not a number is shown as it is
        return EMPTY if value is None or value == "" or _is_number(value) else str(value)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.{digits}f}"


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage."""
    f = finite(value)
    return EMPTY if f is None else f"{f * 100:.{digits}f}%"


def fmt_money(value: Any) -> str:
    f = finite(value)
    return EMPTY if f is None else f"{f:,.2f}"


def fmt_when(value: Any, with_time: bool = True) -> str:
    """An ISO timestamp (string or datetime) as `YYYY-MM-DD HH:MM` (UTC as stored)."""
    if value is None or value == "":
        return EMPTY
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return dt.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for the page and all fragments (autoescape always on)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("seamline.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=fmt_num, pct=fmt_pct, money=fmt_money, when=fmt_when)
    return env


def render_fragment(template: str, **context: Any) -> str:
    """Render a template from `seamline/report/templates` (autoescaped) to a fragment."""
    return environment().get_template(template).render(**context)
