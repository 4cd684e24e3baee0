"""Interest embedding: text embeddings of items, averaged over each user's events.

No model is downloaded: item texts (title, category, brand) go through TF-IDF over
character 2-4-grams, which needs no tokenizer and so works for Chinese and English alike,
then a seeded TruncatedSVD. A user's embedding is the weighted mean of the embeddings of
the items they interacted with (purchases weigh 3, other events 1), computed in SQL so it
scales with the event table.
"""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import pyarrow as pa

from seamline.data import schema
from seamline.data.textvec import char_ngram_vectors
from seamline.features.base import Context

log = logging.getLogger(__name__)

TABLE = "item_embeddings"
BUY_WEIGHT = 3.0

DESCRIPTIONS = {"emb_*": "interest embedding: mean text embedding of items interacted with"}


def embed_items(
    con: duckdb.DuckDBPyConnection, dim: int, max_features: int, seed: int
) -> list[str]:
    """Write `item_embeddings` (item_id, domain, emb_0..) and return the embedding columns
    (empty when the catalog has too little text)."""
    rows = con.execute(
        """
        SELECT item_id, domain,
               concat_ws(' ', title, replace(category, '_', ' '), brand) AS text
        FROM items
        WHERE COALESCE(title, category, brand) IS NOT NULL
        ORDER BY item_id, domain
        """
    ).fetchall()
    schema.drop(con, TABLE)
    if len(rows) < 3:
        log.info("text embedding skipped: %d items with text", len(rows))
        return []
    texts = [r[2] for r in rows]
    vectors = char_ngram_vectors(texts, dim, max_features, seed)
    k = vectors.shape[1]
    if k < 1:
        return []
    names = [f"emb_{j}" for j in range(k)]
    table = pa.table(
        {
            "item_id": [r[0] for r in rows],
            "domain": [r[1] for r in rows],
            **{n: pa.array(vectors[:, j].astype(np.float32)) for j, n in enumerate(names)},
        }
    )
    con.register("_item_embeddings_arrow", table)
    schema.create_as(con, TABLE, "SELECT * FROM _item_embeddings_arrow")
    con.unregister("_item_embeddings_arrow")
    log.info("embedded %d items in %d dimensions", len(rows), k)
    return names


def sql(ctx: Context, names: list[str]) -> str:
    w = f"CASE WHEN e.is_buy THEN {BUY_WEIGHT} ELSE 1.0 END"
    cols = ",\n".join(f"       sum({w} * x.{n}) / sum({w}) AS {n}" for n in names)
    return f"""
SELECT e.user_id,
{cols}
FROM fe_events e
JOIN {TABLE} x ON x.item_id = e.item_id AND x.domain = e.domain
GROUP BY e.user_id
"""
