"""A workspace's events as evaluation reads them: chronological, with dense user and item
indices in natural id order (numeric when every id is an integer), so ties in a ranking go
to the lower id; the split of their (user, item) pairs and the train events of a split.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.data.columns import DOMAINS
from seamline.data.idmap import IdMap, first_positions
from seamline.errors import ConfigError, DataError
from seamline.evaluate.splits import Split, last_per_pair, make_split

if TYPE_CHECKING:
    from seamline.data.store import Store

Ints = npt.NDArray[np.int64]

EVENT_FIELDS = ("user_id", "item_id", "domain", "event_type", "timestamp", "value", "rating")


@dataclass(frozen=True)
class EventLog:
    """A workspace's events in chronological order with dense user and item indices."""

    frame: pd.DataFrame  # canonical columns, chronological
    user_ids: list[str]
    item_ids: list[str]
    item_domain: npt.NDArray[np.object_]  # domain of each item (of its first event)
    u: Ints  # per event
    i: Ints

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)


def load_log(ws: Store | None, *, frame: pd.DataFrame | None = None) -> EventLog:
    """The workspace's events (or `frame`, already chronological) as an `EventLog`."""
    if frame is None:
        if ws is None:
            raise ConfigError("load_log needs a workspace or a frame of events")
        with ws.connect(read_only=True) as con:
            cols = ", ".join(f'"{c}"' for c in EVENT_FIELDS)
            frame = con.execute(
                f"SELECT {cols} FROM events ORDER BY timestamp, ingest_id, rowid"
            ).df()
    if frame.empty:
        where = f"workspace {ws.path}" if ws is not None else "the frame"
        raise DataError(
            f"{where} holds no events: ingest events before evaluating "
            "(seamline ingest --events FILE or --dataset NAME)"
        )
    frame = frame.reset_index(drop=True)
    frame["user_id"] = frame["user_id"].astype(str)
    frame["item_id"] = frame["item_id"].astype(str)
    # The same id maps and vectorised lookup as `Interactions`, in natural id order.
    users = IdMap.natural(frame["user_id"].to_numpy(dtype=object))
    items = IdMap.natural(frame["item_id"].to_numpy(dtype=object))
    u, i = users.positions(frame["user_id"]), items.positions(frame["item_id"])
    first = first_positions(i, len(items))  # each item's domain is that of its first event
    item_domain = frame["domain"].to_numpy(dtype=object)[first]
    return EventLog(frame, users.ids, items.ids, item_domain, u, i)


def pair_split(
    log_: EventLog, kind: str, *, domain: str | None = None, frac: float = 0.8
) -> tuple[Split, Ints]:
    """The split of the log's (user, item) pairs and each event's pair position."""
    if domain is not None and domain not in DOMAINS:
        raise ConfigError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
    pair_of_event, last = last_per_pair(log_.u, log_.i, log_.n_items)
    pu, pi = log_.u[last], log_.i[last]
    target = None if domain is None else (log_.item_domain[pi] == domain)
    if target is not None and not target.any():
        raise DataError(f"no events in domain {domain!r} to evaluate on")
    split = make_split(kind, pu, pi, log_.n_users, log_.n_items, frac=frac, target=target)
    return split, pair_of_event


def sample_test_users(split: Split, n: int, seed: int) -> Split:
    """The split with its test pairs restricted to a seeded sample of `n` test users."""
    users = np.unique(split.users[split.test])
    if len(users) <= n:
        return split
    keep = np.random.default_rng(seed).choice(users, size=n, replace=False)
    test = split.test[np.isin(split.users[split.test], keep)]
    info = {**split.info, "test_users_sampled_from": len(users)}
    return replace(split, test=test, info=info)


def train_events(log_: EventLog, split: Split, pair_of_event: Ints) -> pd.DataFrame:
    in_train = np.zeros(len(split.users), dtype=bool)
    in_train[split.train] = True
    return log_.frame.loc[in_train[pair_of_event]].reset_index(drop=True)
