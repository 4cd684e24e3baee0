"""Ingestion: exact rejects per rule, accounting, re-ingest, dedupe, bots, upserts."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seamline.data.ingest import BOT_EVENTS_PER_MINUTE
from seamline.errors import DataError
from seamline.workspace import Workspace

if TYPE_CHECKING:
    from _support.store import Store

EVENTS_HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,quantity,rating"

OK = "fashion,view,2026-01-02T10:00:00Z,1,1,5"  # the valid tail of a row after user, item

# One planted row per rule; the comment is the file line (the header is line 1).
PLANTED = [
    "e1,u1,i1," + OK,  # 2  good
    "e2,,i1," + OK,  # 3  missing_user_id
    "e3,u1,," + OK,  # 4  missing_item_id
    "e4,u1,i1,fashion,,2026-01-02,1,1,5",  # 5  missing_event_type
    "e5,u1,i1,fashion,view,,1,1,5",  # 6  missing_timestamp
    "e6,u1,i1,fashion,view,2026-13-01,1,1,5",  # 7  bad_timestamp
    "e7,u1,i1,fashion,view,not a date,1,1,5",  # 8  bad_timestamp
    "e8,u1,i1,fashion,view,31/02/2026,1,1,5",  # 9  bad_timestamp
    "e9,u1,i1,fashion,view,1969-07-20,1,1,5",  # 10 timestamp_out_of_range
    "e10,u1,i1,fashion,view,2999-01-01,1,1,5",  # 11 timestamp_out_of_range
    "e11,u1,i1,fashion,teleport,2026-01-02,1,1,5",  # 12 bad_event_type
    "e12,u1,i1,sports,view,2026-01-02,1,1,5",  # 13 bad_domain
    "e13,u1,i1,fashion,view,2026-01-02,abc,1,5",  # 14 bad_value
    "e14,u1,i1,fashion,view,2026-01-02,inf,1,5",  # 15 bad_value
    "e15,u1,i1,fashion,view,2026-01-02,1,-3,5",  # 16 bad_quantity
    "e16,u1,i1,fashion,view,2026-01-02,1,1,-1",  # 17 bad_rating
    "e17,u1,i1,fashion,view,2026-01-02,1,1,five",  # 18 bad_rating
    "e18,NA,i1," + OK,  # 19 missing_user_id (null token)
    "e19,u1,null," + OK,  # 20 missing_item_id (null token)
    "e20,u1,i1," + OK + ",surplus",  # 21 malformed_line (too many)
    "e21,u1,i1,fashion,view",  # 22 malformed_line (too few)
    "e22,,i1," + OK,  # 23 missing_user_id after those
    "e23,u2,i2," + OK,  # 24 good
]

EXPECTED_REJECTS = [
    (3, "user_id", "missing_user_id"),
    (4, "item_id", "missing_item_id"),
    (5, "event_type", "missing_event_type"),
    (6, "timestamp", "missing_timestamp"),
    (7, "timestamp", "bad_timestamp"),
    (8, "timestamp", "bad_timestamp"),
    (9, "timestamp", "bad_timestamp"),
    (10, "timestamp", "timestamp_out_of_range"),
    (11, "timestamp", "timestamp_out_of_range"),
    (12, "event_type", "bad_event_type"),
    (13, "domain", "bad_domain"),
    (14, "value", "bad_value"),
    (15, "value", "bad_value"),
    (16, "quantity", "bad_quantity"),
    (17, "rating", "bad_rating"),
    (18, "rating", "bad_rating"),
    (19, "user_id", "missing_user_id"),
    (20, "item_id", "missing_item_id"),
    (21, "", "malformed_line"),
    (22, "", "malformed_line"),
    (23, "user_id", "missing_user_id"),
]


def test_each_rule_rejects_exactly_its_planted_row(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    s = store.ingest(events=events_csv(PLANTED)).to_dict()
    assert store.rejects() == EXPECTED_REJECTS
    assert s["rejected_by_reason"] == {
        "bad_domain": 1,
        "bad_event_type": 1,
        "bad_quantity": 1,
        "bad_rating": 2,
        "bad_timestamp": 3,
        "bad_value": 2,
        "malformed_line": 2,
        "missing_event_type": 1,
        "missing_item_id": 2,
        "missing_timestamp": 1,
        "missing_user_id": 3,
        "timestamp_out_of_range": 2,
    }
    assert (s["rows"], s["accepted"], s["rejected"], s["duplicates"]) == (23, 2, 21, 0)
    assert sorted(r[0] for r in store.query("SELECT event_id FROM events")) == ["e1", "e23"]


def test_reject_value_and_message_say_what_was_wrong(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    store.ingest(events=events_csv(PLANTED))
    rows = {
        int(r[0]): (r[1], r[2]) for r in store.query("SELECT line, value, message FROM rejects")
    }
    assert rows[3] == (None, "column 'user_id': (empty) is empty (required)")
    assert rows[7][0] == "2026-13-01" and "is not a date" in rows[7][1]
    assert rows[15] == ("inf", "column 'value': 'inf' is not a finite number")
    assert rows[16] == ("-3", "column 'quantity': '-3' is not a non-negative number")
    assert rows[19][0] == "NA" and "is empty" in rows[19][1]
    assert "too many columns" in rows[21][1] and "missing columns" in rows[22][1]
    assert all(
        r[0] == str(store.folder / "events.csv") for r in store.query("SELECT file FROM rejects")
    )


def test_rejects_keep_the_raw_row(store: Store, events_csv: Callable[..., Path]) -> None:
    store.ingest(events=events_csv(PLANTED))
    raw = store.reject_raw()
    assert raw[7] == {
        "event_id": "e6",
        "user_id": "u1",
        "item_id": "i1",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-13-01",
        "value": "1",
        "quantity": "1",
        "rating": "5",
    }
    assert raw[19]["user_id"] == "NA"  # the original text, not the cleaned NULL
    assert raw[13]["domain"] == "sports"
    assert raw[21] == {"line": "e20,u1,i1," + OK + ",surplus"}
    assert raw[22] == {"line": "e21,u1,i1,fashion,view"}
    # every planted value of every rejected row is in its raw JSON: nothing is lost
    for line, row in raw.items():
        text = PLANTED[line - 2]
        if "line" in row:
            assert row["line"] == text
        else:
            assert ",".join("" if v is None else v for v in row.values()) == text


def test_a_rejected_row_reports_the_first_rule_it_breaks(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    store.ingest(events=events_csv(["e1,,i1,sports,view,never,abc,1,5"]))
    assert store.rejects() == [(2, "user_id", "missing_user_id")]


def test_whitespace_and_null_tokens_count_as_empty(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    rows = [
        f"e{i},{u},i1,{OK}"
        for i, u in enumerate(["  ", "null", "NULL", "None", "N/A", "nan", " NA ", "\t", "\tNA "])
    ]
    s = store.ingest(events=events_csv(rows)).to_dict()
    assert s["rejected_by_reason"] == {"missing_user_id": 9}
    assert [r[0] for r in store.rejects()] == list(range(2, 11))


def test_optional_null_tokens_are_stored_as_null(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    store.ingest(events=events_csv(["e1,u1,i1,fashion,view,2026-01-02,NA,null,"]))
    assert store.query("SELECT value, quantity, rating FROM events") == [(None, None, None)]


def test_line_numbers_count_blank_lines_and_multiline_fields(store: Store) -> None:
    text = (
        "event_id,user_id,item_id,domain,event_type,timestamp,note\n"  # 1
        'e1,u1,i1,fashion,view,2026-01-02,"a note\n'  # 2
        'over two lines"\n'  # 3
        "\n"  # 4
        "e2,,i1,fashion,view,2026-01-02,x\n"  # 5
        "e3,u1,i1,fashion,view,2026-01-02,x,surplus\n"  # 6
        "\n"  # 7
        'e4,u1,i1,fashion,view,bad,"say ""hi"""\n'  # 8
        "e5,u1,i1,fashion,nope,2026-01-02,x\n"  # 9
    )
    s = store.ingest(events=store.write("e.csv", text)).to_dict()
    assert store.rejects() == [
        (5, "user_id", "missing_user_id"),
        (6, "", "malformed_line"),
        (8, "timestamp", "bad_timestamp"),
        (9, "event_type", "bad_event_type"),
    ]
    assert (s["rows"], s["accepted"], s["rejected"]) == (5, 1, 4)
    assert store.query("SELECT attrs->>'note' FROM events") == [("a note\nover two lines",)]


def test_jsonl_rejects_have_file_lines(store: Store) -> None:
    ok = '"item_id": "i1", "domain": "fashion", "event_type": "view"'
    text = (
        "\n".join(
            [
                f'{{"event_id": "e1", "user_id": "u1", {ok}, "timestamp": "2026-01-02"}}',  # 1
                '{"event_id": "e2", "user_id": "u1", broken',  # 2
                "",  # 3
                f'{{"event_id": "e3", "user_id": null, {ok}, "timestamp": "2026-01-02"}}',  # 4
                "[1, 2, 3]",  # 5
                f'{{"event_id": "e4", "user_id": "u4", {ok}, "timestamp": "soon"}}',  # 6
                f'{{"event_id": "e5", "user_id": "u5", {ok}, "timestamp": 1767348000}}',  # 7
            ]
        )
        + "\n"
    )
    s = store.ingest(events=store.write("e.jsonl", text)).to_dict()
    assert store.rejects() == [
        (2, "", "malformed_line"),
        (4, "user_id", "missing_user_id"),
        (5, "", "malformed_line"),
        (6, "timestamp", "bad_timestamp"),
    ]
    assert (s["rows"], s["accepted"], s["rejected"]) == (6, 2, 4)
    assert store.reject_raw()[2]["line"] == '{"event_id": "e2", "user_id": "u1", broken'
    assert store.reject_raw()[6]["timestamp"] == "soon"


# "Done when": planted bad timestamps, empty user ids and exact duplicates.
DONE_WHEN = [
    "e1,u1,i1," + OK,  # 2
    "e2,u1,i2,fashion,view,2026-02-30T10:00:00,1,1,5",  # 3 bad_timestamp
    "e3,,i3," + OK,  # 4 missing_user_id
    "e1,u1,i1," + OK,  # 5 exact duplicate of line 2
    ",u2,i1," + OK,  # 6
    ",u2,i1," + OK,  # 7 exact duplicate of line 6
    ",u2,i1," + OK,  # 8 and again
    "e4,u3,i4,knowledge,enroll,yesterday,1,1,5",  # 9 bad_timestamp
    "e5,,i5," + OK,  # 10 missing_user_id
    "e6,u4,i6,knowledge,enroll,2026-01-03,49,1,",  # 11
]


def test_done_when_scenario(store: Store, events_csv: Callable[..., Path]) -> None:
    path = events_csv(DONE_WHEN)
    first = store.ingest(events=path).to_dict()
    assert store.rejects() == [
        (3, "timestamp", "bad_timestamp"),
        (4, "user_id", "missing_user_id"),
        (9, "timestamp", "bad_timestamp"),
        (10, "user_id", "missing_user_id"),
    ]
    assert first["rejected_by_reason"] == {"bad_timestamp": 2, "missing_user_id": 2}
    assert first["duplicates_by_kind"] == {"exact_row": 2, "repeated_event_id": 1}
    assert (first["rows"], first["accepted"], first["rejected"], first["duplicates"]) == (
        10,
        3,
        4,
        3,
    )
    assert store.count("events") == 3

    again = store.ingest(events=path).to_dict()
    assert again["accepted"] == 0
    assert again["duplicates"] == 6 and again["rejected"] == 4
    assert again["rows"] == again["rejected"] + again["duplicates"]
    assert store.count("events") == 3
    assert store.count("rejects") == 4  # reported again, not stored twice

    new = events_csv(["e7,u5,i7," + OK, ",u2,i1," + OK, "e8,,i8," + OK], name="more.csv")
    third = store.ingest(events=new).to_dict()
    assert (third["accepted"], third["duplicates"], third["rejected"]) == (1, 1, 1)
    assert third["duplicates_by_kind"] == {"exact_row": 1}
    assert store.count("events") == 4
    assert store.count("rejects") == 5
    assert store.query("SELECT line FROM rejects WHERE file LIKE '%more.csv'") == [(4,)]
    assert sorted(r[0] for r in store.query("SELECT DISTINCT ingest_id FROM events")) == [1, 3]


# Property: no row is ever lost, and a second ingest adds nothing.
USERS = st.sampled_from(["u1", "u2", "U3", "", "NA", "  u4 "])
TIMES = st.sampled_from(
    [
        "2026-01-02T10:00:00Z",
        "2026-01-02",
        "1767348000",
        "bad",
        "",
        "1969-01-01",
        "2026-01-02T18:00:00+08:00",
    ]
)
VALUES = st.sampled_from(["", "1", "2.5", "-4", "abc", "inf", "null"])
ROW = st.tuples(
    st.one_of(st.just(""), st.sampled_from(["e1", "e2", "e3", "e4"])),  # event_id
    USERS,
    st.sampled_from(["i1", "i2", "", "i,3", 'i"4']),  # item_id
    st.sampled_from(["fashion", " Fashion ", "knowledge", "sports"]),
    st.sampled_from(["view", "PURCHASE", "cart", "fly"]),
    TIMES,
    VALUES,
    VALUES,
    VALUES,
    st.sampled_from(["", "red", "a\nb"]),  # an extra column
)


BROKEN = st.sampled_from(["x,y", ",".join("abcdefghijkl"), "only-one-field"])


def _csv_record(row: tuple[str, ...]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)  # so fields with a newline are quoted
    return buf.getvalue()[:-1]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(ROW, min_size=1, max_size=25),
    repeats=st.lists(st.integers(min_value=0, max_value=24), max_size=8),
    broken=st.lists(st.tuples(st.integers(min_value=0, max_value=40), BROKEN), max_size=3),
)
def test_ingest_never_loses_a_row(
    rows: list[tuple[str, ...]], repeats: list[int], broken: list[tuple[int, str]]
) -> None:
    rows = rows + [rows[i % len(rows)] for i in repeats]  # exact duplicates
    records = [_csv_record(r) for r in rows]
    for at, line in broken:  # malformed lines between records
        records.insert(at % (len(records) + 1), line)
    header = _csv_record((*EVENTS_HEADER.split(","), "colour"))
    n = len(records)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_text("\n".join([header, *records]) + "\n", encoding="utf-8")
        ws = Workspace(Path(tmp) / "ws")
        s = ws.ingest(events=path).to_dict()
        assert s["rows"] == n
        assert s["accepted"] + s["rejected"] + s["duplicates"] == n
        assert s["rejected_by_reason"].get("malformed_line", 0) == len(broken)
        assert sum(s["rejected_by_reason"].values()) == s["rejected"]
        assert sum(s["duplicates_by_kind"].values()) == s["duplicates"]
        with ws.connect() as con:
            assert con.execute("SELECT count(*) FROM events").fetchone() == (s["accepted"],)
            assert con.execute("SELECT count(*) FROM rejects").fetchone() == (s["rejected"],)
        again = ws.ingest(events=path).to_dict()
        assert again["accepted"] == 0
        assert again["rejected"] == s["rejected"]
        assert again["duplicates"] == n - s["rejected"]
        with ws.connect() as con:
            assert con.execute("SELECT count(*) FROM events").fetchone() == (s["accepted"],)
            assert con.execute("SELECT count(*) FROM rejects").fetchone() == (s["rejected"],)


def test_timestamps_are_normalised_to_utc(store: Store, events_csv: Callable[..., Path]) -> None:
    stamps = {
        "z": "2026-01-02T03:04:05Z",
        "offset": "2026-01-02T11:04:05+08:00",
        "naive": "2026-01-02 03:04:05",
        "date": "2026-01-02",
        "epoch_s": "1767323045",
        "epoch_ms": "1767323045000",
        "ymd": "20260102",
        "fraction": "2026-01-02T03:04:05.250Z",
    }
    store.ingest(events=events_csv([f"{k},u1,i1,fashion,view,{v},,," for k, v in stamps.items()]))
    got = dict(store.query("SELECT event_id, timestamp FROM events"))
    exact = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    midnight = datetime(2026, 1, 2, tzinfo=UTC)
    assert {k: v.astimezone(UTC) for k, v in got.items()} == {
        "z": exact,
        "offset": exact,
        "naive": exact,
        "date": midnight,
        "epoch_s": exact,
        "epoch_ms": exact,
        "ymd": midnight,
        "fraction": exact.replace(microsecond=250000),
    }
    assert all(v.utcoffset().total_seconds() == 0 for v in got.values())


def test_mapping_timestamp_format(store: Store, events_csv: Callable[..., Path]) -> None:
    mapping = store.write("m.yaml", 'events:\n  timestamp_format: "%d/%m/%Y %H:%M"\n')
    store.ingest(
        events=events_csv(
            [
                "e1,u1,i1,fashion,view,02/01/2026 03:04,,,",
                "e2,u1,i1,fashion,view,2026-01-02T03:04:00Z,,,",  # ISO still works
                "e3,u1,i1,fashion,view,31/02/2026 03:04,,,",  # no 31 February
            ]
        ),
        mapping=mapping,
    )
    got = dict(store.query("SELECT event_id, timestamp FROM events"))
    assert got == {
        "e1": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "e2": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    }
    assert store.rejects() == [(4, "timestamp", "bad_timestamp")]


def test_repeated_event_id_and_exact_rows(store: Store, events_csv: Callable[..., Path]) -> None:
    s = store.ingest(
        events=events_csv(
            [
                "e1,u1,i1," + OK,
                "e1,u2,i9,knowledge,enroll,2026-01-03,9,1,5",  # same id, other content
                ",u1,i1," + OK,
                ",u1,i1," + OK,  # exact row
                ",u1,i1,fashion,view,2026-01-02T10:00:00Z,2,1,5",  # differs in value: kept
            ]
        )
    ).to_dict()
    assert s["duplicates_by_kind"] == {"conflicting_event_id": 1, "exact_row": 1}
    assert (s["accepted"], s["duplicates"]) == (3, 2)
    assert store.query("SELECT user_id FROM events WHERE event_id = 'e1'") == [("u1",)]


def test_categories_are_normalised_and_dedupe_against_their_twins(
    store: Store, events_csv: Callable[..., Path]
) -> None:
    s = store.ingest(
        events=events_csv(
            [
                ",u1,i1,  Fashion ,PURCHASE,2026-01-02,5,1,",
                ",u1,i1,fashion,purchase,2026-01-02,5,1,",
                ",u1,i1,FASHION,Purchase,2026-01-02T00:00:00Z,5.0,1,",
                "e9,u1,i1,  KNOWLEDGE,  Enroll ,2026-01-02,5,1,",
            ]
        )
    ).to_dict()
    assert (s["accepted"], s["duplicates"]) == (2, 2)
    assert s["duplicates_by_kind"] == {"exact_row": 2}
    assert sorted(store.query("SELECT domain, event_type FROM events")) == [
        ("fashion", "purchase"),
        ("knowledge", "enroll"),
    ]
    # a later file with another spelling of the same row is a duplicate too
    again = store.ingest(
        events=events_csv([",u1,i1,Fashion,purchase,2026-01-02,5,1,"], name="b.csv")
    ).to_dict()
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_ids_are_trimmed_but_keep_their_case(store: Store, events_csv: Callable[..., Path]) -> None:
    store.ingest(events=events_csv(["e1, U1 ,Item-A," + OK]))
    assert store.query("SELECT user_id, item_id FROM events") == [("U1", "Item-A")]


def test_extra_columns_kept_in_attrs_and_part_of_row_identity(store: Store) -> None:
    path = store.write(
        "e.csv",
        "user_id,item_id,domain,event_type,timestamp,colour,size\n"
        "u1,i1,fashion,view,2026-01-02,red,M\n"
        "u1,i1,fashion,view,2026-01-02,blue,M\n"
        "u1,i1,fashion,view,2026-01-02,red,M\n",
    )
    s = store.ingest(events=path).to_dict()
    assert s["files"][0]["extras"] == ["colour", "size"]
    assert (s["accepted"], s["duplicates"]) == (2, 1)
    attrs = sorted(
        (json.loads(r[0]) for r in store.query("SELECT attrs FROM events")),
        key=lambda a: a["colour"],
    )
    assert attrs == [{"colour": "blue", "size": "M"}, {"colour": "red", "size": "M"}]


def test_bot_like_user_is_flagged_not_removed(store: Store) -> None:
    rows = [f"b{i},bot,i{i % 9},fashion,view,2026-01-02T10:00:{i % 60:02d}Z,,," for i in range(150)]
    rows += [f"n{i},u{i % 5},i1,fashion,view,2026-01-02T10:00:{i:02d}Z,,," for i in range(40)]
    rows += [
        f"s{i},slow,i1,fashion,view,2026-01-02T1{i % 10}:{i % 60:02d}:00Z,,," for i in range(150)
    ]  # many events, but spread over ten hours
    path = store.write("e.csv", EVENTS_HEADER + "\n" + "\n".join(rows) + "\n")
    s = store.ingest(events=path).to_dict()
    assert s["bot_users_flagged"] == 1
    assert s["accepted"] == 340
    flags = store.query("SELECT user_id, max_events_per_minute, busiest_minute FROM bot_flags")
    assert flags == [("bot", 150, datetime(2026, 1, 2, 10, 0, tzinfo=UTC))]
    assert store.count("events") == 340
    assert store.query("SELECT count(*) FROM events WHERE user_id = 'bot'") == [(150,)]
    assert BOT_EVENTS_PER_MINUTE <= 150


def test_just_under_the_bot_threshold_is_not_flagged(store: Store) -> None:
    rows = [
        f"b{i},busy,i1,fashion,view,2026-01-02T10:00:{i % 60:02d}Z,,,"
        for i in range(BOT_EVENTS_PER_MINUTE - 1)
    ]
    store.ingest(events=store.write("e.csv", EVENTS_HEADER + "\n" + "\n".join(rows) + "\n"))
    assert store.count("bot_flags") == 0


ITEMS = "item_id,domain,title,price,colour\n"


def test_items_upsert_by_key(store: Store) -> None:
    first = store.ingest(
        items=store.write(
            "items.csv",
            ITEMS + "i1,fashion,Shirt,10,red\n"
            "i2,fashion,Hat,5,\n"
            "i1,knowledge,Shirt course,30,\n"
            "i2,fashion,Hat (new),6,\n",
        )
    )
    s = first.to_dict()
    # i2/fashion twice in one file: the last row wins, the first is a repeated key
    assert (s["rows"], s["accepted"], s["updated"], s["duplicates"]) == (4, 3, 0, 1)
    assert s["duplicates_by_kind"] == {"repeated_key": 1}
    assert store.query("SELECT title, price FROM items WHERE item_id = 'i2'") == [
        ("Hat (new)", 6.0)
    ]

    again = store.ingest(items=store.folder / "items.csv").to_dict()
    assert (again["accepted"], again["updated"], again["duplicates"]) == (0, 0, 4)
    assert again["duplicates_by_kind"] == {"repeated_key": 1, "unchanged": 3}

    changed = store.ingest(
        items=store.write(
            "items2.csv",
            ITEMS + "i1,fashion,Shirt,12,red\ni3,fashion,Scarf,8,\ni2,fashion,Hat (new),6,\n",
        )
    )
    c = changed.to_dict()
    assert (c["accepted"], c["updated"], c["duplicates"]) == (2, 1, 1)
    assert c["duplicates_by_kind"] == {"unchanged": 1}
    assert store.count("items") == 4
    assert store.query(
        "SELECT price, attrs->>'colour' FROM items WHERE item_id = 'i1' AND domain = 'fashion'"
    ) == [(12.0, "red")]


def test_item_rejects(store: Store) -> None:
    s = store.ingest(
        items=store.write(
            "items.csv",
            ITEMS + "i1,fashion,Shirt,-10,\n"
            ",fashion,Hat,5,\n"
            "i3,,Cap,5,\n"
            "i4,fashion,Sock,free,\n"
            "i5,fashion,Belt,,\n",
        )
    ).to_dict()
    assert store.rejects() == [
        (2, "price", "bad_price"),
        (3, "item_id", "missing_item_id"),
        (4, "domain", "missing_domain"),
        (5, "price", "bad_price"),
    ]
    assert (s["accepted"], s["rejected"]) == (1, 4)


def test_users_upsert_and_gender_words(store: Store) -> None:
    head = "user_id,gender,age,city\n"
    s = store.ingest(
        users=store.write(
            "users.csv", head + "u1,Male,30,Paris\nu2,女,,Lyon\nu1,female,31,Paris\nu3,x,-2,Nice\n"
        )
    ).to_dict()
    assert (s["accepted"], s["rejected"], s["duplicates"]) == (2, 1, 1)
    assert store.rejects() == [(5, "age", "bad_age")]
    assert store.query("SELECT user_id, gender, age FROM users ORDER BY 1") == [
        ("u1", "f", 31.0),
        ("u2", "f", None),
    ]
    same = store.ingest(users=store.folder / "users.csv").to_dict()
    assert (same["accepted"], same["updated"]) == (0, 0)
    upd = store.ingest(users=store.write("u2.csv", head + "u2,female,40,Lyon\n")).to_dict()
    assert (upd["accepted"], upd["updated"], upd["duplicates"]) == (1, 1, 0)
    assert store.query("SELECT age FROM users WHERE user_id = 'u2'") == [(40.0,)]


def test_ingest_log_records_each_call(store: Store, events_csv: Callable[..., Path]) -> None:
    path = events_csv(DONE_WHEN)
    store.ingest(events=path)
    store.ingest(events=path)
    log = store.query(
        "SELECT ingest_id, table_name, format, rows, accepted, rejected, "
        "duplicates FROM ingests ORDER BY ingest_id"
    )
    assert log == [(1, "events", "csv", 10, 3, 4, 3), (2, "events", "csv", 10, 0, 4, 6)]


def test_line_numbers_with_a_stray_quote_in_a_field(store: Store) -> None:
    # 12" breaks quote counting; the exact (slower) path must still find the lines
    text = (
        "item_id,domain,title,price\n"  # 1
        'i1,other,12" vinyl,10\n'  # 2
        'i2,other,"two\nlines",5\n'  # 3-4
        "i3,other,ok,-1\n"  # 5
        "\n"  # 6
        'i4,other,Screen 55",abc\n'  # 7
        "i5,other,x,1,surplus\n"  # 8
        "i6,,x,1\n"
    )  # 9
    s = store.ingest(items=store.write("items.csv", text)).to_dict()
    assert store.rejects() == [
        (5, "price", "bad_price"),
        (7, "price", "bad_price"),
        (8, "", "malformed_line"),
        (9, "domain", "missing_domain"),
    ]
    assert (s["rows"], s["accepted"], s["rejected"]) == (6, 2, 4)
    assert store.query("SELECT title FROM items ORDER BY item_id") == [
        ('12" vinyl',),
        ("two\nlines",),
    ]


def test_line_numbers_in_gzip_and_tsv(store: Store) -> None:
    rows = [
        'e1\tu1\ti1\tfashion\tview\t2026-01-02\t"a\nb"',
        "",
        "e2\t\ti1\tfashion\tview\t2026-01-02\tx",
    ]
    text = "event_id\tuser_id\titem_id\tdomain\tevent_type\ttimestamp\tnote\n"
    text += "\n".join(rows) + "\n"
    for name in ("e.tsv", "e.tsv.gz"):
        store.ingest(events=store.write(name, text))
    assert store.query("SELECT file, line, reason FROM rejects ORDER BY file") == [
        (str(store.folder / "e.tsv"), 5, "missing_user_id"),
        (str(store.folder / "e.tsv.gz"), 5, "missing_user_id"),
    ]


def test_a_bad_file_stores_nothing_from_the_same_call(store: Store) -> None:
    items = store.write("items.csv", ITEMS + "i1,fashion,Shirt,10,red\n")
    events = store.write("events.csv", "user_id,item_id\nu1,i1\n")
    with pytest.raises(DataError):
        store.ingest(items=items, events=events)
    assert store.count("items") == 0


# Property: a reject's line is the line its record starts on, whatever the layout.
NOTES = st.sampled_from(
    ["plain", '12" vinyl', 'Screen 55"', '"two\nlines"', '"say ""hi"""', '"a,b"', '"\n\n"', ""]
)
KINDS = st.sampled_from(["good", "good", "missing_user_id", "malformed_line"])


@settings(max_examples=25, deadline=None)
@given(layout=st.lists(st.tuples(KINDS, NOTES, st.integers(0, 2)), min_size=1, max_size=15))
def test_reject_lines_are_file_lines(layout: list[tuple[str, str, int]]) -> None:
    lines = ["user_id,item_id,domain,event_type,timestamp,note"]
    expected = []
    for i, (kind, note, blanks) in enumerate(layout):
        lines += [""] * blanks
        start = sum(part.count("\n") + 1 for part in lines) + 1
        row = f"u,i{i},fashion,view,2026-01-02,{note}"
        if kind == "missing_user_id":
            expected.append((start, "user_id", kind))
            row = row[1:]
        elif kind == "malformed_line":
            expected.append((start, "", kind))
            row += ",surplus"
        lines.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        ws = Workspace(Path(tmp) / "ws")
        s = ws.ingest(events=path).to_dict()
        with ws.connect() as con:
            got = con.execute("SELECT line, column_name, reason FROM rejects ORDER BY line")
            assert got.fetchall() == expected
        assert s["rows"] == len(layout)
