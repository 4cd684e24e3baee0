"""One SQL text, two engines: the rendered Spark SQL means what DuckDB's does."""

from __future__ import annotations

import duckdb
import pytest

from seamline.engine import DuckEngine, EngineConfig, open_engine, render
from seamline.errors import ConfigError

# Monday 2026-06-01 .. Sunday 2026-06-07, each at 00:00:01.5.
DAYS = ", ".join(f"(CAST('2026-06-0{d} 00:00:01.5' AS TIMESTAMP), {d})" for d in range(1, 8))
PROBE = f"""
SELECT d, isodow(d) AS dow, epoch(d) AS secs, 'ü' AS "brand_青藤"
FROM (VALUES {DAYS}) t(d, x)
ORDER BY d
"""


def test_spark_rendering_matches_duckdb(spark: EngineConfig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    local = DuckEngine(con).fetch(PROBE)
    assert [r[1] for r in local] == [1, 2, 3, 4, 5, 6, 7]
    with open_engine(spark, con, tmp_path) as eng:
        remote = eng.fetch(PROBE)
        eng.create("probe", PROBE)
        assert eng.columns("probe") == ["d", "dow", "secs", "brand_青藤"]
    assert [r[1:] for r in remote] == [r[1:] for r in local]
    assert remote[0][2] == pytest.approx(1780272001.5)


# Groups with repeats, NULLs, and only NULLs (a count of 0, not NULL).
DISTINCT = """
SELECT g, count(DISTINCT v) AS n, count(DISTINCT CASE WHEN v > 1 THEN v END) AS big,
       count(*) AS rows
FROM (VALUES ('a', 1), ('a', 1), ('a', 2), ('a', NULL), ('b', NULL), ('c', 3)) t(g, v)
GROUP BY g ORDER BY g
"""


def test_count_distinct_counts_the_same_on_spark(spark: EngineConfig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "COLLECT_SET" in render(DISTINCT, "spark")
    con = duckdb.connect()
    local = DuckEngine(con).fetch(DISTINCT)
    assert local == [("a", 2, 1, 4), ("b", 0, 0, 1), ("c", 1, 1, 1)]
    with open_engine(spark, con, tmp_path) as eng:
        assert eng.fetch(DISTINCT) == local


def test_duckdb_text_is_returned_unchanged() -> None:
    sql = "SELECT isodow(ts) FROM t"
    assert render(sql, "duckdb") is sql


def test_spark_without_pyspark_names_the_extra(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    import seamline.engine.spark as spark_mod

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ConfigError, match=r"seamline\[spark\]"):
        spark_mod.spark_session(EngineConfig(name="spark"))


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ConfigError, match="name"):
        EngineConfig(name="sparkle")  # type: ignore[arg-type]
