"""Ingest step: replace raw user ids in the `stage` table by keyed pseudonyms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data.store import register_udf

if TYPE_CHECKING:
    import duckdb

    from seamline.pii.keyring import KeyRing

PSEUDONYM_UDF = "seamline_pseudonym"


def pseudonymise_stage(
    con: duckdb.DuckDBPyConnection, keyring: KeyRing, user_column: str | None
) -> None:
    """Replace raw user ids in the ingest `stage` (and in kept reject rows) by pseudonyms.

    Each distinct id is hashed once (users are far fewer than events), then joined back.
    """
    register_udf(con, PSEUDONYM_UDF, keyring.pseudonym)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _pmap AS SELECT u AS raw, {PSEUDONYM_UDF}(u) AS p "
        "FROM (SELECT DISTINCT user_id AS u FROM stage WHERE user_id IS NOT NULL)"
    )
    con.execute("UPDATE stage SET user_id = m.p FROM _pmap m WHERE stage.user_id = m.raw")
    if user_column is not None:
        # The kept raw row of a reject would otherwise hold the raw id.
        con.execute(
            "UPDATE stage SET reject_raw = json_merge_patch(reject_raw, json_object(?, user_id)), "
            "reject_value = CASE WHEN reject_column = ? THEN user_id ELSE reject_value END "
            "WHERE reject_raw IS NOT NULL",
            [user_column, user_column],
        )
    con.execute("DROP TABLE _pmap")
