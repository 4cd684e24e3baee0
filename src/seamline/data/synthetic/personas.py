"""The planted user segments (personas) and how users vary around them.

The personas are package data (`data/personas.yaml`), read once at import and checked
against `Segment`'s fields. Their order is part of the world: a user's segment is drawn
by index.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from importlib import resources
from typing import Any

import numpy as np
import yaml

from seamline.data.synthetic.arrays import Floats
from seamline.data.synthetic.vocab import COURSE_CATEGORIES, FASHION_CATEGORIES
from seamline.data.synthetic.window import WINDOW_DAYS
from seamline.errors import DataError


@dataclass(frozen=True)
class Segment:
    """A planted user segment: its latent tastes drive every observable behaviour."""

    key: str
    name_en: str
    name_zh: str
    share: float  # fraction of users
    knowledge_share: float  # fraction of sessions on the knowledge platform
    course_taste: dict[str, float]  # main course categories (others get TASTE_FLOOR)
    fashion_taste: dict[str, float]  # main fashion categories
    price_sensitivity: float  # how fast buying falls with log price; higher = thriftier
    activity: float  # relative number of item views
    session_depth: float  # mean item views per session
    channels: tuple[float, float, float]  # app, web, mini-program
    peak_hour: float  # typical session start, local time (UTC+8)
    hour_spread: float
    female_share: float
    age_mean: float
    age_sd: float
    completion: float  # chance an enrolled, well-matched course is completed
    occupations: dict[str, float]
    active_days: int = WINDOW_DAYS  # days after a user's first possible day they stay active


def segment_of(number: int, row: dict[str, Any]) -> Segment:
    """Persona `number` (from 1) of personas.yaml as a `Segment`, its fields checked."""
    where = f"personas.yaml segment {number}"
    names = [f.name for f in fields(Segment)]
    unknown = sorted(set(row) - set(names))
    if unknown:
        raise DataError(f"{where}: unknown fields {unknown}; allowed: {', '.join(names)}")
    required = [f.name for f in fields(Segment) if f.default is MISSING]
    missing = [n for n in required if n not in row]
    if missing:
        raise DataError(f"{where}: missing fields {missing}")
    for taste, cats in (("course_taste", COURSE_CATEGORIES), ("fashion_taste", FASHION_CATEGORIES)):
        bad = sorted(set(row[taste]) - set(cats))
        if bad:
            raise DataError(f"{where}: {taste} has unknown {bad}; allowed: {', '.join(cats)}")
    return Segment(**{**row, "channels": tuple(row["channels"])})


def _load() -> tuple[Segment, ...]:
    text = resources.files(__package__).joinpath("data", "personas.yaml").read_text("utf-8")
    return tuple(segment_of(i, row) for i, row in enumerate(yaml.safe_load(text), start=1))


SEGMENTS: tuple[Segment, ...] = _load()
TASTE_FLOOR = 0.01  # no category is unthinkable for anyone
TASTE_CONCENTRATION = 80.0  # Dirichlet spread of a user's taste around the segment's
SHARE_CONCENTRATION = 25.0  # Beta spread of a user's knowledge share
ACTIVITY_SPREAD = 0.35  # lognormal sd of a user's activity around the segment's


def seg_array(attr: str) -> Floats:
    """One segment attribute as an array indexed by segment code."""
    return np.array([float(getattr(s, attr)) for s in SEGMENTS])


def taste_matrix() -> Floats:
    """Segment x category base taste, each domain block normalised to 1."""
    rows = []
    for s in SEGMENTS:
        k = np.array([s.course_taste.get(c, TASTE_FLOOR) for c in COURSE_CATEGORIES])
        f = np.array([s.fashion_taste.get(c, TASTE_FLOOR) for c in FASHION_CATEGORIES])
        rows.append(np.concatenate([k / k.sum(), f / f.sum()]))
    return np.array(rows)
