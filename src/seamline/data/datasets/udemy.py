"""Udemy course catalogue, 2017 public scrape (folder ``udemy-courses``): items only.

Each course -> a ``knowledge`` item: title, category = subject, brand Udemy, price (USD),
tags = level, plus url, is_paid, subscriber / review / lecture counts, content hours and
the publish time as attributes. There are no users or events. The 6 course ids that occur
twice (identical rows) are passed through; the ingester keeps one version of each item.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import query, read_text_table, require

NAME = "udemy-courses"


def _items(path: Path) -> pa.Table:
    # No language column exists and some titles are not English (e.g. "MicroStation -
    # Células"), so `language` is left unset rather than guessed.
    courses = read_text_table(path)
    return query(
        """
        SELECT course_id AS item_id, 'knowledge' AS domain, course_title AS title,
               subject AS category, 'Udemy' AS brand, CAST(price AS DOUBLE) AS price,
               level AS tags,
               url, is_paid = 'True' AS is_paid,
               CAST(num_subscribers AS BIGINT) AS num_subscribers,
               CAST(num_reviews AS BIGINT) AS num_reviews,
               CAST(num_lectures AS BIGINT) AS num_lectures,
               CAST(content_duration AS DOUBLE) AS content_hours,
               published_timestamp AS published_at  -- already ISO 8601 in UTC
        FROM courses
        """,
        courses=courses,
    )


def load(path: Path) -> SourceTables:
    (courses,) = require(path, "udemy_courses.csv")
    return SourceTables(
        name=NAME,
        items=_items(courses),
        notes=(
            "A 2017 catalogue snapshot with no user interactions: popularity is only the "
            "aggregate subscriber and review counts, and 4 courses have no title."
        ),
    )
