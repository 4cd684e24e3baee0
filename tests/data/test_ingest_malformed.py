"""Malformed files: stray quotes, other encodings, giant fields, odd headers and paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from seamline.data.csvscan import MAX_RECORD_CHARS
from seamline.errors import ConfigError, DataError
from seamline.workspace import Workspace

if TYPE_CHECKING:
    from _support.store import Store

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value"


def _events(n: int, stray: dict[int, str] | None = None) -> str:
    """`n` good event records; `stray` replaces record k (1-based) with its own text."""
    rows = [f"e{k},u{k % 97},i{k % 31},fashion,view,2026-01-02T10:00:00Z,{k % 7}" for k in range(n)]
    for k, text in (stray or {}).items():
        rows[k - 1] = text
    return HEADER + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("at", [50_001, 3, 1])
def test_a_stray_quote_is_one_reject_and_the_rest_load(store: Store, at: int) -> None:
    bad = f'e{at - 1},"u1,i1,fashion,view,2026-01-02T10:00:00Z,1'
    path = store.write("events.csv", _events(60_000, {at: bad}))
    s = store.ingest(events=path).to_dict()
    assert s["rows"] == 60_000
    assert (s["accepted"], s["rejected"], s["duplicates"]) == (59_999, 1, 0)
    assert store.rejects() == [(at + 1, "", "malformed_line")]  # record k is on line k+1
    assert store.count("events") == 59_999


def test_a_stray_quote_that_closes_on_a_later_line_swallows_nothing(store: Store) -> None:
    text = _events(
        10,
        {
            3: 'e2,"u1,i1,fashion,view,2026-01-02T10:00:00Z,1',  # opens ...
            7: 'e6,u1,i1,fashion,view,2026-01-02T10:00:00Z,12"',  # ... and a later one closes
        },
    )
    s = store.ingest(events=store.write("events.csv", text)).to_dict()
    assert s["rows"] == 10
    assert s["accepted"] + s["rejected"] + s["duplicates"] == 10
    assert store.rejects() == [(4, "", "malformed_line"), (8, "value", "bad_value")]


def test_a_quoted_field_over_lines_is_still_one_record(store: Store) -> None:
    text = (
        HEADER
        + ',note\ne1,u1,i1,fashion,view,2026-01-02,1,"two\nlines"\n'
        + "e2,u1,i1,fashion,view,2026-01-02,1,x\n"
    )
    s = store.ingest(events=store.write("events.csv", text)).to_dict()
    assert (s["rows"], s["accepted"], s["rejected"]) == (2, 2, 0)


def test_a_giant_field_is_refused_with_its_line_and_others_load(store: Store) -> None:
    giant = "x" * (10 * 1024 * 1024)  # 10 MiB, past DuckDB's own line limit too
    path = store.write("events.csv", _events(5, {3: f'e2,u1,"{giant}",fashion,view,2026-01-02,1'}))
    s = store.ingest(events=path).to_dict()
    assert (s["rows"], s["accepted"], s["rejected"]) == (5, 4, 1)
    assert store.rejects() == [(4, "", "field_too_long")]
    message = store.query("SELECT message FROM rejects")[0][0]
    assert f"{MAX_RECORD_CHARS:,}" in message


SAMPLES = {  # encoding -> titles it can hold
    "latin-1": ["Crème brûlée", "Müller Jeans", "Ação"],
    "gbk": ["丝绸衬衫", "经济学原理"],
    "gb18030": ["丝绸衬衫", "𠀀 扩展"],
    "big5": ["絲綢襯衫", "經濟學原理"],
}


@pytest.mark.parametrize("encoding", sorted(SAMPLES))
def test_other_encodings_load_intact_with_the_option(store: Store, encoding: str) -> None:
    titles = SAMPLES[encoding]
    text = "item_id,domain,title\n" + "".join(f"i{k},fashion,{t}\n" for k, t in enumerate(titles))
    path = store.write("items.csv", text.encode(encoding))
    with pytest.raises(DataError) as info:
        store.ingest(items=path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: line 2: not valid utf-8")
    assert "--encoding" in message
    assert not (store.folder / "ws").exists() or store.count("items") == 0
    s = store.ingest(items=path, encoding=encoding).to_dict()
    assert s["accepted"] == len(titles)
    got = [r[0] for r in store.query("SELECT title FROM items ORDER BY item_id")]
    assert got == titles


def test_encoding_in_the_mapping_is_per_file(store: Store) -> None:
    items = store.write("items.csv", "item_id,domain,title\ni1,fashion,Crème\n".encode("latin-1"))
    users = store.write("users.csv", "user_id,city\nu1,杭州\n".encode("gbk"))
    mapping = store.write("m.yaml", "items: {encoding: latin-1}\nusers: {encoding: gbk}\n")
    s = store.ingest(items=items, users=users, mapping=mapping).to_dict()
    assert s["accepted"] == 2
    assert store.query("SELECT title FROM items") == [("Crème",)]
    assert store.query("SELECT city FROM users") == [("杭州",)]


def test_unknown_encoding_is_a_config_error(store: Store) -> None:
    path = store.write("items.csv", "item_id,domain\ni1,fashion\n")
    with pytest.raises(ConfigError, match="encoding 'klingon' is unknown"):
        store.ingest(items=path, encoding="klingon")
    mapping = store.write("m.yaml", "items: {encoding: klingon}\n")
    with pytest.raises(ConfigError, match=r"items\.encoding"):
        store.ingest(items=path, mapping=mapping)


def test_a_bad_file_stores_nothing_of_the_whole_call(store: Store) -> None:
    items = store.write("items.csv", "item_id,domain,title\ni1,fashion,Shirt\n")
    users = store.write("users.csv", "user_id,city\nu1,杭州\n".encode("gbk"))
    with pytest.raises(DataError, match=r"users\.csv: line 2"):
        store.ingest(items=items, users=users)
    assert store.count("items") == 0 and store.count("ingests") == 0


def test_a_failure_while_storing_rolls_back_every_file_of_the_call(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seamline.data import ingest

    items = store.write("items.csv", "item_id,domain,title\ni1,fashion,Shirt\n")
    events = store.write("events.csv", _events(3))
    real = ingest._insert_events

    def broken(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError("disk full")

    monkeypatch.setattr(ingest, "_insert_events", broken)
    with pytest.raises(OSError, match="disk full"):
        store.ingest(items=items, events=events)
    assert store.count("items") == 0 and store.count("events") == 0
    assert store.count("ingests") == 0


def test_a_duplicated_header_name_is_an_error_naming_both_columns(store: Store) -> None:
    path = store.write("events.csv", "user_id,item_id,User_ID,domain\nu1,i1,u2,fashion\n")
    with pytest.raises(DataError) as info:
        store.ingest(events=path)
    message = str(info.value)
    assert "columns 1 ('user_id') and 3 ('User_ID')" in message and "line 1" in message


def test_a_missing_input_file_creates_no_workspace(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "new-ws")
    with pytest.raises(DataError, match="file not found"):
        ws.ingest(events=tmp_path / "typo.csv")
    assert not (tmp_path / "new-ws").exists()


@pytest.mark.parametrize(
    ("path", "what"), [("/dev/zero", "is a character device"), (".", "is a folder")]
)
def test_devices_and_folders_are_refused_saying_what_they_are(
    tmp_path: Path, path: str, what: str
) -> None:
    target = Path(path) if path.startswith("/") else tmp_path
    with pytest.raises(DataError, match=what):
        Workspace(tmp_path / "ws").ingest(events=target)
    assert not (tmp_path / "ws").exists()


def test_a_giant_json_line_is_refused_with_its_line_and_others_load(store: Store) -> None:
    ok = (
        '{"user_id": "u1", "item_id": "i1", "domain": "fashion", "event_type": "view", '
        '"timestamp": "2026-01-02"}'
    )
    giant = ok.replace('"u1"', '"' + "x" * (10 * 1024 * 1024) + '"')
    path = store.write("events.jsonl", "\n".join([ok, giant, ok.replace("i1", "i2")]) + "\n")
    s = store.ingest(events=path).to_dict()
    assert (s["rows"], s["accepted"], s["rejected"]) == (3, 2, 1)
    assert store.rejects() == [(2, "", "field_too_long")]


def test_a_dataset_is_stored_in_one_transaction_too(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    from seamline.data import ingest
    from seamline.data.datasets import SourceTables

    items = pa.table({"item_id": ["i1"], "domain": ["fashion"], "title": ["Shirt"]})
    events = pa.table(
        {
            "user_id": ["u1"],
            "item_id": ["i1"],
            "domain": ["fashion"],
            "event_type": ["view"],
            "timestamp": ["2026-01-02"],
        }
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ingest, "_insert_events", broken)
    with pytest.raises(OSError, match="disk full"):
        store.ws.ingest_source(SourceTables(name="demo", items=items, events=events))
    assert store.count("items") == 0 and store.count("ingests") == 0
