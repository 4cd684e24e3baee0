"""Values that parse but cannot be meant: numbers out of range, ids no one could type."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import pytest

from seamline.data.columns import MAX_ID_CHARS, RANGES
from seamline.errors import ConfigError

if TYPE_CHECKING:
    from _support.store import Store

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,quantity,rating"


def _row(event_id: str, *, user: str = "u1", value: str = "1", quantity: str = "1") -> str:
    return f"{event_id},{user},i1,fashion,view,2026-01-02,{value},{quantity},5"


def test_numbers_outside_their_plausible_range_are_out_of_range(store: Store) -> None:
    rows = [
        _row("e1", value="1e308"),  # finite, but every total would become Infinity
        _row("e2", value="1e309"),  # not finite: bad_value as before
        _row("e3", value="-5"),  # a refund: inside the default range
        _row("e4", quantity="2000000"),
        _row("e5"),
    ]
    path = store.write("events.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    s = store.ingest(events=path).to_dict()
    assert s["rejected_by_reason"] == {"bad_value": 1, "out_of_range": 2}
    assert store.rejects() == [
        (2, "value", "out_of_range"),
        (3, "value", "bad_value"),
        (5, "quantity", "out_of_range"),
    ]
    message = store.query("SELECT message FROM rejects WHERE line = 2")[0][0]
    lo, hi = RANGES["events"]["value"]
    assert f"[{lo:g}, {hi:g}]" in message and "ranges" in message
    total = store.query("SELECT sum(value) FROM events")[0][0]
    assert math.isfinite(total)


def test_ages_of_250_are_out_of_range(store: Store) -> None:
    path = store.write("users.csv", "user_id,age\nu1,34\nu2,250\nu3,1e308\nu4,-1\n")
    s = store.ingest(users=path).to_dict()
    assert s["accepted"] == 1
    assert store.rejects() == [
        (3, "age", "out_of_range"),
        (4, "age", "out_of_range"),
        (5, "age", "bad_age"),
    ]


def test_the_mapping_sets_its_own_ranges(store: Store) -> None:
    rows = [_row("e1", value="60000"), _row("e2", value="100")]
    path = store.write("events.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    mapping = store.write("m.yaml", "events: {ranges: {value: [0, 50000]}}\n")
    s = store.ingest(events=path, mapping=mapping).to_dict()
    assert s["rejected_by_reason"] == {"out_of_range": 1}
    assert "[0, 50000]" in store.query("SELECT message FROM rejects")[0][0]


@pytest.mark.parametrize(
    ("yaml", "match"),
    [
        ("events: {ranges: {value: [5, 1]}}", "low <= high"),
        ("events: {ranges: {user_id: [0, 1]}}", "numeric columns"),
        # Bounds so large that sums overflow to Infinity (issue 16, item 3).
        ("events: {ranges: {value: [0, 1.7e308]}}", r"value.*1e\+15"),
        ("events: {ranges: {quantity: [-1e16, 0]}}", r"quantity.*1e\+15"),
        ("items: {ranges: {price: [0, 2e15]}}", r"price.*1e\+15"),
    ],
)
def test_bad_ranges_in_the_mapping_are_config_errors(store: Store, yaml: str, match: str) -> None:
    path = store.write("events.csv", HEADER + "\n" + _row("e1") + "\n")
    with pytest.raises(ConfigError, match=match):
        store.ingest(events=path, mapping=store.write("m.yaml", yaml + "\n"))


BAD_IDS = {
    "too long": ("u" * (MAX_ID_CHARS + 1), "id_too_long"),
    "control": ("u\x07x", "bad_id"),
    "zero-width": ("u\u200bx", "bad_id"),
    "bidi override": ("u\u202ex", "bad_id"),
    "bom": ("\ufeffu1", "bad_id"),
    "json object": ('{"a": 1}', "bad_id"),
    "json array": ("[1, 2]", "bad_id"),
}


def test_unusable_ids_are_rejected(store: Store) -> None:
    fine = "u" * MAX_ID_CHARS
    records = [
        {
            "user_id": fine,
            "item_id": "i1",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-01-02",
        }
    ]
    for name, (uid, _) in BAD_IDS.items():
        records.append({**records[0], "user_id": uid, "event_id": name})
    s = store.ws.ingest_rows(records, "api").to_dict()
    assert s["accepted"] == 1
    expected = [(k + 2, "user_id", reason) for k, (_, reason) in enumerate(BAD_IDS.values())]
    assert [(line, col, reason) for line, col, reason in store.rejects()] == expected


def test_json_values_posted_as_ids_are_rejected(store: Store) -> None:
    # The service turns a posted object into its JSON text; the same rule refuses it.
    record = {
        "user_id": {"nested": True},
        "item_id": ["x"],
        "domain": "fashion",
        "event_type": "view",
        "timestamp": "2026-01-02",
    }
    s = store.ws.ingest_rows([record], "api").to_dict()
    assert s["rejected_by_reason"] == {"bad_id": 1}
    raw = json.loads(store.query("SELECT raw FROM rejects")[0][0])
    assert raw["user_id"] == '{"nested": true}'


def test_ids_in_csv_go_through_the_same_rules(store: Store) -> None:
    text = HEADER + "\n" + _row("e1", user="u\u200bx") + "\n" + _row("e2") + "\n"
    s = store.ingest(events=store.write("events.csv", text)).to_dict()
    assert (s["accepted"], s["rejected_by_reason"]) == (1, {"bad_id": 1})
