"""Kevin Hillstrom's MineThatData e-mail experiment, 2008 (folder ``hillstrom``).

One row per customer, with no id and no dates. Users get ids from the row number
(``hillstrom-000001``) and keep the randomised ``arm`` (the segment column) and the
pre-period attributes (recency, history, mens, womens, zip_code, newbie and the past
purchase channel as ``purchase_channel``). Events, all ``fashion`` and without timestamps:
a custom ``email`` event for customers in a treated arm, a custom ``visit`` event when
visit = 1 and a ``purchase`` (value = spend) when conversion = 1.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import literal, query, read_text_table, require
from seamline.data.mapping import Mapping, TableMapping

NAME = "hillstrom"
# The outcomes are store-wide (a site visit, any purchase in the next two weeks): the data
# names no products, so every event points at this one placeholder item.
STORE_ITEM = "hillstrom-store"
CONTROL_ARM = "No E-Mail"
# SQL for the user id made from the row number: hillstrom-000001 ... hillstrom-064000.
_USER_ID = "'hillstrom-' || lpad(CAST(row_no AS VARCHAR), 6, '0')"


def _numbered(path: Path) -> pa.Table:
    """The customer rows with their 1-based row number, the only identity they have."""
    raw = read_text_table(path)
    return raw.append_column("row_no", pa.array(range(1, raw.num_rows + 1), pa.int64()))


def _users(rows: pa.Table) -> pa.Table:
    return query(
        f"""
        SELECT {_USER_ID} AS user_id, segment AS arm,
               CAST(recency AS INTEGER) AS recency_months,
               history_segment, CAST(history AS DOUBLE) AS history,
               mens = '1' AS mens, womens = '1' AS womens, zip_code,
               newbie = '1' AS newbie, channel AS purchase_channel
        FROM rows
        ORDER BY row_no
        """,
        rows=rows,
    )


def _events(rows: pa.Table) -> pa.Table:
    common = f"""{_USER_ID} AS user_id, {literal(STORE_ITEM)} AS item_id, 'fashion' AS domain,
                 CAST(NULL AS TIMESTAMPTZ) AS "timestamp", row_no"""
    return query(
        f"""
        SELECT {common}, 'email' AS event_type, 'email' AS channel, segment AS campaign
        FROM rows WHERE segment <> {literal(CONTROL_ARM)}
        UNION ALL BY NAME
        SELECT {common}, 'visit' AS event_type, 'web' AS channel
        FROM rows WHERE visit = '1'
        UNION ALL BY NAME
        SELECT {common}, 'purchase' AS event_type, CAST(spend AS DOUBLE) AS value
        FROM rows WHERE conversion = '1'
        ORDER BY row_no
        """,
        rows=rows,
    ).drop_columns(["row_no"])


def _items() -> pa.Table:
    return pa.table(
        {
            "item_id": [STORE_ITEM],
            "domain": ["fashion"],
            "title": ["Hillstrom e-mail test retailer (whole store; the data names no products)"],
        }
    )


def load(path: Path) -> SourceTables:
    (csv_path,) = require(path, "hillstrom_email_2008.csv")
    rows = _numbered(csv_path)
    return SourceTables(
        name=NAME,
        events=_events(rows),
        items=_items(),
        users=_users(rows),
        mapping=Mapping(
            events=TableMapping(custom_event_types=["email", "visit"], timestamp_required=False)
        ),
        notes=(
            "A randomised 2008 e-mail test with store-level outcomes only: no dates, no "
            "products, and customer ids that are just row numbers."
        ),
    )
