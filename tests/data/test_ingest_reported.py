"""Alterations are reported, not hidden: reused event ids, orphan events, the PII policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seamline.data.dataset import Interactions
from seamline.data.prep import InteractionsConfig
from seamline.pii.policy import PiiPolicy, PrivacyOptions
from seamline.workspace import Workspace

if TYPE_CHECKING:
    from _support.store import Store

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value"


def test_a_reused_event_id_is_a_conflict_not_a_repeat(store: Store) -> None:
    first = store.write("a.csv", HEADER + "\ne1,u1,i1,fashion,view,2026-01-02,1\n")
    store.ingest(events=first)
    second = store.write(
        "b.csv",
        HEADER
        + "\ne1,u1,i1,fashion,view,2026-01-02,1"  # the same event again: a repeat
        + "\ne1,u2,i2,fashion,purchase,2026-01-03,9"  # the id reused for another event
        + "\ne2,u1,i1,fashion,view,2026-01-04,1"
        + "\ne2,u1,i1,fashion,view,2026-01-04,2\n",  # reused within the file
    )
    s = store.ingest(events=second).to_dict()
    assert s["duplicates_by_kind"] == {"conflicting_event_id": 2, "repeated_event_id": 1}
    assert (s["accepted"], s["duplicates"]) == (1, 3)
    assert store.query("SELECT user_id, value FROM events ORDER BY event_id") == [
        ("u1", 1.0),
        ("u1", 1.0),
    ]
    assert store.ws.quality()["duplicates_by_kind"]["conflicting_event_id"] == 2


def _orphan_world(store: Store) -> None:
    items = store.write("items.csv", "item_id,domain,title\ni1,fashion,Shirt\ni2,fashion,Hat\n")
    events = store.write(
        "events.csv",
        HEADER
        + "".join(
            f"\ne{k},u{k % 3},{item},fashion,view,2026-01-0{1 + k % 5},1"
            for k, item in enumerate(["i1", "i2", "ghost", "i1", "ghost", "i2"])
        )
        + "\n",
    )
    store.ingest(items=items, events=events)


def test_orphan_items_are_counted_and_can_be_left_out(store: Store) -> None:
    _orphan_world(store)
    assert store.ws.quality()["orphan_items"] == 2
    kept = Interactions.from_workspace(store.ws)
    assert "ghost" in set(kept.items.ids)
    cut = Interactions.from_workspace(
        store.ws, config=InteractionsConfig(exclude_orphan_items=True)
    )
    assert set(cut.items.ids) == {"i1", "i2"}


NOTE_HEADER = "item_id,domain,title,description"
NOTES = NOTE_HEADER + "\ni1,fashion,Shirt,write to jane.doe@example.com for sizes\n"


def test_pii_is_dropped_by_default_and_the_policy_is_reported(store: Store) -> None:
    s = store.ingest(items=store.write("items.csv", NOTES)).to_dict()
    assert s["pii_policy"] == ["drop (default)"]
    assert s["pii_masked"].get("email") == 1
    (description,) = store.query("SELECT description FROM items")[0]
    assert "jane.doe@example.com" not in description
    q = store.ws.quality()
    assert q["pii_policy"] == "drop (default)"
    assert q["ingests"][-1]["pii_policy"] == "drop (default)"
    from seamline.report.quality import quality_section

    html = quality_section(q).html
    assert 'data-key="pii_policy"' in html and "drop (default)" in html


def test_the_mapping_or_the_workspace_may_say_otherwise(new_store) -> None:  # type: ignore[no-untyped-def]
    store = new_store("mapping")
    mapping = store.write("m.yaml", "items: {pii_policy: allow}\n")
    s = store.ingest(items=store.write("items.csv", NOTES), mapping=mapping).to_dict()
    assert s["pii_policy"] == ["allow (mapping)"]
    assert "jane.doe@example.com" in store.query("SELECT description FROM items")[0][0]

    other = new_store("workspace")
    ws = Workspace(other.folder / "ws", privacy=PrivacyOptions(pii=PiiPolicy(default="reject")))
    s = ws.ingest(items=other.write("items.csv", NOTES)).to_dict()
    assert s["pii_policy"] == ["reject (given)"]
    later = Workspace(other.folder / "ws").ingest(items=other.write("i2.csv", NOTES)).to_dict()
    assert later["pii_policy"] == ["reject (workspace)"]
    assert later["rejected_by_reason"] == {"pii_email": 1}
