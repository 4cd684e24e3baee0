"""The dataset adapters against the real public datasets: exact counts from each SOURCE.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from seamline.data.columns import ALIASES, DOMAINS, TABLES
from seamline.data.datasets import ADAPTERS, SourceTables, load_dataset
from seamline.errors import DataError
from seamline.workspace import Workspace

pytestmark = pytest.mark.integration

Loader = Callable[[str], SourceTables]

# Required values a dataset legitimately lacks: (dataset, table, column) -> null count.
EXPECTED_NULLS = {("online-retail", "events", "user_id"): 5_078}


def counts(table: pa.Table, column: str) -> dict[Any, int]:
    return {r["values"]: r["counts"] for r in pc.value_counts(table[column]).to_pylist()}


def distinct(table: pa.Table, column: str) -> set[Any]:
    return set(pc.unique(table[column]).to_pylist())


def where(table: pa.Table, column: str, value: object) -> pa.Table:
    return table.filter(pc.equal(table[column], value))


def sql(query: str, **tables: pa.Table) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            con.register(name, table)
        return con.execute(query).fetchall()
    finally:
        con.close()


def exact_duplicate_rows(table: pa.Table) -> int:
    ((n,),) = sql(
        "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) FROM t", t=table
    )
    return int(n)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


# --- the contract every adapter keeps ------------------------------------------------


def test_unknown_dataset_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown dataset 'nope'"):
        load_dataset("nope", tmp_path)


def test_missing_file_is_a_data_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"u\.data: file not found"):
        load_dataset("movielens-100k", tmp_path)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_tables_follow_the_canonical_model(load_source: Loader, name: str) -> None:
    source = load_source(name)
    assert source.name == name
    assert source.notes.endswith(".")
    assert source.tables(), "an adapter returns at least one table"
    for table_name, table in source.tables().items():
        tm = source.mapping.for_table(table_name)
        spec = TABLES[table_name]
        for col in spec.values():
            if not col.required or (col.kind == "timestamp" and not tm.timestamp_required):
                continue
            assert col.name in table.column_names, f"{table_name}.{col.name}"
            expected = EXPECTED_NULLS.get((name, table_name, col.name), 0)
            assert table[col.name].null_count == expected, f"{table_name}.{col.name}"
        for column in table.column_names:
            if column in spec and spec[column].kind == "id":
                assert table.schema.field(column).type == pa.string(), column
            if column in spec and spec[column].kind == "timestamp":
                assert table.schema.field(column).type == pa.timestamp("us", tz="UTC")
        # An extra column named like an alias would be silently read as a canonical one.
        assert not set(table.column_names) & set(ALIASES[table_name])
        if "domain" in spec:
            assert distinct(table, "domain") <= set(DOMAINS)
        if table_name == "events":
            assert distinct(table, "event_type") <= set(tm.allowed_event_types)


NO_REJECTS: dict[str, int] = {}


@pytest.mark.parametrize(
    ("name", "rejected", "duplicates"),
    [
        ("movielens-100k", NO_REJECTS, 0),
        ("hm-fashion", NO_REJECTS, 0),
        ("oulad", NO_REJECTS, 0),
        ("douban-book-music", NO_REJECTS, 0),
        ("hillstrom", NO_REJECTS, 0),
        ("online-retail", {"missing_user_id": 5_078}, 7),
    ],
)
def test_events_ingest_with_exact_accounting(
    load_source: Loader, tmp_path: Path, name: str, rejected: dict[str, int], duplicates: int
) -> None:
    source = load_source(name)
    summary = Workspace(tmp_path).ingest_source(source).to_dict()
    (events,) = [f for f in summary["files"] if f["table"] == "events"]
    assert events["rows"] == source.events.num_rows
    assert events["rejected_by_reason"] == rejected
    assert events["duplicates"] == duplicates
    assert events["accepted"] == events["rows"] - sum(rejected.values()) - duplicates


# --- per dataset: counts published in shared/data/*/SOURCE.md ----------------------------


def test_movielens(load_source: Loader) -> None:
    s = load_source("movielens-100k")
    assert s.events is not None and s.items is not None and s.users is not None
    assert (s.events.num_rows, s.users.num_rows, s.items.num_rows) == (100_000, 943, 1_682)
    assert len(distinct(s.events, "user_id")) == 943
    assert counts(s.events, "rating") == {1: 6_110, 2: 11_370, 3: 27_145, 4: 34_174, 5: 21_201}
    assert distinct(s.events, "domain") == {"other"} == distinct(s.items, "domain")
    assert distinct(s.events, "event_type") == {"rate"}
    lo, hi = pc.min_max(s.events["timestamp"]).values()
    assert (lo.as_py(), hi.as_py()) == (utc(1997, 9, 20, 3, 5, 10), utc(1998, 4, 22, 23, 10, 38))
    toy_story = where(s.items, "item_id", "1").to_pylist()[0]
    assert toy_story["title"] == "Toy Story (1995)"
    assert toy_story["tags"] == "Animation|Children's|Comedy"
    assert toy_story["category"] == "Animation"
    assert toy_story["release_date"] == "1995-01-01"
    user = where(s.users, "user_id", "1").to_pylist()[0]
    assert (user["age"], user["gender"], user["occupation"], user["zip_code"]) == (
        24,
        "M",
        "technician",
        "85711",
    )


def test_hm_fashion(load_source: Loader) -> None:
    s = load_source("hm-fashion")
    assert s.events is not None and s.items is not None and s.users is not None
    # 10,000 units bought; the 910 rows repeating another are folded into quantities.
    assert (s.events.num_rows, s.items.num_rows, s.users.num_rows) == (9_090, 4_903, 10_000)
    assert pc.sum(s.events["quantity"]).as_py() == 10_000
    units = pc.multiply(s.events["unit_price"], s.events["quantity"])
    assert pc.max(pc.abs(pc.subtract(units, s.events["value"]))).as_py() < 1e-12
    channel_units = s.events.group_by("channel").aggregate([("quantity", "sum")]).to_pylist()
    assert {r["channel"]: r["quantity_sum"] for r in channel_units} == {
        "online": 7_313,
        "store": 2_687,
    }
    assert exact_duplicate_rows(s.events) == 0
    assert len(distinct(s.events, "user_id")) == 2_954
    assert distinct(s.events, "item_id") == distinct(s.items, "item_id")
    assert distinct(s.events, "timestamp") == {utc(2018, 9, 20)}
    assert distinct(s.events, "event_type") == {"purchase"}
    assert pc.min(s.events["value"]).as_py() > 0
    known = s.events.filter(pc.is_in(s.events["user_id"], s.users["user_id"]))
    assert pc.sum(known["quantity"]).as_py() == 334  # units whose buyer has a profile
    assert distinct(s.items, "brand") == {"H&M"} and distinct(s.items, "domain") == {"fashion"}
    assert counts(s.items, "index_group_name") == {
        "Ladieswear": 2_583, "Divided": 1_108, "Baby/Children": 703, "Menswear": 317,
        "Sport": 192,
    }  # fmt: skip
    strap_top = where(s.items, "item_id", "108775015").to_pylist()[0]
    assert strap_top["title"] == "Strap top"
    assert strap_top["tags"] == "Black|Jersey Basic|Ladieswear"
    ages = s.users["age"]
    assert (pc.min(ages).as_py(), pc.max(ages).as_py()) == (16, 97)


def test_udemy_courses(load_source: Loader) -> None:
    s = load_source("udemy-courses")
    assert s.events is None and s.users is None and s.items is not None
    assert s.items.num_rows == 3_678
    assert len(distinct(s.items, "item_id")) == 3_672  # 6 repeated ids passed through
    assert counts(s.items, "category") == {
        "Web Development": 1_200, "Business Finance": 1_195, "Musical Instruments": 680,
        "Graphic Design": 603,
    }  # fmt: skip
    assert counts(s.items, "is_paid") == {True: 3_368, False: 310}
    assert pc.max(s.items["price"]).as_py() == 200
    assert distinct(s.items, "domain") == {"knowledge"}
    assert distinct(s.items, "brand") == {"Udemy"}
    assert s.items["title"].null_count == 4


def test_oulad(load_source: Loader) -> None:
    s = load_source("oulad")
    assert s.events is not None and s.items is not None and s.users is not None
    assert counts(s.events, "event_type") == {
        "enroll": 12_489, "complete": 7_310 + 1_607, "assess": 36_184,
    }  # fmt: skip
    assert "assess" in s.mapping.events.custom_event_types
    assert len(distinct(s.events, "event_id")) == s.events.num_rows
    assert counts(where(s.events, "event_type", "complete"), "final_result") == {
        "Pass": 7_310, "Distinction": 1_607,
    }  # fmt: skip
    assert s.events["timestamp"].null_count == 0
    assert (s.users.num_rows, len(distinct(s.users, "user_id"))) == (12_489, 12_400)
    assert (s.items.num_rows, distinct(s.items, "item_id")) == (
        12,
        {"AAA", "BBB", "DDD", "EEE", "FFF", "GGG"},
    )
    assert distinct(s.events, "domain") == {"knowledge"}
    # Student 11391 registered for AAA 2013J 159 days before the assumed 2013-10-01 start.
    enrol = sql(
        "SELECT timestamp FROM e WHERE event_id = 'oulad-enroll-AAA-2013J-11391'", e=s.events
    )
    assert enrol == [(utc(2013, 4, 25),)]


def test_douban_book_music(load_source: Loader) -> None:
    s = load_source("douban-book-music")
    assert s.events is not None and s.items is None and s.users is None
    assert counts(s.events, "domain") == {"knowledge": 96_041, "other": 69_709}
    books = where(s.events, "domain", "knowledge")
    music = where(s.events, "domain", "other")
    assert len(distinct(books, "user_id")) == 2_110 and len(distinct(music, "user_id")) == 1_672
    assert len(distinct(books, "user_id") & distinct(music, "user_id")) == 1_566
    assert len(distinct(books, "item_id")) == 6_777 and len(distinct(music, "item_id")) == 5_567
    assert all(i.startswith("book-") for i in distinct(books, "item_id"))
    assert all(i.startswith("music-") for i in distinct(music, "item_id"))
    assert counts(books, "rating") == {1: 1_605, 2: 4_207, 3: 21_018, 4: 38_975, 5: 30_236}
    assert distinct(s.events, "event_type") == {"rate"}
    assert s.events["timestamp"].null_count == s.events.num_rows
    assert s.mapping.events.timestamp_required is False


def test_amazon_cloth_sport(load_source: Loader) -> None:
    s = load_source("amazon-cloth-sport")
    assert s.events is not None
    by_part = sql("SELECT domain, split, count(*) FROM e GROUP BY ALL", e=s.events)
    assert set(by_part) == {
        ("fashion", "train", 87_829), ("fashion", "test_original", 9_928),
        ("other", "train", 92_612), ("other", "test_original", 9_928),
    }  # fmt: skip
    cloth = where(s.events, "domain", "fashion")
    sport = where(s.events, "domain", "other")
    assert distinct(cloth, "user_id") == distinct(sport, "user_id")
    assert len(distinct(cloth, "user_id")) == 9_928
    assert len(distinct(where(cloth, "split", "train"), "item_id")) == 39_008
    assert len(distinct(where(sport, "split", "train"), "item_id")) == 30_796
    assert all(i.startswith("cloth-") for i in distinct(cloth, "item_id"))
    assert all(i.startswith("sport-") for i in distinct(sport, "item_id"))
    assert s.events["timestamp"].null_count == s.events.num_rows
    assert s.mapping.events.timestamp_required is False


def test_hillstrom(load_source: Loader) -> None:
    s = load_source("hillstrom")
    assert s.events is not None and s.items is not None and s.users is not None
    assert s.users.num_rows == 64_000 == len(distinct(s.users, "user_id"))
    assert s.users["user_id"][0].as_py() == "hillstrom-000001"
    assert counts(s.users, "arm") == {
        "Mens E-Mail": 21_307, "Womens E-Mail": 21_387, "No E-Mail": 21_306,
    }  # fmt: skip
    assert counts(s.events, "event_type") == {"email": 42_694, "visit": 9_394, "purchase": 578}
    assert {"email", "visit"} <= set(s.mapping.events.custom_event_types)
    assert distinct(s.events, "item_id") == {"hillstrom-store"} == distinct(s.items, "item_id")
    assert distinct(s.events, "domain") == {"fashion"}
    assert s.events["timestamp"].null_count == s.events.num_rows
    # The published arm-level results: visit rate and spend per customer.
    arms = sql(
        """
        SELECT arm, round(100.0 * count(*) FILTER (WHERE event_type = 'visit') / any_value(n), 2),
               round(coalesce(sum(value), 0) / any_value(n), 2)
        FROM (SELECT *, count(*) OVER (PARTITION BY arm) AS n FROM u)
        LEFT JOIN e USING (user_id) GROUP BY arm
        """,
        u=s.users,
        e=s.events,
    )
    assert set(arms) == {
        ("Mens E-Mail", 18.28, 1.42), ("Womens E-Mail", 15.14, 1.08),
        ("No E-Mail", 10.62, 0.65),
    }  # fmt: skip


def test_online_retail(load_source: Loader) -> None:
    s = load_source("online-retail")
    assert s.events is not None and s.items is not None
    e = s.events
    assert e.num_rows == 20_000
    assert e["user_id"].null_count == 5_078  # guests, for the ingester to reject and count
    assert len(distinct(e, "user_id") - {None}) == 3_049
    assert len(distinct(e, "session_id")) == 9_362
    cancelled = pc.starts_with(e["session_id"], "C")
    assert pc.sum(cancelled).as_py() == 350
    assert counts(e, "event_type") == {"purchase": 19_602, "return": 398}
    assert "return" in s.mapping.events.custom_event_types
    assert pc.sum(e["value"]).as_py() == pytest.approx(367_644.91)
    assert pc.min(e["quantity"]).as_py() >= 0
    assert pc.max(where(e, "event_type", "return")["value"]).as_py() <= 0
    assert exact_duplicate_rows(e) == 7
    lo, hi = pc.min_max(e["timestamp"]).values()
    assert (lo.as_py(), hi.as_py()) == (utc(2010, 12, 1, 8, 34), utc(2011, 12, 9, 12, 50))
    assert counts(e, "country")["United Kingdom"] == 18_331
    assert distinct(e, "domain") == {"other"} == distinct(s.items, "domain")
