"""The cold-start split: which users go cold for a seed, and what is hidden from models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from seamline.data.columns import DOMAINS
from seamline.errors import ConfigError, DataError

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions
    from seamline.data.store import Store

COLD_FRACTION = 0.2
COLUMNS = ("user_id", "item_id", "domain", "event_type", "timestamp")
# A scorer: (train interactions, cold-split facts) -> score function over user rows.
ScoreFn = Callable[[np.ndarray], np.ndarray]
Fitter = Callable[["Interactions", "ColdSplit"], ScoreFn]


@dataclass(frozen=True)
class ColdSplit:
    """One seed's split: train events, the cold users and their hidden target pairs."""

    source: str
    target: str
    seed: int
    train: pd.DataFrame
    cold_users: list[str]
    hidden: pd.DataFrame  # user_id, item_id: the cold users' target pairs
    n_shared: int


def load_events(ws: Store, source: str, target: str) -> pd.DataFrame:
    """The workspace's events of the two domains, in chronological (then ingest) order."""
    _check_domains(source, target)
    with ws.connect(read_only=True) as con:
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        frame = con.execute(
            f"SELECT {cols} FROM events WHERE domain IN (?, ?) "
            "ORDER BY timestamp, ingest_id, rowid",
            [source, target],
        ).df()
    return frame


def _check_domains(source: str, target: str) -> None:
    for role, d in (("source", source), ("target", target)):
        if d not in DOMAINS:
            raise ConfigError(f"unknown {role} domain {d!r}; allowed: {', '.join(DOMAINS)}")
    if source == target:
        raise ConfigError(f"source and target are both {source!r}: give two different domains")


def cold_split(
    events: pd.DataFrame, source: str, target: str, seed: int, frac: float = COLD_FRACTION
) -> ColdSplit:
    """Hide every target-domain event of a seeded `frac` of the shared users."""
    _check_domains(source, target)
    if not 0 < frac < 1:
        raise ConfigError(f"cold fraction must be in (0, 1), got {frac}")
    ev = events.loc[events["domain"].isin([source, target])].reset_index(drop=True)
    ev["user_id"] = ev["user_id"].astype(str)
    ev["item_id"] = ev["item_id"].astype(str)
    in_src = set(ev.loc[ev["domain"] == source, "user_id"])
    in_tgt = set(ev.loc[ev["domain"] == target, "user_id"])
    for role, d, users in (("source", source, in_src), ("target", target, in_tgt)):
        if not users:
            raise DataError(f"no events in the {role} domain {d!r} to evaluate transfer on")
    shared = sorted(in_src & in_tgt)
    n_cold = round(frac * len(shared))
    if n_cold < 1:
        raise DataError(
            f"{len(shared)} users are active in both {source!r} and {target!r}: too few "
            "to hold any out (the protocol needs users with events in both domains)"
        )
    rng = np.random.default_rng(seed)
    cold = sorted(rng.choice(np.asarray(shared, dtype=object), size=n_cold, replace=False))
    is_cold = ev["user_id"].isin(set(cold))
    hide = is_cold & (ev["domain"] == target)
    hidden = ev.loc[hide, ["user_id", "item_id"]].drop_duplicates().reset_index(drop=True)
    # The protocol is order-free (the datasets it targets have no timestamps): models see
    # the train events without time.
    train = ev.loc[~hide].drop(columns=["timestamp"], errors="ignore").reset_index(drop=True)
    return ColdSplit(source, target, seed, train, list(cold), hidden, len(shared))
