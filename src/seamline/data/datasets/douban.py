"""Douban book and music ratings with shared users (GA-DTCDR; folder ``douban-book-music``).

Each rating line (user, item, 1-5) -> a ``rate`` event. Books are ``knowledge`` and music is
``other``. User ids are shared across the two files (``douban-u<n>``); item ids are per
domain and prefixed ``book-`` / ``music-`` so they never collide. The data has no
timestamps, so the event timestamp is null and the mapping says it is not required.
There are no item or user tables (the files have no metadata).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import literal, query, read_text_table, require
from seamline.data.mapping import Mapping, TableMapping

NAME = "douban-book-music"
# file -> (item id prefix, domain)
FILES = {
    "douban_book_ratings.dat": ("book", "knowledge"),
    "douban_music_ratings.dat": ("music", "other"),
}


def _ratings(path: Path, prefix: str, domain: str) -> pa.Table:
    raw = read_text_table(path, names=["user", "item", "rating"], delimiter="\t", quoted=False)
    return query(
        f"""
        SELECT 'douban-u' || "user" AS user_id, {literal(prefix + "-")} || item AS item_id,
               {literal(domain)} AS domain, 'rate' AS event_type,
               CAST(NULL AS TIMESTAMPTZ) AS "timestamp",
               CAST(rating AS DOUBLE) AS rating
        FROM raw
        """,
        raw=raw,
    )


def load(path: Path) -> SourceTables:
    paths = require(path, *FILES)
    parts = [_ratings(p, *FILES[p.name]) for p in paths]
    return SourceTables(
        name=NAME,
        events=pa.concat_tables(parts),
        mapping=Mapping(events=TableMapping(timestamp_required=False)),
        notes=(
            "Ratings only, with no timestamps and no titles or user profiles, so any "
            "evaluation split must be random rather than by time."
        ),
    )
