"""User features: exact values on small hand-made data, versioning, errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from seamline.errors import ConfigError, DataError
from seamline.features import FeatureConfig, build_features, feature_columns, load_features
from seamline.features.rfm import NO_PURCHASE, RFM_GROUPS

HEADER = (
    "event_id,user_id,item_id,domain,event_type,timestamp,value,quantity,session_id,channel,"
    "coupon_id"
)
ITEMS = """item_id,domain,title,category,brand,price
k1,knowledge,Personal Finance Course 个人理财,finance,Finlit,100
k2,knowledge,Python Programming 编程,programming,CodeCraft,300
f1,fashion,Silk midi dress,dresses,Linen & Loom,200
f2,fashion,Cotton T-shirt,tops,Basics Lab,50
f3,fashion,Wool coat,outerwear,Linen & Loom,800
"""
EVENTS = [
    # u1: two knowledge purchases (one with coupon), one fashion purchase -> cross buyer
    "e1,u1,k1,knowledge,view,2026-05-01T08:00:00Z,,,s1,app,",
    "e2,u1,k1,knowledge,enroll,2026-05-01T08:05:00Z,80,1,s1,app,C1",
    "e3,u1,k1,knowledge,complete,2026-05-10T09:00:00Z,,,s2,app,",
    "e4,u1,f1,fashion,purchase,2026-05-20T20:00:00Z,200,1,s3,web,",
    "e5,u1,k2,knowledge,enroll,2026-05-30T21:00:00Z,300,1,s4,web,",
    # u2: browses fashion only, never buys
    "e6,u2,f2,fashion,view,2026-05-15T13:00:00Z,,,s5,mini-program,",
    "e7,u2,f3,fashion,view,2026-05-16T13:30:00Z,,,s6,mini-program,",
    "e8,u2,f3,fashion,click,2026-05-16T13:31:00Z,,,s6,mini-program,",
    # u3: one cheap fashion purchase of two units; the last event of the data set
    "e9,u3,f2,fashion,purchase,2026-05-31T00:00:00Z,100,2,s7,app,",
]
USERS = "user_id,gender,age,age_band\nu1,female,30,\nu2,male,,25-34\nu3,,,55+\nu4,female,40,\n"


@pytest.fixture
def small(store) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    store.ingest(
        events=store.write("events.csv", "\n".join([HEADER, *EVENTS]) + "\n"),
        items=store.write("items.csv", ITEMS),
        users=store.write("users.csv", USERS),
    )
    return store


def _rows(store) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    df = load_features(store.ws)
    return {r["user_id"]: r for r in df.to_dict("records")}


def test_rfm_engagement_and_cross_domain_values(small) -> None:  # type: ignore[no-untyped-def]
    build_features(small.ws, FeatureConfig(embedding_dim=0))
    f = _rows(small)
    u1, u2, u3 = f["u1"], f["u2"], f["u3"]
    # as_of is the last event (2026-05-31 00:00); u1 last bought 2026-05-30 21:00.
    assert u1["recency_days"] == pytest.approx(3 / 24)
    assert u1["frequency"] == 3 and u1["purchases"] == 3
    assert u1["monetary"] == pytest.approx(580)
    assert u1["avg_order_value"] == pytest.approx(580 / 3)
    assert u1["cross_buyer"] == 1 and u1["domains_bought"] == 2
    assert u1["share_knowledge"] == pytest.approx(4 / 5)
    assert u1["buy_share_fashion"] == pytest.approx(1 / 3)
    assert u1["completion_rate"] == pytest.approx(1 / 2)
    assert u1["coupon_share"] == pytest.approx(1 / 3)
    assert u1["sessions"] == 4 and u1["active_days"] == 4
    assert u1["channel_app"] == pytest.approx(3 / 5)
    # u2 never bought: no recency, no RFM score, the "no purchase" group; zero spend.
    assert u2["recency_days"] is None or math.isnan(u2["recency_days"])
    assert u2["frequency"] == 0 and u2["monetary"] == 0
    assert u2["rfm_group"] == NO_PURCHASE
    assert u2["click_rate"] == pytest.approx(1 / 2)
    assert u2["tod_afternoon"] == pytest.approx(1.0)
    assert u2["cat_outerwear"] == pytest.approx(2 / 3)
    # u3 paid 100 for two units of a 50 item: unit price 50 -> paid ratio 50 / median(tops).
    assert u3["paid_ratio"] == pytest.approx(1.0)
    assert u3["recency_days"] == pytest.approx(0.0)
    # Demographics: the middle of an age band; "55+" -> 60; female flag.
    assert u2["age"] == pytest.approx(29.5) and u3["age"] == pytest.approx(60)
    assert u1["female"] == 1 and u2["female"] == 0


def test_users_without_events_get_zero_counts(small) -> None:  # type: ignore[no-untyped-def]
    build_features(small.ws, FeatureConfig(embedding_dim=0))
    u4 = _rows(small)["u4"]
    assert u4["events"] == 0 and u4["frequency"] == 0 and u4["monetary"] == 0
    assert u4["rfm_group"] == NO_PURCHASE
    assert u4["age"] == 40


def test_time_of_day_uses_the_local_offset(small) -> None:  # type: ignore[no-untyped-def]
    build_features(small.ws, FeatureConfig(embedding_dim=0, utc_offset_hours=8))
    u2 = _rows(small)["u2"]
    assert u2["tod_evening"] == pytest.approx(1.0)  # 13:00 UTC = 21:00 UTC+8


def test_price_bands_and_sensitivity(small) -> None:  # type: ignore[no-untyped-def]
    build_features(small.ws, FeatureConfig(embedding_dim=0))
    u2 = _rows(small)["u2"]
    # tops median 50 (f2 only) and outerwear median 800: every item sits at its median.
    assert u2["band_mid"] == pytest.approx(1.0)
    assert u2["price_index_view"] == pytest.approx(0.0)


def test_interest_embedding_is_the_weighted_mean_of_item_embeddings(small) -> None:  # type: ignore[no-untyped-def]
    run = build_features(small.ws, FeatureConfig(embedding_dim=3))
    emb = [c["name"] for c in run.columns if c["family"] == "text"]
    assert emb == ["emb_0", "emb_1", "emb_2"]
    items = {
        r[0]: np.array(r[1:])
        for r in small.query("SELECT item_id, emb_0, emb_1, emb_2 FROM item_embeddings")
    }
    u2 = _rows(small)["u2"]
    expected = (items["f2"] + 2 * items["f3"]) / 3  # views and a click weigh 1 each
    assert np.allclose([u2[c] for c in emb], expected, atol=1e-5)
    u3 = _rows(small)["u3"]
    assert np.allclose([u3[c] for c in emb], items["f2"], atol=1e-5)


def test_each_run_is_a_new_version_and_old_ones_are_kept(small) -> None:  # type: ignore[no-untyped-def]
    first = build_features(small.ws, FeatureConfig(embedding_dim=0))
    second = build_features(small.ws, FeatureConfig(embedding_dim=0, keep_versions=1))
    third = build_features(small.ws, FeatureConfig(embedding_dim=0, keep_versions=1))
    assert (first.version, second.version, third.version) == (1, 2, 3)
    tables = {r[0] for r in small.query("SELECT table_name FROM information_schema.tables")}
    assert "user_features" in tables and "user_features_v2" in tables
    assert "user_features_v1" not in tables  # keep_versions=1
    assert small.count("feature_versions") == 3
    assert small.count("user_features_v2") == small.count("user_features") == 4
    names = [c["name"] for c in feature_columns(small.ws)]
    assert "monetary" in names and "rfm_group" in names


def _expected_group(r: int, f: int) -> str:
    """The classic R x F map, written independently of the SQL."""
    if r == 5 and f >= 4:
        return "Champions"
    if r >= 3 and f >= 4:
        return "Loyal"
    if r >= 4 and 2 <= f <= 3:
        return "Potential loyalist"
    if r == 5 and f == 1:
        return "New customers"
    if r == 4 and f == 1:
        return "Promising"
    if r == 3 and f == 3:
        return "Need attention"
    if r == 3 and f <= 2:
        return "About to sleep"
    if r <= 2 and f == 5:
        return "Cannot lose them"
    if r <= 2 and f >= 3:
        return "At risk"
    return "Hibernating"


def test_rfm_groups_follow_the_score_map(tmp_path: Path) -> None:
    from seamline.data.synthetic import generate_world
    from seamline.workspace import Workspace

    world = generate_world(400, 5, tmp_path / "w")
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=world.files["events"], items=world.files["items"])
    build_features(ws, FeatureConfig(families=("rfm",)))
    df = load_features(ws)
    buyers = df[df.frequency > 0]
    assert buyers.rfm_r.between(1, 5).all() and buyers.rfm_f.between(1, 5).all()
    for row in buyers.itertuples():
        assert row.rfm_group == _expected_group(int(row.rfm_r), int(row.rfm_f))
    assert set(df.rfm_group) <= set(RFM_GROUPS)
    # Equal frequency always gets an equal score (no arbitrary tie splitting).
    assert buyers.groupby("frequency").rfm_f.nunique().max() == 1
    assert (df[df.frequency == 0].rfm_group == NO_PURCHASE).all()


def test_empty_workspace_is_a_clear_error(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="no events"):
        build_features(store.ws)
    with pytest.raises(DataError, match="no user features"):
        load_features(store.ws)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"families": ("rfm", "colour")}, "unknown feature families"),
        ({"families": ("text",)}, "'rfm' family is required"),
        ({"utc_offset_hours": 20}, "utc_offset_hours"),
        ({"max_categories": 0}, "max_categories"),
    ],
)
def test_bad_config_is_a_config_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FeatureConfig(**kwargs)  # type: ignore[arg-type]


def test_date_only_timestamps_have_no_time_of_day_features(store) -> None:  # type: ignore[no-untyped-def]
    rows = [
        "e1,u1,f1,fashion,purchase,2026-05-01,200,1,,store,",
        "e2,u2,f2,fashion,purchase,2026-05-02,50,1,,online,",
    ]
    store.ingest(
        events=store.write("events.csv", "\n".join([HEADER, *rows]) + "\n"),
        items=store.write("items.csv", ITEMS),
    )
    run = build_features(store.ws, FeatureConfig(embedding_dim=0))
    names = {c["name"] for c in run.columns}
    assert not names & {"tod_morning", "tod_night", "hour_sin", "hour_cos"}
    assert {"weekend_share", "channel_store", "purchase_cadence_days"} <= names


def test_a_value_every_buyer_shares_scores_the_middle(store) -> None:  # type: ignore[no-untyped-def]
    rows = [
        "e1,u1,f1,fashion,purchase,2026-05-01,200,1,,,",
        "e2,u2,f2,fashion,purchase,2026-05-01,50,1,,,",
    ]
    store.ingest(events=store.write("events.csv", "\n".join([HEADER, *rows]) + "\n"))
    build_features(store.ws, FeatureConfig(families=("rfm",)))
    f = _rows(store)
    assert (f["u1"]["rfm_r"], f["u1"]["rfm_f"], f["u1"]["rfm_m"]) == (3, 3, 5)
    assert (f["u2"]["rfm_r"], f["u2"]["rfm_f"], f["u2"]["rfm_m"]) == (3, 3, 1)
    assert f["u1"]["rfm_group"] == f["u2"]["rfm_group"] == "Need attention"
