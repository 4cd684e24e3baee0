"""Bundle offers' messages name the bundle's course and fashion item, its price and the
saving, in every channel and language, within the voice's rules."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from tests._support.campaigns import example
from tests._support.worlds import world_workspace

from seamline.campaigns.bundle_offers import user_bundles
from seamline.campaigns.messages import render_messages
from seamline.campaigns.offers import Offer
from seamline.campaigns.spec import CampaignSpec, message_templates
from seamline.errors import ConfigError
from seamline.workspace import Workspace

CHANNELS = [{"name": c} for c in ("push", "email", "sms", "mini_program")]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return world_workspace(tmp_path_factory.mktemp("bundles"), 2000, 4)[0]


def bundle_spec(**offer: Any) -> CampaignSpec:
    data = example()
    data["channels"] = CHANNELS
    data["offers"][1].update(offer)
    return CampaignSpec.model_validate(data)


def users_frame(ws: Workspace, n: int = 30) -> pd.DataFrame:
    with ws.connect(read_only=True) as con:
        rows = con.execute("SELECT DISTINCT user_id FROM events ORDER BY 1 LIMIT ?", [n])
        users = [r[0] for r in rows.fetchall()]
    return pd.DataFrame({"user_id": users, "offer_id": "style-bundle", "arm": "campaign"})


def test_messages_show_the_users_bundle(ws: Workspace) -> None:
    spec = bundle_spec()
    frame = users_frame(ws)
    chosen, stats = user_bundles(ws, list(spec.offers), list(frame["user_id"]),
                                 list(frame["offer_id"]))  # fmt: skip
    assert stats["style-bundle"]["users_without"] == 0 and stats["style-bundle"]["bundles"] >= 1
    out, previews, violations, counted = render_messages(ws, spec, message_templates(spec), frame)
    assert counted == stats and violations == {}
    for i, message in enumerate(out["message"]):
        b = chosen[i]
        course = next(p for p in b["items"] if p["domain"] == "knowledge")
        look = next(p for p in b["items"] if p["domain"] == "fashion")
        # the offer's terms: its face value off the parts' list price
        assert b["saving"] == 60 and b["price"] == pytest.approx(b["list_price"] - 60)
        assert course["title"][:8] in message and look["title"][:8] in message
        assert f"{b['price']:.0f}" in message and "60" in message
    assert {(p["channel"], p["language"]) for p in previews} == {
        (c["name"], lang) for c in CHANNELS for lang in ("zh", "en")
    }
    first = chosen[0]
    for p in previews:
        assert p["violations"] == [], p
        text = p["title"] + p["body"]
        assert all(part["title"][:8] in text for part in first["items"][:2])
        assert f"{first['price']:.0f}" in text


def test_named_bundle_items(ws: Workspace) -> None:
    with ws.connect(read_only=True) as con:
        course, price_c, title_c = con.execute(
            "SELECT item_id, price, title FROM items WHERE domain = 'knowledge' ORDER BY 1 LIMIT 1"
        ).fetchone()
        look, price_f, title_f = con.execute(
            "SELECT item_id, price, title FROM items WHERE domain = 'fashion' ORDER BY 1 LIMIT 1"
        ).fetchone()
    spec = bundle_spec(bundle_items=[look, course], face_value=20, min_spend=0)
    out, _, _, stats = render_messages(ws, spec, message_templates(spec), users_frame(ws, 3))
    assert stats["style-bundle"] == {"bundles": 1, "users_without": 0}
    price = price_c + price_f - 20
    for message in out["message"]:
        assert title_c[:8] in message and title_f[:8] in message and f"{price:.0f}" in message
    missing = bundle_spec(bundle_items=[course, "NOPE-1"])
    with pytest.raises(ConfigError, match=r"style-bundle.*bundle_items \['NOPE-1'\]"):
        render_messages(ws, missing, message_templates(missing), users_frame(ws, 2))


def test_bundle_items_belong_to_bundles() -> None:
    with pytest.raises(ValueError, match="bundle_items need kind bundle"):
        Offer(id="c", kind="coupon", face_value=5, bundle_items=["a", "b"])
    Offer(id="b", kind="bundle", face_value=5, bundle_items=["a", "b"])
