"""Temporal train/test splits over (user, item) pairs, as pure numpy.

The unit of evaluation is a (user, item) pair: all events of one user on one item (a view,
then a purchase) form one pair whose time is that of its last event. Holding out a pair
holds out every event of it, so a held-out item is never "seen" in train.

Chronological order is (timestamp, ingest order): many datasets (MovieLens among them) log
several events in the same second, and the file order decides between them.

Splitters take the pair arrays already sorted chronologically and return positions into
them, so the same code splits train again to carve out a validation split.

* ``loo`` (temporal leave-last-one-out): for each user with at least two pairs, the last
  pair is the test pair, the rest train.
* ``global`` (global temporal): the first ``floor(frac * N)`` pairs in time are train, the
  rest test; test users must have a train pair (cold users are dropped and counted); test
  items never seen in train are kept (every model misses them) and counted.
* ``domain``: only pairs in that domain are test targets. For ``loo`` the target is the
  user's last pair in the domain and, so that train never looks into that user's future,
  the user's later pairs (in other domains) are dropped from train and counted.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from seamline.errors import ConfigError, DataError

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
SplitKind = Literal["loo", "global"]
SPLITS: tuple[str, ...] = ("loo", "global")


def chronological(timestamp: npt.ArrayLike, order: npt.ArrayLike) -> Ints:
    """Positions that sort events by (timestamp, order); `order` breaks ties (file order)."""
    ts = np.asarray(timestamp)
    od = np.asarray(order)
    if ts.shape != od.shape:
        raise DataError(f"timestamp ({ts.shape}) and order ({od.shape}) differ in length")
    return np.lexsort((od, ts)).astype(np.int64)


def last_per_pair(users: Ints, items: Ints, n_items: int) -> tuple[Ints, Ints]:
    """For chronologically sorted events, (pair_of_event, last_event_of_pair).

    `pair_of_event[e]` numbers event e's (user, item) pair 0..P-1 in the chronological order
    of the pairs' last events; `last_event_of_pair[p]` is that last event's position.
    """
    key = users.astype(np.int64) * int(n_items) + items.astype(np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    last = np.full(len(uniq), -1, dtype=np.int64)
    # np.maximum.at keeps the largest (latest) event position of each pair.
    np.maximum.at(last, inverse, np.arange(len(key), dtype=np.int64))
    order = np.argsort(last, kind="stable")
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq), dtype=np.int64)
    return rank[inverse], last[order]


def leave_last_one_out(users: Ints, target: Bools | None = None) -> tuple[Ints, Ints, int]:
    """Temporal leave-last-one-out over chronologically sorted pairs of `users`.

    Returns (train positions, test positions, pairs dropped from train). With `target`
    (e.g. the pairs of one domain) the test pair is the user's last target pair, for users
    with at least two pairs of which one is a target, and the user's pairs after it are
    dropped (counted, never in train).
    """
    u = np.asarray(users, dtype=np.int64)
    n = len(u)
    pos = np.arange(n, dtype=np.int64)
    by_user = np.lexsort((pos, u))  # user, then chronological
    su = u[by_user]
    starts = np.flatnonzero(np.r_[True, su[1:] != su[:-1]])
    counts = np.diff(np.r_[starts, n])
    if target is None:
        last = starts + counts - 1
        test_sorted = last[counts >= 2]
        test = np.sort(by_user[test_sorted])
        keep = np.ones(n, dtype=bool)
        keep[test] = False
        return pos[keep], test, 0
    t = np.asarray(target, dtype=bool)
    if t.shape != u.shape:
        raise DataError(f"target mask ({t.shape}) and users ({u.shape}) differ in length")
    ts = t[by_user]
    # Last target position within each user's run (sorted order), -1 when none.
    idx = np.where(ts, np.arange(n), -1)
    last_target = np.maximum.reduceat(idx, starts) if n else np.zeros(0, np.int64)
    ok = (last_target >= 0) & (counts >= 2)
    test_sorted = last_target[ok]
    # Drop each test user's pairs after the test pair (in the sorted order they follow it).
    run_end = starts + counts
    after = np.zeros(n + 1, dtype=np.int64)
    np.add.at(after, test_sorted + 1, 1)
    np.add.at(after, run_end[ok], -1)
    dropped_sorted = np.cumsum(after[:n]) > 0
    test = np.sort(by_user[test_sorted])
    keep = np.ones(n, dtype=bool)
    keep[test] = False
    keep[by_user[dropped_sorted]] = False
    return pos[keep], test, int(dropped_sorted.sum())


def global_temporal(
    users: Ints, frac: float = 0.8, target: Bools | None = None
) -> tuple[Ints, Ints, dict[str, int]]:
    """Global temporal split over chronologically sorted pairs: first floor(frac*N) train.

    Test pairs of users with no train pair are dropped and counted; with `target` only
    target pairs are test pairs (the others after the cut are unused, and counted).
    """
    if not 0.0 < frac < 1.0:
        raise ConfigError(f"global split fraction must be in (0, 1), got {frac}")
    u = np.asarray(users, dtype=np.int64)
    n = len(u)
    n_train = math.floor(frac * n)
    train = np.arange(n_train, dtype=np.int64)
    test = np.arange(n_train, n, dtype=np.int64)
    info: dict[str, int] = {}
    if target is not None:
        t = np.asarray(target, dtype=bool)
        info["non_target_test_pairs_unused"] = int((~t[test]).sum())
        test = test[t[test]]
    warm = np.isin(u[test], u[train])
    info["cold_test_users_dropped"] = len(np.unique(u[test][~warm]))
    info["cold_user_test_pairs_dropped"] = int((~warm).sum())
    return train, test[warm], info


@dataclass(frozen=True)
class Split:
    """One train/test split of chronologically sorted pairs (positions into the arrays the
    splitter saw). `validation()` splits the train part again with the same splitter."""

    kind: str
    users: Ints  # all pairs' users, chronological
    items: Ints
    n_users: int
    n_items: int
    train: Ints
    test: Ints
    frac: float = 0.8
    target: Bools | None = None
    info: dict[str, int] = field(default_factory=dict)

    @property
    def test_users(self) -> Ints:
        return self.users[self.test]

    @property
    def test_items(self) -> Ints:
        return self.items[self.test]

    def train_seen(self) -> Bools:
        """Items that occur in train."""
        seen = np.zeros(self.n_items, dtype=bool)
        seen[self.items[self.train]] = True
        return seen

    def validation(self) -> Split:
        """The same splitter applied to train only; positions refer to the same arrays."""
        tgt = None if self.target is None else self.target[self.train]
        inner = make_split(
            self.kind, self.users[self.train], self.items[self.train], self.n_users,
            self.n_items, frac=self.frac, target=tgt,
        )  # fmt: skip
        # Map the inner split's positions back to positions into this split's arrays.
        return Split(
            kind=self.kind,
            users=self.users,
            items=self.items,
            n_users=self.n_users,
            n_items=self.n_items,
            train=self.train[inner.train],
            test=self.train[inner.test],
            frac=self.frac,
            target=self.target,
            info=inner.info,
        )

    def stats(self) -> dict[str, int | str]:
        """Sizes and a fingerprint (same as the peer benchmark's for the same split)."""
        h = hashlib.sha1()
        te = self.test[np.lexsort((self.items[self.test], self.users[self.test]))]
        for a in (self.users[self.train], self.items[self.train], self.users[te], self.items[te]):
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
        seen = self.train_seen()
        return {
            "train_pairs": len(self.train),
            "test_pairs": len(self.test),
            "test_users": len(np.unique(self.users[self.test])),
            "cold_test_items": int((~seen[self.items[self.test]]).sum()),
            **self.info,
            "fingerprint": h.hexdigest()[:16],
        }


def make_split(
    kind: str,
    users: npt.ArrayLike,
    items: npt.ArrayLike,
    n_users: int,
    n_items: int,
    *,
    frac: float = 0.8,
    target: Bools | None = None,
) -> Split:
    """Split chronologically sorted (user, item) pairs (one row per pair) by `kind`."""
    if kind not in SPLITS:
        raise ConfigError(f"unknown split {kind!r}; allowed: {', '.join(SPLITS)}")
    u = np.asarray(users, dtype=np.int64)
    i = np.asarray(items, dtype=np.int64)
    if u.shape != i.shape:
        raise DataError(f"users ({u.shape}) and items ({i.shape}) differ in length")
    if kind == "loo":
        train, test, dropped = leave_last_one_out(u, target)
        info = {"after_test_pairs_dropped": dropped} if target is not None else {}
    else:
        train, test, info = global_temporal(u, frac, target)
    return Split(kind, u, i, int(n_users), int(n_items), train, test, frac, target, info)
