"""Column mappings: their column names and vocabularies onto the model; bad mappings fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from seamline.data.mapping import Mapping, TableMapping
from seamline.errors import ConfigError, DataError

if TYPE_CHECKING:
    from _support.store import Store

SHOP = """customer,sku,action,when,amount,store,channel_name
c1,s1,pv,2026-01-02T10:00:00Z,,Paris,web
c1,s1,buy,2026-01-02T10:05:00Z,19.9,Paris,web
c2,s2,  PV ,2026-01-02T11:00:00Z,,Lyon,app
c2,s2,share,2026-01-02T11:01:00Z,,Lyon,app
c3,s3,wishlist,2026-01-02T12:00:00Z,,Nice,web
"""

SHOP_MAPPING = """
events:
  columns: {user_id: customer, item_id: sku, event_type: action, timestamp: when,
            value: amount, channel: channel_name}
  event_types: {pv: view, buy: purchase, share: share}
  custom_event_types: [share]
  domain: fashion
"""


def test_custom_columns_vocabulary_and_constant_domain(store: Store) -> None:
    s = store.ingest(
        events=store.write("shop.csv", SHOP), mapping=store.write("m.yaml", SHOP_MAPPING)
    ).to_dict()
    assert (s["accepted"], s["rejected"]) == (4, 1)
    assert store.rejects() == [(6, "action", "bad_event_type")]  # the file's column name
    rows = store.query(
        "SELECT user_id, item_id, domain, event_type, value, channel, attrs "
        "FROM events ORDER BY timestamp"
    )
    assert [r[:6] for r in rows] == [
        ("c1", "s1", "fashion", "view", None, "web"),
        ("c1", "s1", "fashion", "purchase", 19.9, "web"),
        ("c2", "s2", "fashion", "view", None, "app"),
        ("c2", "s2", "fashion", "share", None, "app"),
    ]
    assert [json.loads(r[6]) for r in rows] == [
        {"store": "Paris"},
        {"store": "Paris"},
        {"store": "Lyon"},
        {"store": "Lyon"},
    ]
    assert s["files"][0]["extras"] == ["store"]


def test_domains_recode_and_constant_fills_empty_cells(store: Store) -> None:
    text = (
        "user_id,item_id,vertical,event_type,timestamp\n"
        "u1,i1,Course,view,2026-01-02\n"
        "u1,i2,apparel,view,2026-01-02\n"
        "u1,i3,,view,2026-01-02\n"
        "u1,i4,fashion,view,2026-01-02\n"
        "u1,i5,garden,view,2026-01-02\n"
    )
    mapping = store.write(
        "m.yaml",
        "events:\n  columns: {domain: vertical}\n"
        "  domains: {course: knowledge, Apparel: fashion}\n"
        "  domain: other\n",
    )
    s = store.ingest(events=store.write("e.csv", text), mapping=mapping).to_dict()
    assert store.query("SELECT item_id, domain FROM events ORDER BY 1") == [
        ("i1", "knowledge"),
        ("i2", "fashion"),
        ("i3", "other"),
        ("i4", "fashion"),
    ]
    assert store.rejects() == [(6, "vertical", "bad_domain")]
    assert s["rejected_by_reason"] == {"bad_domain": 1}


def test_aliases_work_without_a_mapping(store: Store) -> None:
    text = "user_id,item_id,domain,event_type,ts,price,qty\nu1,i1,fashion,cart,2026-01-02,5,2\n"
    store.ingest(events=store.write("e.csv", text))
    assert store.query("SELECT value, quantity, attrs FROM events") == [(5.0, 2.0, None)]


def test_column_names_match_case_insensitively(store: Store) -> None:
    text = "User_ID,ITEM_ID,Domain,Event_Type,TimeStamp\nu1,i1,fashion,view,2026-01-02\n"
    s = store.ingest(events=store.write("e.csv", text)).to_dict()
    assert s["accepted"] == 1 and s["files"][0]["extras"] == []


def test_items_mapping_with_constant_domain(store: Store) -> None:
    text = "article_id,prod_name,provider,price\na1,Tee,Acme,9.5\na2,Cap,,4\n"
    mapping = store.write(
        "m.yaml", "items:\n  columns: {item_id: article_id, title: prod_name}\n  domain: fashion\n"
    )
    s = store.ingest(items=store.write("items.csv", text), mapping=mapping).to_dict()
    assert s["accepted"] == 2
    assert store.query("SELECT item_id, domain, title, brand, price FROM items ORDER BY 1") == [
        ("a1", "fashion", "Tee", "acme", 9.5),
        ("a2", "fashion", "Cap", None, 4.0),
    ]


def test_timestamp_not_required(store: Store) -> None:
    text = "user_id,item_id,domain,event_type,timestamp\nu1,i1,knowledge,rate,\n"
    mapping = store.write("m.yaml", "events:\n  timestamp_required: false\n")
    s = store.ingest(events=store.write("e.csv", text), mapping=mapping).to_dict()
    assert s["accepted"] == 1
    no_ts = store.write("n.csv", "user_id,item_id,domain,event_type\nu2,i1,knowledge,rate\n")
    assert store.ingest(events=no_ts, mapping=mapping).to_dict()["accepted"] == 1


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("events:\n  columns: {shopper: customer}\n", "unknown canonical column(s) ['shopper']"),
        (
            "events:\n  event_types: {share: share}\n",
            "event_types maps 'share' to 'share', which is neither built in",
        ),
        ("users:\n  columns: {item_id: x}\n", "mapping for users names unknown canonical column"),
        (
            "events:\n  domain: sports\n",
            "events.domain: Value error, domain 'sports' is not one of",
        ),
        ("events:\n  domains: {gym: sports}\n", "domains maps 'gym' to 'sports'"),
        ("events:\n  colums: {user_id: a}\n", "events.colums: Extra inputs are not permitted"),
        ("orders:\n  columns: {}\n", "orders: Extra inputs are not permitted"),
        ("events: [1, 2\n", "not valid YAML"),
        ("- just\n- a list\n", "mapping: Input should be a valid dictionary"),
    ],
)
def test_bad_mapping_is_a_one_line_config_error(
    tmp_path: Path, yaml_text: str, needle: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        Mapping.load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read mapping"):
        Mapping.load(tmp_path / "nope.yaml")


def test_mapping_naming_a_column_not_in_the_file(store: Store) -> None:
    path = store.write("shop.csv", SHOP)
    mapping = store.write("m.yaml", SHOP_MAPPING.replace("customer,", "shopper,"))
    with pytest.raises(DataError) as info:
        store.ingest(events=path, mapping=mapping)
    message = str(info.value)
    assert message.startswith(f"{path}: mapping names column 'shopper' for user_id")
    assert "customer, sku, action" in message
    assert store.count("events") == 0


def test_event_type_map_and_allowed_types() -> None:
    tm = TableMapping(
        event_types={" PV ": "View", "Buy": "purchase", "share": "share"},
        custom_event_types=["Share", "view"],
    )
    assert tm.allowed_event_types[-1] == "share"
    assert tm.allowed_event_types.count("view") == 1
    assert tm.event_type_map() == {"pv": "view", "buy": "purchase", "share": "share"}
    with pytest.raises(ConfigError, match="'like' to 'favourite'"):
        TableMapping(event_types={"like": "favourite"}).event_type_map()


def test_mapping_object_can_be_passed_directly(store: Store) -> None:
    m = Mapping(
        events=TableMapping(
            columns={
                "user_id": "customer",
                "item_id": "sku",
                "event_type": "action",
                "timestamp": "when",
            },
            event_types={"pv": "view", "buy": "purchase"},
            custom_event_types=["share"],
            domain="fashion",
        )
    )
    s = store.ingest(events=store.write("shop.csv", SHOP), mapping=m).to_dict()
    # share is declared but not mapped: it is its own word, so it is still allowed
    assert (s["accepted"], s["rejected"]) == (4, 1)
