"""MovieLens 100K (GroupLens, folder ``ml-100k``): 100,000 movie ratings by 943 users.

u.data -> ``rate`` events (rating 1-5, unix seconds -> UTC timestamps); u.item (latin-1)
-> items with the genre flags as pipe-joined ``tags`` and the first genre as ``category``;
u.user -> users with age, gender, occupation and ``zip_code``. Movies are neither
knowledge nor fashion, so everything is in the ``other`` domain. Ids are kept as given.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import literal, query, read_text_table, require

NAME = "movielens-100k"
GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
)  # fmt: skip
# u.item columns: the genre flags follow the five descriptive fields, in u.genre order.
ITEM_FIELDS = ("item_id", "title", "release_date", "video_release_date", "imdb_url")
GENRE_FLAGS = tuple(f"g{i}" for i in range(len(GENRES)))


def _events(path: Path) -> pa.Table:
    data = read_text_table(
        path, names=["user_id", "item_id", "rating", "ts"], delimiter="\t", quoted=False
    )
    return query(
        """
        SELECT user_id, item_id, 'other' AS domain, 'rate' AS event_type,
               to_timestamp(CAST(ts AS BIGINT)) AS "timestamp",
               CAST(rating AS DOUBLE) AS rating
        FROM data
        """,
        data=data,
    )


def _items(path: Path) -> pa.Table:
    raw = read_text_table(
        path, names=[*ITEM_FIELDS, *GENRE_FLAGS], delimiter="|", encoding="latin-1", quoted=False
    )
    genres = ", ".join(
        f"CASE WHEN {flag} = '1' THEN {literal(genre)} END"
        for flag, genre in zip(GENRE_FLAGS, GENRES, strict=True)
    )
    # video_release_date is empty in every row of the published file, so it is not kept.
    # concat_ws and coalesce skip the NULLs of the genres a movie does not have.
    return query(
        f"""
        SELECT item_id, 'other' AS domain, title,
               coalesce({genres}) AS category,
               NULLIF(concat_ws('|', {genres}), '') AS tags,
               strftime(strptime(release_date, '%d-%b-%Y'), '%Y-%m-%d') AS release_date,
               imdb_url
        FROM raw
        """,
        raw=raw,
    )


def _users(path: Path) -> pa.Table:
    raw = read_text_table(
        path,
        names=["user_id", "age", "gender", "occupation", "zip_code"],
        delimiter="|",
        quoted=False,
    )
    return query(
        """
        SELECT user_id, gender, CAST(age AS DOUBLE) AS age, occupation, zip_code FROM raw
        """,
        raw=raw,
    )


def load(path: Path) -> SourceTables:
    data, item, user = require(path, "u.data", "u.item", "u.user")
    return SourceTables(
        name=NAME,
        events=_events(data),
        items=_items(item),
        users=_users(user),
        notes=(
            "Explicit 1-5 ratings from 1997-09 to 1998-04 with no purchases or prices; "
            "zip codes are US-only and titles carry the release year in brackets."
        ),
    )
