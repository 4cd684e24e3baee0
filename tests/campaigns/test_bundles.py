"""Bundles on the synthetic world: pairs cross domains, follow the planted tastes (styling
courses with dresses and bags), are priced from willingness to pay, and expect the most
take-up in the segment whose users share the interest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _support.worlds import ingest_world
from seamline.campaigns.bundles import BundleConfig, find_bundles, workspace_bundles
from seamline.campaigns.content import MessageTemplates
from seamline.campaigns.context import message_context
from seamline.campaigns.voice import load_voice
from seamline.data.synthetic import generate_world
from seamline.errors import ConfigError
from seamline.recommend.store import fit_defaults, load_model


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundles") / "world"
    generate_world(1500, 3, folder)
    return folder


def _read(world: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    truth = pd.read_csv(world / "truth" / "users.csv", dtype=str)
    return (
        pd.read_csv(world / "events.csv", dtype={"user_id": str, "item_id": str}),
        pd.read_csv(world / "items.csv", dtype={"item_id": str}),
        dict(zip(truth["user_id"], truth["segment"], strict=True)),
    )


def test_bundles_follow_cross_domain_co_interest(world: Path) -> None:
    events, items, segments = _read(world)
    bundles = find_bundles(events, items, segments=segments)
    assert len(bundles) == 10
    category = items.set_index("item_id")["category"]
    partners = [b.items[1]["item_id"] for b in bundles]
    assert len(set(partners)) == len(partners)  # each partner item in one bundle
    for b in bundles:
        assert [i["domain"] for i in b.items] == ["knowledge", "fashion"]
        assert b.lift > 1 and b.support >= 5
        assert b.price == np.floor(b.list_price * (1 - 0.08)) and 0.05 <= b.discount <= 0.30
    assert [b.score for b in bundles] == sorted((b.score for b in bundles), reverse=True)
    styling = [b for b in bundles if category[b.items[0]["item_id"]] == "fashion_design"]
    assert styling, "the planted styling-course x fashion affinity yields bundles"
    for b in styling:
        assert category[b.items[1]["item_id"]] in {"dresses", "bags", "accessories", "tops"}
        # The world's fashion learners share this interest: the most take-up is theirs.
        assert max(b.take_up, key=lambda s: b.take_up[s]) == "fashion_learners"
        assert b.audience["fashion_learners"] == max(b.audience.values())


def test_willingness_to_pay_sets_the_discount_and_take_up(world: Path) -> None:
    events, items, segments = _read(world)
    base = find_bundles(events, items, segments=segments, config=BundleConfig(n_bundles=3))
    users = sorted(segments)
    sensitive = pd.DataFrame({"user_id": users, "price_sensitivity": 1.0, "coupon_share": 0.5})
    cheap = find_bundles(
        events, items, segments=segments, wtp=sensitive, config=BundleConfig(n_bundles=3)
    )
    assert [b.id for b in cheap] == [b.id for b in base]
    for b0, b1 in zip(base, cheap, strict=True):
        assert b1.discount > b0.discount + 0.1 and b1.price < b0.price
        assert all(b1.take_up[s] > b0.take_up[s] for s in b0.take_up)


def test_recommendations_strengthen_a_pair(world: Path) -> None:
    events, items, _ = _read(world)
    top3 = find_bundles(events, items, config=BundleConfig(n_bundles=1, partners=3))[0]
    anchor, second = top3.items[0]["item_id"], top3.items[2]["item_id"]
    fans = events.loc[events["item_id"] == anchor, "user_id"].unique()
    cfg = BundleConfig(n_bundles=1)
    assert find_bundles(events, items, config=cfg)[0].items[1]["item_id"] != second
    # The recommender suggests the anchor's second-best partner to all its fans.
    boosted = find_bundles(events, items, recommended={u: [second] for u in fans}, config=cfg)[0]
    assert [i["item_id"] for i in boosted.items] == [anchor, second]
    assert boosted.rec_share == pytest.approx(1.0)


def test_reverse_direction_and_several_partners(world: Path) -> None:
    events, items, _ = _read(world)
    cfg = BundleConfig(anchor_domain="fashion", partner_domain="knowledge", partners=2)
    bundles = find_bundles(events, items, config=cfg)
    assert bundles and all(len(b.items) <= 3 for b in bundles)
    assert any(len(b.items) == 3 for b in bundles)
    for b in bundles:
        assert b.items[0]["domain"] == "fashion"
        assert {i["domain"] for i in b.items[1:]} == {"knowledge"}
        assert set(b.take_up) == {"all"}


def test_a_bundle_is_an_offer_and_fills_a_message(world: Path) -> None:
    events, items, _ = _read(world)
    b = find_bundles(events, items, config=BundleConfig(n_bundles=1))[0]
    offer = b.to_offer(margin=0.5, max_users=100)
    assert (offer.kind, offer.face_value, offer.order_value) == ("bundle", b.saving, b.list_price)
    assert offer.strength == pytest.approx(b.discount, abs=0.01) and offer.max_users == 100
    p0, p1 = np.array([0.1]), np.array([0.2])
    expected = 0.1 * b.list_price * 0.5 - 0.2 * b.saving
    assert offer.expected_profit(p0, p1)[0] == pytest.approx(expected)
    t = MessageTemplates(load_voice("zhixing"), channels=["push"], languages=["zh"])
    ctx = message_context("u1", b.items[:1], offer=offer, bundle=b)
    m = t.render(ctx, "push", "zh")
    assert f"¥{b.price:.0f}" in m.body and m.offer_kind == "bundle" and m.ok


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"partner_domain": "knowledge"}, "partner_domain"),
        ({"price_band": (2.0, 1.0)}, "price_band"),
        ({"discount_range": (0.3, 0.1)}, "discount_range"),
        ({"partners": 4}, "partners"),
    ],
)
def test_bad_config_names_the_field(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        BundleConfig(**kw)  # type: ignore[arg-type]


def test_workspace_bundles_use_the_recommender(world: Path, tmp_path: Path) -> None:
    ws = ingest_world(world, tmp_path / "ws")
    fit_defaults(ws)
    bundles = workspace_bundles(ws, BundleConfig(n_bundles=5), model=load_model(ws))
    assert len(bundles) == 5 and all(b.items[1]["domain"] == "fashion" for b in bundles)
    assert any(b.rec_share > 0 for b in bundles)
