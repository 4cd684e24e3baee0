"""Every registry model through the one recommender API, on synthetic and ml-shaped data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError, DataError, NotFittedError
from seamline.recommend import persist
from seamline.recommend.base import Recommender, topk
from seamline.recommend.registry import MODELS, TRANSFER_MODELS, load_model, make

NAMES = [n for n in MODELS if n != "content"]  # needs item text: tests/cross has it
SASREC = {"factors": 32, "blocks": 1, "heads": 1, "max_len": 10, "epochs": 30, "lr": 0.01,
          "dropout": 0.0, "threads": 1}  # fmt: skip
FAST = {
    "als": {"iterations": 5, "factors": 16},
    "bpr": {"iterations": 20, "factors": 16},
    "sasrec": SASREC,
    "blend": {"sasrec": SASREC},
}


def fitted(name: str, data: Interactions, **params: object) -> Recommender:
    return make(name, **{**FAST.get(name, {}), **params}).fit(data)


@pytest.fixture(scope="module")
def synth_models(synth: Interactions) -> dict[str, Recommender]:
    return {n: fitted(n, synth) for n in NAMES}


@pytest.fixture(scope="module")
def ml_models(ml: Interactions) -> dict[str, Recommender]:
    return {n: fitted(n, ml) for n in NAMES}


def test_registry_names_follow_the_contract() -> None:
    assert set(MODELS) == {
        "mostpop", "userknn", "itemknn", "als", "bpr", "ease", "transition", "sasrec", "blend",
        *TRANSFER_MODELS,
    }  # fmt: skip
    assert set(TRANSFER_MODELS) == {"xitem", "emcdr", "content", "transfer"}
    with pytest.raises(ConfigError, match="allowed"):
        make("svd")
    with pytest.raises(ConfigError, match="no parameter 'factors'"):
        make("ease", factors=3)
    assert make("ease", **{"lambda": 50.0}).config.l2 == 50.0  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", NAMES)
def test_not_fitted_raises(name: str) -> None:
    with pytest.raises(NotFittedError):
        make(name).recommend(["u"])


@pytest.mark.parametrize("name", NAMES)
def test_unseen_only_and_sorted(
    name: str, synth_models: dict[str, Recommender], synth: Interactions
) -> None:
    m = synth_models[name]
    X = synth.matrix()
    for uid in synth.users.ids[:20]:
        recs = m.recommend([uid], k=10)[0]
        assert len(recs) == 10
        seen = set(X[synth.users.index(uid)].indices)
        assert not seen & {synth.items.index(r.item_id) for r in recs}
        scores = [r.score for r in recs]
        assert scores == sorted(scores, reverse=True)
    # with exclude_seen=False a heavy user's own items may come back
    uid = synth.users.id(int(np.argmax(X.getnnz(axis=1))))
    all_items = m.recommend([uid], k=synth.n_items, exclude_seen=False)[0]
    assert len(all_items) == synth.n_items


@pytest.mark.parametrize("name", NAMES)
def test_domain_and_filters(
    name: str, synth_models: dict[str, Recommender], synth: Interactions
) -> None:
    m = synth_models[name]
    info = {synth.items.id(j): j for j in range(synth.n_items)}
    uid = synth.users.id(3)
    for domain in ("fashion", "knowledge"):
        recs = m.recommend([uid], k=8, domain=domain)[0]
        assert recs and all(synth.item_domain[info[r.item_id]] == domain for r in recs)
    cat = synth.item_category[np.flatnonzero(synth.item_domain == "fashion")[0]]
    recs = m.recommend([uid], k=50, filters={"category": [cat], "price_max": 500})[0]
    assert recs
    for r in recs:
        j = info[r.item_id]
        assert synth.item_category[j] == cat and synth.item_price[j] <= 500
    with pytest.raises(ConfigError, match="unknown filter"):
        m.recommend([uid], filters={"colour": "red"})
    with pytest.raises(ConfigError, match="unknown domain"):
        m.recommend([uid], domain="movies")


@pytest.mark.parametrize("name", NAMES)
def test_explain_names_history_items(
    name: str, ml_models: dict[str, Recommender], ml: Interactions
) -> None:
    m = ml_models[name]
    X = ml.matrix()
    uid = ml.users.id(7)
    history = {ml.items.id(j) for j in X[7].indices}
    recs = m.recommend([uid], k=5)[0]
    for r in recs:
        assert set(r.because) <= history
        assert m.explain(uid, r.item_id) == r.because
    if name != "mostpop":  # popularity has no history behind it
        assert any(r.because for r in recs)


@pytest.mark.parametrize("name", NAMES)
def test_scores_match_recommend(
    name: str, ml_models: dict[str, Recommender], ml: Interactions
) -> None:
    m = ml_models[name]
    rows = np.arange(10)
    S = m.scores(rows)
    assert S.shape == (10, ml.n_items) and S.dtype == np.float32
    X = ml.matrix()
    s = S[4].astype(np.float64)
    s[X[4].indices] = -np.inf
    expect = [ml.items.id(j) for j in topk(s, 10)]
    assert [r.item_id for r in m.recommend([ml.users.id(4)], k=10)[0]] == expect
    one = m.score(ml.users.id(4), expect[:3])
    np.testing.assert_allclose(one, S[4, [ml.items.index(i) for i in expect[:3]]], rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip(name: str, ml_models: dict[str, Recommender], tmp_path: Path) -> None:
    m = ml_models[name]
    m2 = load_model(persist.save(m, tmp_path / name))
    assert type(m2) is type(m) and m2.get_params() == m.get_params()
    rows = np.arange(m.n_users)
    np.testing.assert_array_equal(m.scores(rows), m2.scores(rows))
    uid = m.users_.id(2)
    assert [r.to_dict() for r in m.recommend([uid])[0]] == [
        r.to_dict() for r in m2.recommend([uid])[0]
    ]
    assert not any(p.suffix == ".pkl" for p in (tmp_path / name).iterdir())


@pytest.mark.parametrize("name", [n for n in NAMES if n != "mostpop"])
def test_fold_in_new_user_gets_their_cluster(
    name: str, ml_models: dict[str, Recommender], ml: Interactions
) -> None:
    """ml_shaped users in group g mostly take items i with i % 5 == g (ids from 1)."""
    m = ml_models[name]
    group = [str(i + 1) for i in range(2, 300, 5)][:12]  # items of taste group 2
    m.fold_in("newcomer", group)
    recs = m.recommend(["newcomer"], k=10)[0]
    share = np.mean([(int(r.item_id) - 1) % 5 == 2 for r in recs])
    assert share >= 0.7, (name, [r.item_id for r in recs])
    assert not {r.item_id for r in recs} & set(group)
    assert all(set(r.because) <= set(group) for r in recs)


def test_fold_in_known_user_extends_history(ml: Interactions) -> None:
    m = fitted("ease", ml)
    uid = ml.users.id(0)
    before = {r.item_id for r in m.recommend([uid], k=5)[0]}
    m.fold_in(uid, sorted(before))
    after = {r.item_id for r in m.recommend([uid], k=5)[0]}
    assert not before & after  # the folded items now count as seen
    with pytest.raises(DataError, match="not in the model's catalog"):
        m.fold_in(uid, ["no-such-item"])


def test_unknown_user_policies(synth_models: dict[str, Recommender], synth: Interactions) -> None:
    m = synth_models["ease"]
    recs = m.recommend(["nobody"], k=5)[0]
    top_pop = [synth.items.id(j) for j in topk(np.asarray(synth.matrix().sum(axis=0)).ravel(), 5)]
    assert [r.item_id for r in recs] == top_pop and all(r.because == [] for r in recs)
    with pytest.raises(DataError, match="unknown user 'nobody'"):
        m.recommend(["nobody"], unknown="raise")
    with pytest.raises(ConfigError):
        m.recommend(["nobody"], unknown="guess")  # type: ignore[arg-type]


def test_similar_items(ml_models: dict[str, Recommender], ml: Interactions) -> None:
    for name, m in ml_models.items():
        sims = m.similar_items("3", k=5)
        assert len(sims) == 5 and "3" not in {s.item_id for s in sims}, name
    with pytest.raises(DataError):
        ml_models["ease"].similar_items("no-such-item")


def test_recent_half_life_weights_latest_events(ml: Interactions) -> None:
    plain, recent = fitted("ease", ml), fitted("ease", ml, recent_half_life=3.0)
    np.testing.assert_array_equal(plain.B_, recent.B_)  # type: ignore[attr-defined]
    assert not np.allclose(plain.scores(np.arange(5)), recent.scores(np.arange(5)))


def test_ease_refuses_a_large_catalog(ml: Interactions) -> None:
    with pytest.raises(ConfigError, match="max_items"):
        make("ease", max_items=100).fit(ml)


def test_seeded_models_are_reproducible(ml: Interactions) -> None:
    for name in ("als", "bpr"):
        a, b = fitted(name, ml), fitted(name, ml)
        np.testing.assert_array_equal(a.scores(np.arange(5)), b.scores(np.arange(5)))


def test_mostpop_time_decay_prefers_recent(ml: Interactions) -> None:
    flat, decayed = fitted("mostpop", ml), fitted("mostpop", ml, half_life_days=0.05)
    assert not np.array_equal(flat.pop_, decayed.pop_)
    assert decayed.pop_.sum() < flat.pop_.sum()


@pytest.mark.parametrize("name", ["itemknn", "ease", "als", "transition"])
def test_cross_domain_transfer(
    name: str, synth_models: dict[str, Recommender], synth: Interactions
) -> None:
    """A learner known only from courses gets fashion items, explained by those courses."""
    m = synth_models[name]
    X = synth.matrix()
    knowledge = np.flatnonzero(synth.item_domain == "knowledge")
    # the courses of an existing user who has both kinds of history
    both = next(
        r for r in range(synth.n_users)
        if {synth.item_domain[j] for j in X[r].indices} == {"knowledge", "fashion"}
    )  # fmt: skip
    courses = [synth.items.id(j) for j in X[both].indices if j in set(knowledge)]
    m.fold_in("learner", courses)
    recs = m.recommend(["learner"], k=5, domain="fashion")[0]
    assert len(recs) == 5
    assert all(synth.item_domain[synth.items.index(r.item_id)] == "fashion" for r in recs)
    assert any(r.because for r in recs)
    assert all(set(r.because) <= set(courses) for r in recs)


@pytest.mark.parametrize("name", NAMES)
def test_many_users_at_once_equal_one_by_one(name: str, ml_models: dict[str, Recommender]) -> None:
    m = ml_models[name]
    users = [m.users_.id(r) for r in range(0, 40, 3)] + ["stranger"]
    together = m.recommend(users, k=5, filters={"price_max": None})
    alone = [m.recommend([u], k=5)[0] for u in users]
    for a, b in zip(together, alone, strict=True):
        assert [r.item_id for r in a] == [r.item_id for r in b]
        np.testing.assert_allclose([r.score for r in a], [r.score for r in b], rtol=1e-5)
        assert [r.because for r in a] == [r.because for r in b]


@pytest.mark.parametrize("name", ["itemknn", "ease", "transition"])
def test_candidate_scores_rank_as_recommend_does(
    name: str, synth_models: dict[str, Recommender], synth: Interactions
) -> None:
    # A second stage re-ranks from candidate_scores/because: they must give what recommend gives.
    model = synth_models[name]
    for uid in [*synth.users.ids[:5], "never-seen-user"]:
        s, hist = model.candidate_scores(uid, domain="fashion")
        top = topk(s, 5)
        want = model.recommend([uid], k=5, domain="fashion")[0]
        assert [model.items_.ids[j] for j in top] == [r.item_id for r in want]
        assert model.because(uid, hist, top) == [r.because for r in want]
        assert np.isneginf(s[model.catalog_.mask("knowledge", None)]).all()
        if hist is not None:
            assert np.isneginf(s[hist.indices]).all()
