"""The synthetic world: files, reproducibility, valid values, funnels and planted truths."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data import synthetic
from seamline.data.columns import EVENT_COLUMNS, EVENT_TYPES, ITEM_COLUMNS, USER_COLUMNS
from seamline.data.synthetic import WorldSummary, generate_world
from seamline.workspace import Workspace

CJK = re.compile(r"[\u4e00-\u9fff]")
WINDOW_START = pd.Timestamp("2026-04-30T16:00:00Z")  # 2026-05-01 00:00 in China
WINDOW_END = pd.Timestamp("2026-11-01T00:00:00Z")


@dataclass
class World:
    summary: WorldSummary
    events: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame
    truth: pd.DataFrame
    arms: pd.DataFrame
    campaign: dict = field(default_factory=dict)

    @property
    def dir(self) -> Path:
        return self.summary.out_dir


def _read(path: Path) -> pd.DataFrame:
    # Read ids and categories as text; empty fields stay NaN.
    return pd.read_csv(path, dtype={"event_id": str, "user_id": str, "item_id": str})


def load(summary: WorldSummary) -> World:
    out = summary.out_dir
    events = _read(out / "events.csv")
    events["ts"] = pd.to_datetime(events["timestamp"], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    return World(
        summary=summary,
        events=events,
        items=_read(out / "items.csv"),
        users=_read(out / "users.csv"),
        truth=_read(out / "truth" / "users.csv"),
        arms=_read(out / "truth" / "campaign_assignment.csv"),
        campaign=json.loads((out / "truth" / "campaign.json").read_text(encoding="utf-8")),
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return load(generate_world(1500, 11, tmp_path_factory.mktemp("world")))


@pytest.fixture(scope="module")
def big_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Big enough that the coupon's effect stands well above sampling noise."""
    return load(generate_world(20_000, 5, tmp_path_factory.mktemp("big")))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return f.readline().rstrip("\n").split(",")


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------
def test_writes_every_file_with_canonical_headers(world: World) -> None:
    out = world.dir
    assert _header(out / "events.csv") == list(EVENT_COLUMNS)
    assert _header(out / "items.csv") == list(ITEM_COLUMNS)
    assert _header(out / "users.csv") == list(USER_COLUMNS)
    assert _header(out / "truth" / "users.csv") == ["user_id", "segment"]
    assert _header(out / "truth" / "campaign_assignment.csv") == ["user_id", "arm"]
    for name in ("campaign.json", "segments.json", "world.json", "README.md"):
        assert (out / "truth" / name).stat().st_size > 0
    assert set(world.summary.files) >= {"events", "items", "users", "truth_users", "campaign"}
    assert all(Path(p).is_file() for p in world.summary.files.values())


def test_summary_counts_match_the_files(world: World) -> None:
    s = world.summary
    assert (s.users, s.items, s.events) == (len(world.users), len(world.items), len(world.events))
    assert s.segments == len(synthetic.SEGMENTS)
    assert s.sessions == world.events["session_id"].nunique()
    world_json = json.loads((world.dir / "truth" / "world.json").read_text(encoding="utf-8"))
    assert (world_json["seed"], world_json["events"]) == (11, s.events)


def test_readme_describes_each_truth_file(world: World) -> None:
    readme = (world.dir / "truth" / "README.md").read_text(encoding="utf-8")
    for name in ("users.csv", "segments.json", "campaign.json", "campaign_assignment.csv"):
        assert name in readme


# --------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate_world(400, 3, tmp_path / "a")
    generate_world(400, 3, tmp_path / "b")
    generate_world(400, 4, tmp_path / "c")
    a, b, c = (_tree(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    for name in ("events.csv", "items.csv", "users.csv", "truth/users.csv"):
        assert a[name] != c[name], name


def test_chunked_generation_numbers_events_and_sessions_globally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic.world, "CHUNK_USERS", 128)
    first = load(generate_world(600, 9, tmp_path / "a"))
    generate_world(600, 9, tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    ev = first.events
    numbers = ev["event_id"].str[1:].astype(int)
    assert numbers.tolist() == list(range(1, len(ev) + 1))
    # A session belongs to one user, and users' rows are contiguous across chunk borders.
    assert (ev.groupby("session_id")["user_id"].nunique() == 1).all()
    assert ev["user_id"].is_monotonic_increasing


# --------------------------------------------------------------------------------------
# Valid values
# --------------------------------------------------------------------------------------
def test_event_values_are_valid_for_the_model(world: World) -> None:
    ev = world.events
    assert ev["event_id"].is_unique
    assert set(ev["event_type"]) <= set(EVENT_TYPES)
    assert set(ev["domain"]) == {"knowledge", "fashion"}
    assert set(ev["channel"]) <= {"app", "web", "mini-program"}
    assert ev["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert ev["ts"].between(WINDOW_START, WINDOW_END).all()
    assert not ev.drop(columns=["event_id"]).duplicated().any()

    paid = ev["event_type"].isin(["purchase", "enroll"])
    assert (ev.loc[paid, "value"] > 0).all()
    assert ev.loc[~paid, "value"].isna().all()
    has_qty = paid | (ev["event_type"] == "cart")
    assert (ev.loc[has_qty, "quantity"] >= 1).all()
    assert ev.loc[~has_qty, "quantity"].isna().all()
    rated = ev["event_type"].isin(["rate", "review"])
    assert ev.loc[rated, "rating"].between(1, 5).all()
    assert ev.loc[~rated, "rating"].isna().all()
    assert ev.loc[~paid, "coupon_id"].isna().all()
    # Each domain keeps to its own funnel.
    by_domain = ev.groupby("domain")["event_type"].agg(set)
    assert by_domain["fashion"].isdisjoint({"enroll", "complete"})
    assert by_domain["knowledge"].isdisjoint({"cart", "purchase"})


def test_events_reference_known_users_and_items(world: World) -> None:
    ev, items = world.events, world.items
    assert set(ev["user_id"]) <= set(world.users["user_id"])
    item_domain = items.set_index("item_id")["domain"]
    assert (ev["item_id"].map(item_domain) == ev["domain"]).all()


def test_items_are_valid(world: World) -> None:
    items = world.items
    assert items["item_id"].is_unique
    assert (items["price"] > 0).all()
    assert set(items["language"]) == {"zh", "en"}
    assert set(items["domain"]) == {"knowledge", "fashion"}
    assert items[["title", "description", "category", "brand", "tags"]].notna().all().all()
    assert (
        items["item_id"].str[0] == items["domain"].map({"knowledge": "K", "fashion": "F"})
    ).all()
    assert all(t.startswith(c + "|") for t, c in zip(items["tags"], items["category"], strict=True))
    knowledge = items[items["domain"] == "knowledge"]
    assert knowledge["price"].between(9.9, 1999).all()


def test_users_are_valid_and_signed_up_before_acting(world: World) -> None:
    users = world.users
    assert users["user_id"].is_unique
    assert set(users["gender"]) == {"female", "male"}
    assert users["age"].between(16, 75).all()
    assert set(users["city"]) <= set(synthetic.CITIES)
    assert users[["age_band", "occupation"]].notna().all().all()
    signup = pd.to_datetime(users.set_index("user_id")["signup_at"], utc=True)
    first_event = world.events.groupby("user_id")["ts"].min()
    assert (signup.loc[first_event.index] < first_event).all()


def test_ingests_without_a_single_reject(world: World, tmp_path: Path) -> None:
    files = world.summary.files
    summary = Workspace(tmp_path / "ws").ingest(
        events=files["events"], items=files["items"], users=files["users"]
    )
    for part in summary.parts:
        assert part.accepted == part.rows > 0, part.table
        assert (part.rejected, part.duplicates, part.bot_users_flagged) == (0, 0, 0), part.table


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------
def test_titles_are_chinese_or_english_as_labelled(world: World) -> None:
    items = world.items
    zh = items["language"] == "zh"
    assert zh.mean() > 0.3
    assert items.loc[zh, "title"].str.contains(CJK).all()
    assert not items.loc[~zh, "title"].str.contains(CJK).any()
    courses_zh = items[zh & (items["domain"] == "knowledge")]["title"]
    assert courses_zh.str.match(r"^《.+》$").all()
    fashion_en = items[~zh & (items["domain"] == "fashion")]
    # "Slim-fit linen shirt in navy, ..." -- the description starts with the title.
    pairs = zip(fashion_en["description"], fashion_en["title"], strict=True)
    assert all(d.startswith(t + " in ") for d, t in pairs)


# --------------------------------------------------------------------------------------
# Funnels and sessions
# --------------------------------------------------------------------------------------
def test_funnel_counts_narrow_at_every_step(world: World) -> None:
    counts = pd.crosstab(world.events["domain"], world.events["event_type"])
    f, k = counts.loc["fashion"], counts.loc["knowledge"]
    assert f["view"] > f["click"] > f["cart"] > f["purchase"] > 0
    assert k["view"] > k["click"] > k["enroll"] > k["complete"] > 0


def test_each_step_follows_the_previous_one_for_the_same_item(world: World) -> None:
    ev = world.events
    first = ev.groupby(["session_id", "item_id", "event_type"])["ts"].min().unstack()
    chains = [
        ("click", "view"),
        ("cart", "click"),
        ("purchase", "cart"),
        ("enroll", "click"),
        ("complete", "enroll"),
    ]
    for later, earlier in chains:
        done = first[later].notna()
        assert done.any(), later
        assert (first.loc[done, earlier] < first.loc[done, later]).all(), (earlier, later)
    followed = first["rate"].notna()
    assert (
        first.loc[followed, ["purchase", "complete"]].min(axis=1) < first.loc[followed, "rate"]
    ).all()


def test_sessions_are_in_time_order_and_never_overlap(world: World) -> None:
    ev = world.events
    assert (ev.groupby("session_id")["ts"].apply(lambda t: t.is_monotonic_increasing)).all()
    assert ev.groupby("session_id")["channel"].nunique().max() == 1
    spans = (
        ev.groupby(["user_id", "session_id"])["ts"]
        .agg(["min", "max"])
        .sort_values(["user_id", "min"])
    )
    same_user = spans.index.get_level_values(0)[1:] == spans.index.get_level_values(0)[:-1]
    gaps = spans["min"].to_numpy()[1:] - spans["max"].to_numpy()[:-1]
    assert (gaps[same_user] > np.timedelta64(0, "s")).all()


def test_events_per_user_follows_the_parameter(world: World, tmp_path: Path) -> None:
    default = world.summary.events / world.summary.users
    assert 8 <= default <= 12
    busy = generate_world(1500, 11, tmp_path, events_per_user=20)
    assert 1.6 <= (busy.events / busy.users) / default <= 2.4


# --------------------------------------------------------------------------------------
# Planted segments
# --------------------------------------------------------------------------------------
def test_truth_assigns_every_user_one_planted_segment(world: World) -> None:
    segments = json.loads((world.dir / "truth" / "segments.json").read_text(encoding="utf-8"))
    keys = [s["key"] for s in segments["segments"]]
    assert 5 <= len(keys) <= 8
    assert world.truth["user_id"].tolist() == world.users["user_id"].tolist()
    assert set(world.truth["segment"]) == set(keys)
    shares = world.truth["segment"].value_counts(normalize=True)
    for s in segments["segments"]:
        assert abs(shares[s["key"]] - s["share"]) < 0.05, s["key"]
        assert CJK.search(s["name_zh"]) and s["name_en"]
        assert sum(s["course_taste"].values()) == pytest.approx(1, abs=1e-3)
        assert sum(s["fashion_taste"].values()) == pytest.approx(1, abs=1e-3)


def test_segments_behave_as_planted(world: World) -> None:
    ev = world.events.merge(world.truth, on="user_id")
    knowledge_share = ev.groupby("segment")["domain"].apply(lambda d: (d == "knowledge").mean())
    assert knowledge_share["fashion_shoppers"] < 0.15
    assert knowledge_share["culture_learners"] > 0.8
    per_user = ev.groupby("segment")["user_id"].agg(["size", "nunique"])
    activity = per_user["size"] / per_user["nunique"]
    assert activity["dormant"] < 0.5 * activity.drop("dormant").min()
    paid = ev[ev["event_type"].isin(["purchase", "enroll"])]
    spend = paid.groupby("segment")["value"].mean()
    assert spend["fashion_learners"] > 1.5 * spend["budget_students"]
    # The taste a segment favours is the category its users view most.
    views = ev[ev["event_type"] == "view"].merge(world.items[["item_id", "category"]])
    top = views.groupby(["segment", "domain"])["category"].agg(lambda c: c.value_counts().index[0])
    assert top["health_sports", "knowledge"] == "health_fitness"
    assert top["career_finance", "knowledge"] == "finance"
    assert top["fashion_learners", "knowledge"] == "fashion_design"
    assert top["budget_students", "fashion"] == "tops"


# --------------------------------------------------------------------------------------
# The past campaign
# --------------------------------------------------------------------------------------
def test_half_the_users_got_the_coupon_and_only_they_used_it(world: World) -> None:
    arms = world.arms
    assert arms["user_id"].tolist() == world.users["user_id"].tolist()
    assert arms["arm"].value_counts().to_dict() == {"coupon": 750, "control": 750}
    ev = world.events.merge(arms, on="user_id")
    used = ev[ev["coupon_id"].notna()]
    assert len(used) > 0
    assert set(used["arm"]) == {"coupon"}
    assert set(used["coupon_id"]) == {world.campaign["coupon_id"]}
    # Coupon orders are paid at the discount: value = price x quantity x (1 - discount).
    price = world.items.set_index("item_id")["price"]
    full = used["item_id"].map(price) * used["quantity"]
    discount = world.campaign["discount"]
    assert np.allclose(used["value"], (full * (1 - discount)).round(2), atol=0.011)
    local_day = (used["ts"] + pd.Timedelta(hours=8)).dt.strftime("%Y-%m")
    assert set(local_day) <= {"2026-09", "2026-10"}  # a late-night session may end in October


def _campaign_outcomes(w: World) -> pd.DataFrame:
    """Per user: converted and revenue in sessions that started in the campaign window."""
    ev = w.events
    start = ev.groupby("session_id")["ts"].transform("min") + pd.Timedelta(hours=8)
    in_window = start.dt.strftime("%Y-%m") == "2026-09"
    buys = ev[in_window & ev["event_type"].isin(["purchase", "enroll"])]
    per_user = buys.groupby("user_id")["value"].agg(["size", "sum"])
    out = w.arms.set_index("user_id").join(per_user).fillna({"size": 0, "sum": 0.0})
    out["converted"] = out["size"] > 0
    return out


def test_realised_campaign_numbers_match_the_events(big_world: World) -> None:
    realised = big_world.campaign["realised"]
    outcomes = _campaign_outcomes(big_world)
    for arm in ("coupon", "control"):
        mine = outcomes[outcomes["arm"] == arm]
        assert realised[arm]["users"] == len(mine)
        assert realised[arm]["converters"] == mine["converted"].sum()
        assert realised[arm]["orders"] == mine["size"].sum()
        assert realised[arm]["revenue"] == pytest.approx(mine["sum"].sum(), abs=0.05)


def test_coupon_raises_conversion_by_the_recorded_true_effect(big_world: World) -> None:
    truth = big_world.campaign["true_effect"]
    sample, expected = truth["sample"], truth["expected"]
    assert sample["conversion_ate"] > 0.01
    assert sample["conversion_ate"] == pytest.approx(expected["conversion_ate"], abs=0.01)
    assert expected["buy_probability_lift_per_view"] > 0
    assert big_world.summary.conversion_ate == sample["conversion_ate"]

    outcomes = _campaign_outcomes(big_world)
    rate = outcomes.groupby("arm")["converted"].mean()
    diff = rate["coupon"] - rate["control"]
    assert diff > 0
    se = np.sqrt(sum(rate[a] * (1 - rate[a]) / (outcomes["arm"] == a).sum() for a in rate.index))
    assert abs(diff - sample["conversion_ate"]) < 4 * se
    # The coupon works best on price-sensitive users.
    by_segment = truth["by_segment"]
    assert (
        by_segment["budget_students"]["conversion_ate"]
        > by_segment["fashion_learners"]["conversion_ate"]
    )


# --------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------
class RecordingProgress:
    def __init__(self) -> None:
        self.tasks: list[tuple[str, float | None]] = []
        self.advanced = 0.0
        self.finished = 0

    def task(self, description: str, total: float | None = None) -> RecordingProgress:
        self.tasks.append((description, total))
        return self

    def advance(self, n: float = 1) -> None:
        self.advanced += n

    def finish(self, task: object) -> None:
        self.finished += 1


def test_reports_progress_per_user(tmp_path: Path) -> None:
    progress = RecordingProgress()
    generate_world(300, 1, tmp_path, progress=progress)
    assert [total for _, total in progress.tasks] == [300]
    assert progress.advanced == 300
    assert progress.finished == 1


@pytest.mark.parametrize(
    ("n_users", "seed", "events_per_user"), [(0, 1, 10.0), (10, -1, 10.0), (10, 1, 0.0)]
)
def test_rejects_invalid_arguments(
    tmp_path: Path, n_users: int, seed: int, events_per_user: float
) -> None:
    with pytest.raises(ValueError, match="must be"):
        generate_world(n_users, seed, tmp_path, events_per_user=events_per_user)


def test_vocabulary_and_personas_are_package_data_checked_on_load() -> None:
    from seamline.data.synthetic.personas import segment_of
    from seamline.data.synthetic.vocab import parse_tsv
    from seamline.errors import DataError

    assert parse_tsv("x.tsv", "en\tzh\nred\t红\n\t\n") == [
        {"en": "red", "zh": "红"},
        {"en": "", "zh": ""},
    ]
    with pytest.raises(DataError, match=r"x.tsv line 3: 1 cells, expected 2 \(en, zh\)"):
        parse_tsv("x.tsv", "en\tzh\nred\t红\nblue only\n")
    row = dict(synthetic.SEGMENTS[0].__dict__)
    assert segment_of(1, row) == synthetic.SEGMENTS[0]
    with pytest.raises(DataError, match=r"personas\.yaml segment 2: unknown fields"):
        segment_of(2, {**row, "shoe_size": 40})
    with pytest.raises(DataError, match="course_taste has unknown \\['cooking'\\]"):
        segment_of(3, {**row, "course_taste": {"cooking": 1.0}})
    with pytest.raises(DataError, match="missing fields \\['share'\\]"):
        segment_of(4, {k: v for k, v in row.items() if k != "share"})
    assert len(synthetic.SEGMENTS) == 7 and len(synthetic.CATEGORIES) == 15
