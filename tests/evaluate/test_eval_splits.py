"""Temporal splits over (user, item) pairs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seamline.errors import ConfigError, DataError
from seamline.evaluate.splits import (
    chronological,
    global_temporal,
    last_per_pair,
    leave_last_one_out,
    make_split,
)


def test_chronological_breaks_ties_by_order() -> None:
    ts = np.array([5, 3, 5, 3])
    order = np.array([0, 3, 2, 1])
    assert chronological(ts, order).tolist() == [3, 1, 0, 2]
    with pytest.raises(DataError):
        chronological(ts, order[:2])


def test_last_per_pair_keeps_the_latest_event() -> None:
    # events (chronological): (u0,i1) (u0,i0) (u0,i1) (u1,i0)
    u = np.array([0, 0, 0, 1])
    i = np.array([1, 0, 1, 0])
    pair, last = last_per_pair(u, i, 2)
    # pairs in order of their last event: (u0,i0)@1, (u0,i1)@2, (u1,i0)@3
    assert last.tolist() == [1, 2, 3]
    assert pair.tolist() == [1, 0, 1, 2]


def test_leave_last_one_out_toy() -> None:
    u = np.array([0, 1, 0, 1, 0, 2])
    train, test, dropped = leave_last_one_out(u)
    assert test.tolist() == [3, 4]  # u2 has one pair: never a test user
    assert train.tolist() == [0, 1, 2, 5]
    assert dropped == 0


def test_leave_last_one_out_per_domain_drops_the_future() -> None:
    # u0: a(target) b c(target) d ; u1: x y (no target) ; u2: z(target) only
    u = np.array([0, 0, 1, 0, 1, 0, 2])
    target = np.array([True, False, False, True, False, False, True])
    train, test, dropped = leave_last_one_out(u, target)
    assert test.tolist() == [3]  # u0's last target pair
    assert 5 not in train.tolist()  # u0's later pair is not in train
    assert train.tolist() == [0, 1, 2, 4, 6]
    assert dropped == 1


def test_global_temporal_drops_cold_users() -> None:
    u = np.array([0, 1, 0, 1, 0, 2])
    train, test, info = global_temporal(u, 0.5)
    assert train.tolist() == [0, 1, 2]
    assert test.tolist() == [3, 4]
    assert info == {"cold_test_users_dropped": 1, "cold_user_test_pairs_dropped": 1}
    with pytest.raises(ConfigError):
        global_temporal(u, 1.0)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=60), st.sampled_from(["loo", "global"]))
def test_split_partitions_and_is_temporal(users: list[int], kind: str) -> None:
    u = np.array(users)
    items = np.arange(len(u))  # one pair per position
    s = make_split(kind, u, items, 7, len(u))
    assert len(np.intersect1d(s.train, s.test)) == 0
    assert len(s.train) + len(s.test) <= len(u)
    for user in np.unique(u[s.test]):
        # every test pair of a user comes after all of that user's train pairs
        tr = s.train[u[s.train] == user]
        te = s.test[u[s.test] == user]
        assert len(tr) > 0
        assert tr.max() < te.min()
    if kind == "loo":
        counts = np.bincount(u)
        assert sorted(u[s.test].tolist()) == sorted(np.flatnonzero(counts >= 2).tolist())
        assert len(s.train) + len(s.test) == len(u)


def test_validation_is_carved_from_train_only() -> None:
    rng = np.random.default_rng(0)
    u = rng.integers(0, 20, 300)
    i = rng.integers(0, 40, 300)
    s = make_split("loo", u, i, 20, 40)
    v = s.validation()
    assert set(v.train.tolist()) | set(v.test.tolist()) == set(s.train.tolist())
    assert not set(v.test.tolist()) & set(s.test.tolist())
    again = make_split("loo", u[s.train], i[s.train], 20, 40)
    assert v.stats()["fingerprint"] == again.stats()["fingerprint"]


def test_make_split_rejects_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="allowed: loo, global"):
        make_split("random", [0], [0], 1, 1)
