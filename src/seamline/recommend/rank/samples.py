"""Labelled (user, item) pairs to train a ranker on: events are positives; negatives are
exposures without an event where the data has them, else items sampled for each user."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError
from seamline.recommend.rank.base import PAIR_KEYS

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions


def training_pairs(
    data: Interactions,
    negatives: int = 4,
    seed: int = 42,
    exposures: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, npt.NDArray[np.float64]]:
    """(candidates with user_id / item_id, labels): each user's distinct event items as
    positives; negatives from `exposures` (shown, no event), or `negatives` per positive
    drawn uniformly from the items the user has no event with."""
    X = data.matrix().tocsr()
    pu, pi = X.nonzero()
    users, items = data.users.to_array(), data.items.to_array()
    if exposures is not None:
        missing = [c for c in PAIR_KEYS if c not in exposures.columns]
        if missing:
            raise DataError(f"exposures lack column {missing[0]!r}")
        eu = data.users.positions(exposures["user_id"].astype(str).to_numpy(dtype=object))
        ei = data.items.positions(exposures["item_id"].astype(str).to_numpy(dtype=object))
        ok = (eu >= 0) & (ei >= 0)
        eu, ei = eu[ok], ei[ok]
        shown = np.asarray(X[eu, ei]).ravel() == 0
        nu, ni = eu[shown], ei[shown]
    else:
        rng = np.random.default_rng(seed)
        nu = np.repeat(pu, negatives)
        ni = rng.integers(0, data.n_items, size=len(nu))
        free = np.asarray(X[nu, ni]).ravel() == 0  # drop draws the user did interact with
        nu, ni = nu[free], ni[free]
    frame = pd.DataFrame({
        "user_id": np.concatenate([users[pu], users[nu]]),
        "item_id": np.concatenate([items[pi], items[ni]]),
    })  # fmt: skip
    labels = np.concatenate([np.ones(len(pu)), np.zeros(len(nu))])
    return frame, labels
