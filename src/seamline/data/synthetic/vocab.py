"""The world's vocabulary: categories, places, occupations and the words of item titles.

The word lists are package data (`data/*.tsv`, one row a line, tab-separated, with a
header), read once at import. Their row order is part of the world: the same seed draws
the same rows, so editing a file changes every generated world.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from seamline.errors import DataError

Words = tuple[tuple[str, ...], ...]  # rows of (English, Chinese[, extra])


def parse_tsv(file: str, text: str) -> list[dict[str, str]]:
    """Rows of a tab-separated `text` with a header, as dicts keyed by the header."""
    header, *lines = text.rstrip("\n").split("\n")
    keys = header.split("\t")
    rows = []
    for number, line in enumerate(lines, start=2):
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != len(keys):
            raise DataError(
                f"{file} line {number}: {len(cells)} cells, expected {len(keys)} "
                f"({', '.join(keys)}), separated by tabs"
            )
        rows.append(dict(zip(keys, cells, strict=True)))
    return rows


def _table(name: str) -> list[dict[str, str]]:
    """Rows of the package data file `data/<name>.tsv`."""
    text = resources.files(__package__).joinpath("data", f"{name}.tsv").read_text("utf-8")
    return parse_tsv(f"{name}.tsv", text)


def _pairs(rows: list[dict[str, str]], kind: str, *extra: str) -> Words:
    return tuple((r["en"], r["zh"], *(r[e] for e in extra)) for r in rows if r["kind"] == kind)


def _by_category(
    rows: list[dict[str, str]], kind: str, everyone: tuple[str, ...], *extra: str
) -> dict[str, Words]:
    """Rows of one kind grouped per category; `categories` lists several, `*` = all of them."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for r in rows:
        if r["kind"] != kind:
            continue
        cats = r["categories"] if "categories" in r else r["category"]
        for cat in everyone if cats == "*" else cats.split():
            out.setdefault(cat, []).append((r["en"], r["zh"], *(r[e] for e in extra)))
    return {cat: tuple(words) for cat, words in out.items()}


_CATEGORIES = _table("categories")
COURSE_CATEGORIES = tuple(r["category"] for r in _CATEGORIES if r["domain"] == "knowledge")
FASHION_CATEGORIES = tuple(r["category"] for r in _CATEGORIES if r["domain"] == "fashion")
N_COURSE_CATS = len(COURSE_CATEGORIES)
CATEGORIES = COURSE_CATEGORIES + FASHION_CATEGORIES  # one index space: courses first
COURSE_MEDIAN_PRICE = {
    r["category"]: float(r["median_price"]) for r in _CATEGORIES if r["domain"] == "knowledge"
}
FASHION_MEDIAN_PRICE = {
    r["category"]: float(r["median_price"]) for r in _CATEGORIES if r["domain"] == "fashion"
}
CHANNELS = ("app", "web", "mini-program")
DOMAIN_NAMES = ("knowledge", "fashion")  # domain codes 0, 1
KNOWLEDGE, FASHION = 0, 1

CITY_WEIGHTS = {r["city"]: int(r["weight"]) for r in _table("cities")}
CITIES = tuple(CITY_WEIGHTS)
OCCUPATIONS = tuple(r["occupation"] for r in _table("occupations"))
AGE_BANDS = ((0, "<18"), (18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55+"))

_COURSE_WORDS = _table("course_words")
COURSE_TOPICS = _by_category(_COURSE_WORDS, "topic", COURSE_CATEGORIES)
COURSE_PREFIXES = _pairs(_COURSE_WORDS, "prefix")
COURSE_PREFIX_LEVELS = tuple(r["level"] for r in _COURSE_WORDS if r["kind"] == "prefix")
COURSE_SUFFIXES = _pairs(_COURSE_WORDS, "suffix")
COURSE_AUDIENCES = _pairs(_COURSE_WORDS, "audience")
COURSE_BENEFITS = _pairs(_COURSE_WORDS, "benefit")
COURSE_PRICE_LADDER = np.array(
    [9.9, 19.9, 29.9, 49, 69, 99, 129, 149, 199, 249, 299, 399, 499, 699, 999, 1299, 1999],
    dtype=np.float64,
)
COURSE_FORMATS = ("video", "audio", "live")
_PROVIDERS = _table("course_providers")
# Providers with an empty category teach everything; each category has two specialists.
GENERAL_PROVIDERS = tuple(r["provider"] for r in _PROVIDERS if not r["category"])
CATEGORY_PROVIDERS = {
    cat: tuple(r["provider"] for r in _PROVIDERS if r["category"] == cat)
    for cat in COURSE_CATEGORIES
}

_FASHION_WORDS = _table("fashion_words")
GARMENTS = _by_category(_FASHION_WORDS, "garment", FASHION_CATEGORIES)
MATERIALS = _by_category(_FASHION_WORDS, "material", FASHION_CATEGORIES)
STYLES = _by_category(_FASHION_WORDS, "style", FASHION_CATEGORIES)
COLOURS = _pairs(_FASHION_WORDS, "colour")
# The third cell is the season tag (space-separated seasons become separate tags).
BENEFITS = _by_category(_FASHION_WORDS, "benefit", FASHION_CATEGORIES, "seasons")
# Fictional brands with a price tier (multiplier on the category's median price).
FASHION_BRANDS = {r["brand"]: float(r["price_tier"]) for r in _table("brands")}
