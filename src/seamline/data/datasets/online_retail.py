"""UCI Online Retail, a 20,000-row random sample of invoice lines (folder ``online-retail``).

Each line -> a ``purchase`` event, or a custom ``return`` event for cancellations (InvoiceNo
"C...") and negative quantities; value = Quantity * UnitPrice keeps the source's sign, so
sums give net GBP revenue, while quantity is the unit count (the event type gives the
direction). session_id = InvoiceNo; unit_price and country are attributes. A UK gift and
home-ware retailer (many buyers are wholesalers) is not fashion: domain ``other``. Items
are the stock codes with descriptions. InvoiceDate is UK local time, read as UTC.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import query, read_text_table, require
from seamline.data.mapping import Mapping, TableMapping

NAME = "online-retail"
FILE = "online_retail_sample.csv"


def _events(lines: pa.Table) -> pa.Table:
    # Every row passes through: guest rows (CustomerID "NA", a quarter of the sample) get a
    # null user_id, which the ingester rejects and counts as missing_user_id; the 7 exact
    # duplicate rows are left for the ingester's dedupe. Negative-quantity lines on normal
    # invoices (zero-price stock write-offs, all by guests) also count as returns.
    return query(
        """
        SELECT NULLIF(CustomerID, 'NA') AS user_id, StockCode AS item_id,
               'other' AS domain,
               CASE WHEN starts_with(InvoiceNo, 'C') OR CAST(Quantity AS DOUBLE) < 0
                    THEN 'return' ELSE 'purchase' END AS event_type,
               CAST(strptime(InvoiceDate, '%Y-%m-%d %H:%M:%S') AS TIMESTAMPTZ) AS "timestamp",
               CAST(Quantity AS DOUBLE) * CAST(UnitPrice AS DOUBLE) AS value,
               abs(CAST(Quantity AS DOUBLE)) AS quantity,
               InvoiceNo AS session_id,
               CAST(UnitPrice AS DOUBLE) AS unit_price,
               Country AS country
        FROM lines
        """,
        lines=lines,
    )


def _items(lines: pa.Table) -> pa.Table:
    # A catalogue derived from the lines: one row per (stock code, description) seen, oldest
    # first, so the most recent description wins when the ingester keeps the latest version.
    # Prices are per line (they vary with order size), so they stay on the events.
    return query(
        """
        SELECT StockCode AS item_id, 'other' AS domain, Description AS title
        FROM lines
        WHERE Description IS NOT NULL
        GROUP BY StockCode, Description
        ORDER BY max(strptime(InvoiceDate, '%Y-%m-%d %H:%M:%S')), StockCode, Description
        """,
        lines=lines,
    )


def load(path: Path) -> SourceTables:
    (csv_path,) = require(path, FILE)
    lines = read_text_table(csv_path)
    return SourceTables(
        name=NAME,
        events=_events(lines),
        items=_items(lines),
        mapping=Mapping(events=TableMapping(custom_event_types=["return"])),
        notes=(
            "Rows are a 3.7% random sample of invoice lines, so baskets are incomplete and "
            "per-customer spend is about 3.7% of the true figure; 25% of rows are guests."
        ),
    )
