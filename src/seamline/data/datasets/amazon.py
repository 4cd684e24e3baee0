"""Amazon Clothing <-> Sports, DisenCDR's cross-domain split (folder ``amazon-cloth-sport``).

Every ``user item 1`` line -> a ``review`` event: the set is derived from Amazon review
data, so an interaction means the user reviewed the product (the constant 1 is not kept).
cloth_sport/ is the Clothing domain (``fashion``), sport_cloth/ the Sports domain
(``other``). The 9,928 users are shared (``amz-u<n>``); item ids are per domain and prefixed
``cloth-`` / ``sport-``. Attribute ``split`` says whether a row came from train.txt or
test_original.txt. There are no timestamps (null; not required by the mapping).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import literal, query, read_text_table, require
from seamline.data.mapping import Mapping, TableMapping

NAME = "amazon-cloth-sport"
# folder -> (item id prefix, domain)
DOMAINS = {"cloth_sport": ("cloth", "fashion"), "sport_cloth": ("sport", "other")}
# test.txt is test_original.txt without the items unseen in training, a subset of it, so
# reading it too would only repeat rows.
SPLITS = {"train": "train.txt", "test_original": "test_original.txt"}


def _interactions(path: Path, prefix: str, domain: str, split: str) -> pa.Table:
    raw = read_text_table(path, names=["user", "item", "label"], delimiter="\t", quoted=False)
    return query(
        f"""
        SELECT 'amz-u' || "user" AS user_id, {literal(prefix + "-")} || item AS item_id,
               {literal(domain)} AS domain, 'review' AS event_type,
               CAST(NULL AS TIMESTAMPTZ) AS "timestamp",
               {literal(split)} AS split
        FROM raw
        """,
        raw=raw,
    )


def load(path: Path) -> SourceTables:
    parts = []
    for folder, (prefix, domain) in DOMAINS.items():
        for split, file in SPLITS.items():
            (p,) = require(path / folder, file)
            parts.append(_interactions(p, prefix, domain, split))
    return SourceTables(
        name=NAME,
        events=pa.concat_tables(parts),
        mapping=Mapping(events=TableMapping(timestamp_required=False)),
        notes=(
            "Implicit review interactions with re-indexed ids that cannot be joined to "
            "Amazon product metadata, and no timestamps, ratings or prices."
        ),
    )
