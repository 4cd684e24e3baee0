"""H&M Personalized Fashion Recommendations, small real sample (folder ``hm-fashion``).

transactions_train.csv -> ``purchase`` events on one day (t_dat at 00:00 UTC); identical
rows are folded into ``quantity`` units with value = normalised price x quantity; channel
``store``/``online`` from sales_channel_id 1/2. articles.csv -> items (title = prod_name,
description = detail_desc, category = product_type_name, brand H&M, tags = colour |
department | index group, the other descriptive names as attributes). customers.csv ->
users with age and club/newsletter attributes. Everything is ``fashion``. Ids are read as
strings, so article ids keep any leading zeros.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import query, read_text_table, require

NAME = "hm-fashion"


def _events(path: Path) -> pa.Table:
    # One source row per unit bought. 910 rows exactly repeat another: the same customer
    # bought the same article again that day at the same price and channel. They are real
    # units, not logging errors, so identical rows become one purchase with `quantity`
    # units and `value` = price x quantity (left as rows, the ingester would rightly drop
    # them as exact duplicates). No unit is lost: sum(quantity) is the row count.
    tx = read_text_table(path)
    return query(
        """
        SELECT customer_id AS user_id, article_id AS item_id, 'fashion' AS domain,
               'purchase' AS event_type,
               CAST(CAST(t_dat AS DATE) AS TIMESTAMPTZ) AS "timestamp",
               CAST(price AS DOUBLE) * count(*) AS value,
               CAST(count(*) AS DOUBLE) AS quantity,
               CAST(price AS DOUBLE) AS unit_price,
               CASE sales_channel_id WHEN '1' THEN 'store' WHEN '2' THEN 'online' END
                   AS channel
        FROM (SELECT *, row_number() OVER () AS n FROM tx)
        GROUP BY customer_id, article_id, t_dat, price, sales_channel_id
        ORDER BY min(n)
        """,
        tx=tx,
    )


def _items(path: Path) -> pa.Table:
    # The leading unnamed column is a leftover pandas index; the *_no / *_code columns are
    # numeric codes of the names kept below, so only the names are kept.
    articles = read_text_table(path)
    return query(
        """
        SELECT article_id AS item_id, 'fashion' AS domain, prod_name AS title,
               detail_desc AS description, product_type_name AS category, 'H&M' AS brand,
               NULLIF(concat_ws('|', colour_group_name, department_name, index_group_name),
                      '') AS tags,
               product_code, product_group_name, graphical_appearance_name,
               colour_group_name, perceived_colour_value_name, perceived_colour_master_name,
               department_name, index_name, index_group_name, section_name,
               garment_group_name
        FROM articles
        """,
        articles=articles,
    )


def _users(path: Path) -> pa.Table:
    # FN and Active are 1.0 or empty (not recorded) in the source.
    customers = read_text_table(path)
    return query(
        """
        SELECT customer_id AS user_id, CAST(age AS DOUBLE) AS age,
               CAST(FN AS DOUBLE) = 1 AS fashion_news_subscribed,
               CAST(Active AS DOUBLE) = 1 AS active,
               club_member_status, fashion_news_frequency, postal_code
        FROM customers
        """,
        customers=customers,
    )


def load(path: Path) -> SourceTables:
    tx, articles, customers = require(
        path, "transactions_train.csv", "articles.csv", "customers.csv"
    )
    return SourceTables(
        name=NAME,
        events=_events(tx),
        items=_items(articles),
        users=_users(customers),
        notes=(
            "All transactions are on one day (2018-09-20), prices are normalised rather than "
            "a currency, and only 334 transaction rows have their customer in customers.csv."
        ),
    )
