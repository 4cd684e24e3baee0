"""Readers: CSV, TSV, Parquet and JSON Lines give the same rows; unusable files fail clearly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from seamline.data import readers
from seamline.errors import DataError

if TYPE_CHECKING:
    from _support.store import Store

COLUMNS = ["event_id", "user_id", "item_id", "domain", "event_type", "timestamp", "value", "colour"]
ROWS: list[list[str | None]] = [
    ["e1", "u1", "i1", "fashion", "view", "2026-01-02T10:00:00Z", None, "red"],
    ["e2", "u1", "i2", "Fashion", "purchase", "2026-01-02T10:05:00+01:00", "19.9", None],
    ["e3", "u2", "k1", "knowledge", "enroll", "2026-01-03", "49", "n/a"],
    ["e4", "u3", "k1", "knowledge", "view", "1767434400", None, "blue, light"],
    [None, "u3", "k2", "knowledge", "view", "2026-01-03 11:00:00", "0", None],
]


def _csv(rows: list[list[str | None]], delim: str = ",") -> str:
    def cell(v: str | None) -> str:
        if v is None:
            return ""
        return f'"{v}"' if delim in v else v

    return "\n".join(delim.join(cell(v) for v in r) for r in [COLUMNS, *rows]) + "\n"


def _jsonl(rows: list[list[str | None]]) -> str:
    return "".join(json.dumps(dict(zip(COLUMNS, r, strict=True))) + "\n" for r in rows)


def _parquet(path: Path, rows: list[list[str | None]]) -> Path:
    pq.write_table(pa.table({c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}), path)
    return path


def _events(store: Store) -> list[tuple[Any, ...]]:
    return store.query(
        "SELECT * EXCLUDE (ingest_id, attrs), attrs::VARCHAR FROM events "
        "ORDER BY event_id NULLS LAST"
    )


def _ingest(store: Store, name: str, make: Any) -> list[tuple[Any, ...]]:
    path = make(store, name)
    s = store.ingest(events=path).to_dict()
    assert (s["rows"], s["accepted"], s["rejected"], s["duplicates"]) == (5, 5, 0, 0), name
    return _events(store)


def test_same_rows_from_every_format(new_store: Callable[[str], Store]) -> None:
    makers = {
        "e.csv": lambda s, n: s.write(n, _csv(ROWS)),
        "e.tsv": lambda s, n: s.write(n, _csv(ROWS, "\t")),
        "e.txt": lambda s, n: s.write(n, _csv(ROWS)),
        "e.csv.gz": lambda s, n: s.write(n, _csv(ROWS)),
        "e.jsonl": lambda s, n: s.write(n, _jsonl(ROWS)),
        "e.ndjson.gz": lambda s, n: s.write(n, _jsonl(ROWS)),
        "e.parquet": lambda s, n: _parquet(s.folder / n, ROWS),
    }
    results = {name: _ingest(new_store(name), name, make) for name, make in makers.items()}
    reference = results.pop("e.csv")
    assert len(reference) == 5
    assert reference[1][3] == "fashion"  # normalised
    assert json.loads(reference[3][-1]) == {"colour": "blue, light"}
    assert json.loads(reference[2][-1]) == {"colour": None}  # 'n/a' is a null token
    for name, rows in results.items():
        assert rows == reference, name


def test_typed_parquet_columns_are_read_as_their_text(store: Store) -> None:
    ts = pa.array([1767348000_000000, 1767351600_000000], pa.timestamp("us", tz="UTC"))
    table = pa.table(
        {
            "user_id": pa.array([1, 2], pa.int64()),
            "item_id": ["i1", "i2"],
            "domain": ["fashion", "other"],
            "event_type": ["view", "purchase"],
            "timestamp": ts,
            "value": pa.array([None, 12.5], pa.float64()),
            "quantity": pa.array([1, 3], pa.int32()),
        }
    )
    path = store.folder / "typed.parquet"
    pq.write_table(table, path)
    s = store.ingest(events=path).to_dict()
    assert s["accepted"] == 2
    rows = store.query("SELECT user_id, timestamp, value, quantity FROM events ORDER BY 1")
    assert [(r[0], r[1].isoformat(), r[2], r[3]) for r in rows] == [
        ("1", "2026-01-02T10:00:00+00:00", None, 1.0),
        ("2", "2026-01-02T11:00:00+00:00", 12.5, 3.0),
    ]


def test_parquet_rejects_use_row_numbers(store: Store) -> None:
    rows = [*ROWS[:2], ["e9", None, "i1", "fashion", "view", "2026-01-02", None, None]]
    s = store.ingest(events=_parquet(store.folder / "e.parquet", rows)).to_dict()
    assert s["rejected"] == 1
    assert store.rejects() == [(3, "user_id", "missing_user_id")]


def test_semicolon_csv_and_explicit_delimiter(store: Store) -> None:
    text = _csv(ROWS).replace(",", ";").replace('"blue; light"', '"blue, light"')
    s = store.ingest(events=store.write("semi.csv", text)).to_dict()
    assert s["accepted"] == 5
    piped = store.write("piped.txt", _csv(ROWS, "|"))
    mapping = store.write("m.yaml", "events:\n  delimiter: '|'\n")
    s = store.ingest(events=piped, mapping=mapping).to_dict()
    assert (s["accepted"], s["duplicates"]) == (0, 5)  # the same rows as the CSV


def test_csv_with_crlf_and_bom(store: Store) -> None:
    text = "\ufeff" + _csv(ROWS).replace("\n", "\r\n")
    s = store.ingest(events=store.write("win.csv", text)).to_dict()
    assert s["accepted"] == 5
    assert store.query("SELECT event_id FROM events WHERE event_id = 'e1'") == [("e1",)]


def test_collect_csv_errors_keeps_one_entry_per_line(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("a,b,c,d,e\n1,2,3,4,5\n1\n1,2,3,4,5,6\n")
    con = duckdb.connect()
    source = readers.open_file(con, path)
    n = len(con.execute(source.sql).fetchall())
    readers.collect_csv_errors(con, source)
    assert n == 1
    assert [(m.line, m.reason, m.text) for m in source.malformed] == [
        (3, "malformed_line", "1"),
        (4, "malformed_line", "1,2,3,4,5,6"),
    ]
    assert source.malformed[0].message.startswith("missing columns")


def test_line_of_skips_malformed_and_blank_lines() -> None:
    src = readers.Source(
        label="x",
        fmt="csv",
        sql="",
        columns=[],
        first_line=2,
        malformed=[
            readers.Malformed(4, "malformed_line", "", ""),
            readers.Malformed(5, "malformed_line", "", ""),
        ],
        skipped=[7],
    )
    assert src.lines_of([0, 1, 2, 3, 4]) == {0: 2, 1: 3, 2: 6, 3: 8, 4: 9}
    assert src.line_of(2) == 6


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("missing.csv", None, "file not found"),
        ("events.xlsx", "a,b\n1,2\n", "unknown file type .xlsx"),
        ("events", "a,b\n1,2\n", "unknown file type (none)"),
        ("empty.csv", "", "no header row found"),
        ("empty.jsonl", "", "no JSON objects found"),
        ("lists.jsonl", "[1, 2]\n[3]\n", "no JSON objects found"),
        ("junk.parquet", "not parquet at all", "cannot read as parquet"),
        (
            "noheader.csv",
            "e1,u1,i1,fashion,view,2026-01-02\ne2,u1,i1,fashion,view,2026-01-02\n",
            "missing required column(s) user_id, item_id, domain, event_type, timestamp",
        ),
        (
            "short.csv",
            "user_id,item_id,timestamp\nu1,i1,2026-01-02\n",
            "missing required column(s) domain, event_type for events",
        ),
    ],
)
def test_unusable_input_raises_one_line_data_error(
    store: Store, name: str, content: str | None, needle: str
) -> None:
    path = store.folder / name if content is None else store.write(name, content)
    with pytest.raises(DataError) as info:
        store.ingest(events=path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert needle in message
    assert "\n" not in message
    assert store.count("events") == 0 and store.count("ingests") == 0


def test_directory_is_not_a_file(store: Store) -> None:
    with pytest.raises(DataError, match="is a folder, not a file"):
        store.ingest(events=store.folder)


def test_gzip_that_is_not_gzip_fails_cleanly(store: Store) -> None:
    path = store.folder / "bad.csv.gz"
    path.write_bytes(b"event_id,user_id\n1,2\n")
    with pytest.raises(DataError) as info:
        store.ingest(events=path)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def test_header_only_file_ingests_nothing(store: Store) -> None:
    s = store.ingest(events=store.write("h.csv", _csv([]))).to_dict()
    assert (s["rows"], s["accepted"], s["rejected"]) == (0, 0, 0)


def test_jsonl_nested_values_and_numbers(store: Store) -> None:
    line = {
        "user_id": 7,
        "item_id": "i1",
        "domain": "fashion",
        "event_type": "view",
        "timestamp": 1767348000000,
        "value": 2.5,
        "meta": {"a": [1, 2]},
        "flag": True,
    }
    store.ingest(events=store.write("n.jsonl", json.dumps(line) + "\n"))
    row = store.query("SELECT user_id, timestamp, value, attrs FROM events")[0]
    assert row[0] == "7" and row[2] == 2.5
    assert row[1].isoformat() == "2026-01-02T10:00:00+00:00"
    assert json.loads(row[3]) == {"meta": '{"a":[1,2]}', "flag": "true"}


def test_jsonl_keys_keep_file_order_and_crlf(store: Store) -> None:
    text = (
        '{"user_id": "u1", "item_id": "i1", "domain": "fashion", "event_type": "view", '
        '"timestamp": "2026-01-02", "zeta": 1, "alpha": 2}\r\n'
        '{"user_id": "u2", "item_id": "i1", "domain": "fashion", "event_type": "view", '
        '"timestamp": "2026-01-02", "mid": 3}\r\n'
    )
    s = store.ingest(events=store.write("o.jsonl.gz", text)).to_dict()
    assert s["files"][0]["extras"] == ["zeta", "alpha", "mid"]
    assert s["accepted"] == 2


def test_jsonl_missing_column_lists_only_the_files_keys(store: Store) -> None:
    path = store.write("e.jsonl", '{"user_id": "u1", "item_id": "i1"}\n')
    with pytest.raises(DataError) as info:
        store.ingest(events=path)
    assert str(info.value) == (
        f"{path}: missing required column(s) domain, event_type, timestamp for events "
        "(found: user_id, item_id; map yours with a column mapping)"
    )
