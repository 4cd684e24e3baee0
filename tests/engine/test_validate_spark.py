"""Ingestion's rules on Spark: the same rejects, with the same reasons, as the ingest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from _support.store import Store
from seamline.engine import EngineConfig, open_engine
from seamline.engine.validate import csv_rejects

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,quantity,rating"
ROWS = [
    "e1,u1,i1,fashion,view,2026-05-01T08:00:00Z,,,",  # fine
    "e2,u1,i1,fashion,purchase,1777622400,20.5,1,",  # fine: epoch seconds
    "e3,u2,i2,knowledge,enroll,20260502,30,1,",  # fine: YYYYMMDD
    "e4,,i1,fashion,view,2026-05-01T08:00:00Z,,,",  # missing user
    "e5,u3,i1,fashion,view,not a date,,,",  # bad timestamp
    "e6,u3,i1,fashion,view,1960-01-01,,,",  # before 1970
    "e7,u3,i1,fashion,teleport,2026-05-01,,,",  # bad event type
    "e8,u3,i1,space,view,2026-05-01,,,",  # bad domain
    "e9,u3,i1,fashion,purchase,2026-05-01,abc,1,",  # bad value
    "e10,u3,i1,fashion,purchase,2026-05-01,10,-2,",  # negative quantity
    "e11,u3,i1,fashion,purchase,2026-05-01,1e12,1,",  # value out of range
    "e12,u3,i1,fashion,purchase,2026-05-01,inf,1,",  # not finite
    f"e13,{'x' * 300},i1,fashion,view,2026-05-01,,,",  # id too long
    "e14,u\u200b3,i1,fashion,view,2026-05-01,,,",  # zero-width character in an id
    'e15,"{""a"": 1}",i1,fashion,view,2026-05-01,,,',  # a JSON object as an id
    "e16,NA,i1,fashion,view,2026-05-01,,,",  # a null token is empty
    "e17,u4,i1, Fashion ,VIEW,2026-05-01 10:00:00,,,",  # fine: trimmed, lower-cased
    "e18,u4,i1,fashion,rate,2026-05-01,,,101",  # rating out of range
    "e19,u4,i1,fashion,view,2026-05-01T08:00:00+08:00,,,",  # fine: an offset
]


def test_spark_refuses_the_same_rows_for_the_same_reasons(
    spark: EngineConfig, store: Store, tmp_path: Path
) -> None:
    csv = store.write("events.csv", "\n".join([HEADER, *ROWS]) + "\n")
    store.ingest(events=csv)
    stored = store.query("SELECT reason, column_name, value FROM rejects")
    expected = Counter((r, c, v) for r, c, v in stored)
    assert sum(expected.values()) == 14
    with open_engine(spark, duckdb.connect(), tmp_path) as eng:
        found = Counter(csv_rejects(eng, "events", str(csv)))  # type: ignore[arg-type]
    assert found == expected
