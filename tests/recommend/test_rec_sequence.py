"""Sequence-aware retrieval: item transitions (order, windows, decays, fold-in) and the
leakage guard of a temporal split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from _support.worlds import ml_shaped
from seamline.data.dataset import Interactions
from seamline.errors import ConfigError
from seamline.evaluate.events import load_log, pair_split, train_events
from seamline.evaluate.runner import seamline_fit
from seamline.recommend.registry import make
from seamline.recommend.sequence.history import latest_n, recency_matrix, sequences

T0 = pd.Timestamp("2024-01-01", tz="UTC")
SMALL = {"sasrec": {"epochs": 3, "factors": 16, "heads": 1, "blocks": 1, "max_len": 10}}


def frame(*histories: str) -> pd.DataFrame:
    """One user per string, one event per letter, in that order ("abc": a, then b, then c)."""
    rows = [
        (f"u{n}", ch, "other", "rate", T0 + pd.Timedelta(minutes=10 * n + t))
        for n, h in enumerate(histories)
        for t, ch in enumerate(h)
    ]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "domain", "event_type", "timestamp"])


def test_transitions_follow_windows_and_decays() -> None:
    data = Interactions.from_frame(frame("abc"), items=None)
    M = make("transition", window=2, gamma=0.5, backward=0.0, a=0.0).fit(data).M_
    at = {c: data.items.index(c) for c in "abc"}
    dense = M.toarray()
    # a->b at distance 1 (1.0), a->c at distance 2 (0.5), b->c (1.0); nothing backwards
    assert dense[at["a"], at["b"]] == 1.0 and dense[at["a"], at["c"]] == 0.5
    assert dense[at["b"], at["c"]] == 1.0 and dense[at["c"]].sum() == 0.0
    sym = make("transition", window=1, backward=0.5, a=1.0).fit(data).M_.toarray()
    # symmetric half-weight: b leads to c (1.0) and back to a (0.5), normalised to sum 1
    np.testing.assert_allclose(sym[at["b"], [at["a"], at["c"]]], [1 / 3, 2 / 3], rtol=1e-6)


def test_the_latest_item_drives_the_scores() -> None:
    # Everyone goes a -> b -> c -> d; a user who just took b is offered c before d.
    data = Interactions.from_frame(frame(*(["abcd"] * 5), "xab", "xyz"))
    m = make("transition", window=2, backward=0.0).fit(data)
    recs = m.recommend(["u5"], k=2)[0]
    assert [r.item_id for r in recs] == ["c", "d"] and recs[0].because == ["b", "a"]
    # Directed: nothing follows b in "ab", so a user who took b alone gets no reason for a;
    # symmetric windows also read the pair backwards.
    ab = Interactions.from_frame(frame("ab", "ab", "b"))
    assert make("transition", backward=0.0).fit(ab).explain("u2", "a") == []
    assert make("transition", backward=1.0).fit(ab).explain("u2", "a") == ["b"]


def test_repeats_collapse_and_only_the_last_n_count() -> None:
    data = Interactions.from_frame(frame("aabbbc", "abcdef"))
    seqs = sequences(data)
    assert [data.items.id(int(i)) for i in seqs.item[seqs.user == 0]] == ["a", "b", "c"]
    H = recency_matrix(seqs, 0.5)
    np.testing.assert_allclose(sorted(H[1].data), [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1])
    last = latest_n(H, 2)
    assert sorted(data.items.id(int(j)) for j in last[1].indices) == ["e", "f"]
    assert last[0].nnz == 2 and H.nnz == 9  # every seen item stays in the history


def test_fold_in_appends_the_latest_steps_without_refit() -> None:
    base = frame(*(["abcde"] * 4), "ab")
    m = make("transition", window=3).fit(Interactions.from_frame(base))
    M = m.M_.copy()
    m.fold_in("u4", ["c", "d"])
    # the folded history equals the recency history of the longer sequence
    longer = Interactions.from_frame(frame(*(["abcde"] * 4), "abcd"), items=m.items_)
    want = recency_matrix(sequences(longer), m.config.recency_decay)[4]
    np.testing.assert_allclose(m.folded_["u4"].toarray(), want.toarray(), rtol=1e-6)
    assert (m.M_ != M).nnz == 0  # no refit
    assert [r.item_id for r in m.recommend(["u4"], k=1)[0]] == ["e"]
    m.fold_in("new", ["a"])
    assert m.recommend(["new"], k=1)[0][0].item_id == "b"


def test_config_names_its_fields() -> None:
    with pytest.raises(ConfigError, match="window"):
        make("transition", window=0)
    with pytest.raises(ConfigError, match="no parameter 'lambda'"):
        make("transition", **{"lambda": 1.0})
    assert make("transition", L=3, beta=0.5).config.params()["last_n"] == 3


@pytest.mark.parametrize("name", ["transition", "blend", "sasrec"])
def test_scrambled_held_out_items_leave_scores_bit_identical(name: str) -> None:
    """The leakage guard: replacing every held-out item by another leaves the train events,
    and so the scores, bit for bit the same."""
    events = ml_shaped(n_users=60, n_items=120, per_user=15).sort_values("timestamp", kind="stable")
    log = load_log(None, frame=events)
    split, pair_of_event = pair_split(log, "loo")
    held = np.isin(pair_of_event, split.test)
    rng = np.random.default_rng(3)
    scrambled = events.reset_index(drop=True).copy()
    for r in np.flatnonzero(held):
        seen = set(scrambled.loc[scrambled["user_id"] == scrambled.at[r, "user_id"], "item_id"])
        scrambled.at[r, "item_id"] = rng.choice(sorted(set(log.item_ids) - seen))
    log2 = load_log(None, frame=scrambled)
    split2, pair_of_event2 = pair_split(log2, "loo")
    assert log2.item_ids == log.item_ids and not np.array_equal(split.items, split2.items)
    S = []
    for lg, s, poe in ((log, split, pair_of_event), (log2, split2, pair_of_event2)):
        params = SMALL.get(name, {})
        m = seamline_fit(name, params, train_events(lg, s, poe), lg.user_ids, lg.item_ids)
        S.append(m.scores(np.arange(lg.n_users)))
    assert np.array_equal(S[0], S[1])
    assert sp.issparse(m.H_)


def test_the_best_retriever_gives_candidates_for_a_ranker() -> None:
    from seamline.recommend.retrievers import candidates, fit_retriever

    data = Interactions.from_frame(ml_shaped(n_users=40, n_items=80, per_user=10))
    model = fit_retriever(data)
    assert model.name == "transition" and model.config.params()["normalize"] == 0.8
    frame = candidates(model, ["1", "2"], n=30)
    assert list(frame.columns) == ["user_id", "item_id", "log_rank", "score_z"]
    assert (frame.groupby("user_id").size() == 30).all()
    seen = set(data.matrix()[data.users.index("1")].indices)
    assert not seen & {data.items.index(i) for i in frame.loc[frame.user_id == "1", "item_id"]}
