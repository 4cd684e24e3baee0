"""The data-quality summary agrees with what ingestion stored and reported."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _support.store import Store

EVENTS = """event_id,user_id,item_id,domain,event_type,timestamp,value
e1,u1,k1,knowledge,view,2026-01-01T09:00:00Z,
e2,u1,k1,knowledge,enroll,2026-01-01T09:30:00Z,49.5
e3,u2,k2,knowledge,view,2026-01-02T08:00:00+08:00,
e4,u1,f1,fashion,view,2026-01-02T10:00:00Z,
e5,u1,f1,fashion,purchase,2026-01-03T12:00:00Z,20
e6,u3,f2,fashion,purchase,2026-01-03T13:00:00Z,10.25
e6,u3,f2,fashion,purchase,2026-01-03T13:00:00Z,10.25
,u4,f2,fashion,view,2026-01-04T00:00:00Z,
,u4,f2,fashion,view,2026-01-04T00:00:00Z,
e7,,f2,fashion,view,2026-01-04T00:00:00Z,
e8,u5,f2,fashion,view,someday,
e9,u5,f9,sports,view,2026-01-04T00:00:00Z,
"""

ITEMS = "item_id,domain,title,price\nk1,knowledge,Python 101,49.5\nf1,fashion,Scarf,20\n"
USERS = "user_id,age\nu1,30\nu2,\nu9,44\n"


def _filled(store: Store) -> dict:
    store.ingest(
        events=store.write("events.csv", EVENTS),
        items=store.write("items.csv", ITEMS),
        users=store.write("users.csv", USERS),
    )
    return store.ws.quality()


def test_counts_rejects_and_duplicates(store: Store) -> None:
    q = _filled(store)
    assert (q["events"], q["items"], q["users"]) == (7, 2, 3)
    assert q["users_in_events"] == 4
    assert q["cross_domain_users"] == 1  # u1
    assert q["rejected"] == 3
    assert q["rejected_by_reason"] == {"bad_domain": 1, "bad_timestamp": 1, "missing_user_id": 1}
    assert q["duplicates"] == 2
    assert q["duplicates_by_kind"] == {"exact_row": 1, "repeated_event_id": 1}
    assert q["events_without_catalog_item"] == 3  # k2, f2, f2
    assert q["events_without_user_profile"] == 2  # u3, u4
    assert q["bot_flagged_users"] == 0


def test_date_range_and_per_domain(store: Store) -> None:
    q = _filled(store)
    assert q["date_range"] == {
        "first": "2026-01-01T09:00:00+00:00",
        "last": "2026-01-04T00:00:00+00:00",
        "events_without_timestamp": 0,
    }
    assert q["by_domain"] == [
        {
            "domain": "fashion",
            "events": 4,
            "users": 3,
            "items": 2,
            "conversions": 2,
            "revenue": 30.25,
            "first": "2026-01-02T10:00:00+00:00",
            "last": "2026-01-04T00:00:00+00:00",
        },
        {
            "domain": "knowledge",
            "events": 3,
            "users": 2,
            "items": 2,
            "conversions": 1,
            "revenue": 49.5,
            "first": "2026-01-01T09:00:00+00:00",
            "last": "2026-01-02T00:00:00+00:00",
        },
    ]
    assert {(r["domain"], r["event_type"]): r["events"] for r in q["by_event_type"]} == {
        ("fashion", "view"): 2,
        ("fashion", "purchase"): 2,
        ("knowledge", "view"): 2,
        ("knowledge", "enroll"): 1,
    }
    assert q["events_per_day"] == [
        {"day": "2026-01-01", "domain": "knowledge", "events": 2},
        {"day": "2026-01-02", "domain": "fashion", "events": 1},
        {"day": "2026-01-02", "domain": "knowledge", "events": 1},
        {"day": "2026-01-03", "domain": "fashion", "events": 2},
        {"day": "2026-01-04", "domain": "fashion", "events": 1},
    ]


def test_missing_shares_and_ingest_log(store: Store) -> None:
    q = _filled(store)
    assert q["missing_share"]["events"]["value"] == round(4 / 7, 4)  # 3 of 7 have one
    assert q["missing_share"]["events"]["event_id"] == round(1 / 7, 4)
    assert q["missing_share"]["users"]["age"] == round(1 / 3, 4)
    assert q["missing_share"]["items"]["price"] == 0.0
    log = [
        (r["table_name"], r["rows"], r["accepted"], r["rejected"], r["duplicates"])
        for r in q["ingests"]
    ]
    assert log == [("items", 2, 2, 0, 0), ("users", 3, 3, 0, 0), ("events", 12, 7, 3, 2)]
    assert all(isinstance(r["started_at"], str) for r in q["ingests"])
    json.dumps(q)  # plain data only


def test_reingest_does_not_double_rejects(store: Store) -> None:
    _filled(store)
    store.ingest(events=store.folder / "events.csv")
    q = store.ws.quality()
    assert q["events"] == 7
    assert q["rejected"] == 3 and q["rejected_by_reason"]["missing_user_id"] == 1
    # duplicates are what each ingest skipped: the second pass skipped every valid row
    assert q["duplicates"] == 2 + 9


def test_empty_workspace(store: Store) -> None:
    q = store.ws.quality()
    assert (q["events"], q["items"], q["users"], q["rejected"], q["duplicates"]) == (0, 0, 0, 0, 0)
    assert q["date_range"] == {"first": None, "last": None, "events_without_timestamp": 0}
    assert q["by_domain"] == [] and q["ingests"] == [] and q["missing_share"]["events"] == {}


def test_bot_flag_counted(store: Store) -> None:
    rows = [f"b{i},bot,i1,other,click,2026-01-02T10:00:{i % 60:02d}Z," for i in range(130)]
    store.ingest(events=store.write("b.csv", EVENTS.splitlines()[0] + "\n" + "\n".join(rows)))
    q = store.ws.quality()
    assert q["bot_flagged_users"] == 1 and q["events"] == 130
