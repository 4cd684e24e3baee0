"""IdMap and Interactions: ids, event weights, decay, recency and side info."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import DEFAULT_EVENT_WEIGHTS, IdMap, Interactions
from seamline.errors import ConfigError, DataError


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["a", "a", "b", "a", "b"],
            "item_id": ["x", "y", "x", "x", "z"],
            "domain": ["knowledge", "fashion", "knowledge", "knowledge", "fashion"],
            "event_type": ["view", "purchase", "cart", "click", "mystery"],
            "timestamp": pd.to_datetime(
                ["2026-01-01", "2026-01-03", "2026-01-02", "2026-01-05", "2026-01-05"], utc=True
            ),
        }
    )


def test_idmap_round_trip_and_duplicates() -> None:
    m = IdMap(["u1", "u2", 3])
    assert len(m) == 3 and m.index("3") == 2 and m.id(1) == "u2"
    assert m.indices(["u2", "nope"]).tolist() == [1, -1]
    with pytest.raises(DataError, match="'u1' appears more than once"):
        IdMap(["u1", "u1"])


def test_event_weights_sum_per_pair() -> None:
    d = Interactions.from_frame(frame())
    X = d.matrix().toarray()
    a, b = d.users.index("a"), d.users.index("b")
    x, y, z = (d.items.index(i) for i in "xyz")
    w = DEFAULT_EVENT_WEIGHTS
    assert X[a, x] == w["view"] + w["click"]
    assert X[a, y] == w["purchase"] and X[b, x] == w["cart"]
    assert X[b, z] == 1.0  # unlisted types count like a view
    assert w["view"] < w["click"] < w["cart"] < w["purchase"]
    assert list(d.item_domain) == ["knowledge", "fashion", "fashion"]


def test_max_and_binary_aggregates_count_a_pair_once() -> None:
    w = DEFAULT_EVENT_WEIGHTS
    for aggregate, expected in (("max", w["click"]), ("binary", 1.0)):
        d = Interactions.from_frame(frame(), aggregate=aggregate)
        a, b = d.users.index("a"), d.users.index("b")
        x, y = d.items.index("x"), d.items.index("y")
        X = d.matrix().toarray()
        assert X[a, x] == expected  # a view then a click of the same item
        assert X[a, y] == (w["purchase"] if aggregate == "max" else 1.0)
        assert X[b, x] == (w["cart"] if aggregate == "max" else 1.0)
        # Recency weighting keeps the pair's strongest (here: latest) event only.
        H = d.history_matrix(1.0).toarray()
        assert H[a, x] == pytest.approx(expected * 1.0)  # the click is a's latest event
        assert H[a, y] == pytest.approx(X[a, y] * 0.5)
    with pytest.raises(ConfigError, match=r"aggregate: Input should be 'sum', 'max' or 'binary'"):
        Interactions.from_frame(frame(), aggregate="mean")


def test_custom_weights_and_decay() -> None:
    d = Interactions.from_frame(frame(), event_weights={"purchase": 10}, half_life_days=2.0)
    a, y = d.users.index("a"), d.items.index("y")
    # the purchase is 2 days before the latest event: one half-life
    assert d.matrix()[a, y] == pytest.approx(5.0)
    with pytest.raises(
        ConfigError, match=r"event_weights\.view: Input should be greater than or equal to 0"
    ):
        Interactions.from_frame(frame(), event_weights={"view": -1})
    with pytest.raises(ConfigError, match="half_life_days"):
        Interactions.from_frame(frame(), half_life_days=0)


def test_recency_rank_counts_later_events() -> None:
    d = Interactions.from_frame(frame())
    # user a: view x (Jan 1), purchase y (Jan 3), click x (Jan 5)
    assert d.recency_rank().tolist() == [2, 1, 1, 0, 0]
    H = d.history_matrix(1.0)
    a, x, y = d.users.index("a"), d.items.index("x"), d.items.index("y")
    assert H[a, y] == pytest.approx(4.0 * 0.5)
    assert H[a, x] == pytest.approx(1.0 * 0.25 + 2.0)


def test_fixed_id_maps_and_unknown_ids() -> None:
    users, items = IdMap(["b", "a", "c"]), IdMap(["z", "y", "x", "w"])
    d = Interactions.from_frame(frame(), users=users, items=items)
    assert d.matrix().shape == (3, 4) and d.users is users
    with pytest.raises(DataError, match="row 4: item_id 'z' is not in the given id map"):
        Interactions.from_frame(frame(), items=IdMap(["x", "y"]))
    with pytest.raises(DataError, match="lacks required column 'item_id'"):
        Interactions.from_frame(frame().drop(columns="item_id"))


def test_side_info_from_item_table() -> None:
    info = pd.DataFrame(
        {"item_id": ["x", "z"], "domain": ["knowledge", "fashion"],
         "category": ["finance", "shoes"], "brand": ["B1", None], "price": [9.9, np.nan],
         "title": ["Money 101", "Runner"]}
    )  # fmt: skip
    d = Interactions.from_frame(frame(), item_info=info)
    x, y, z = (d.items.index(i) for i in "xyz")
    assert d.item_category[x] == "finance" and d.item_brand[z] == ""
    assert d.item_price[x] == 9.9 and np.isnan(d.item_price[y])
    assert d.item_title[z] == "Runner" and d.item_domain[y] == "fashion"


def test_from_workspace(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="holds no events"):
        Interactions.from_workspace(store.ws)
    with pytest.raises(ConfigError, match="unknown domain"):
        Interactions.from_workspace(store.ws, domain="films")


def test_item_in_two_domains_keeps_its_first(caplog: pytest.LogCaptureFixture) -> None:
    df = frame()
    df.loc[3, "domain"] = "fashion"  # item x again, now said to be fashion
    d = Interactions.from_frame(df)
    assert d.item_domain[d.items.index("x")] == "knowledge"
    assert "1 events name an item_id already seen in another domain" in caplog.text


def test_natural_id_order_and_vectorised_positions() -> None:
    """One id-mapping path for Interactions and evaluation's event log."""
    assert IdMap.natural(["10", "9", "10", "100"]).ids == ["9", "10", "100"]
    assert IdMap.natural(["b", "10", "a"]).ids == ["10", "a", "b"]
    m = IdMap(["x", "y"])
    assert m.positions(["y", "z", "x"]).tolist() == [1, -1, 0]
