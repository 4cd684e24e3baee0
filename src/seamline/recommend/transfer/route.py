"""Which model serves a request: the transfer model for a user with little history in the
asked domain, the default model otherwise.

A user with fewer than `COLD_BELOW` items of the target domain in the default model's
history (train or folded in) is cold there: the default model would answer with little
more than popularity, while the transfer model carries their other domains' interest
(and says which source items carried it in `because`). The transfer model is the one
saved under the name `TRANSFER_NAME` (`seamline fit --models transfer`;
`store.load_transfer` reads it).
"""

from __future__ import annotations

import logging

import numpy as np

from seamline.recommend.base import Recommender

log = logging.getLogger(__name__)

COLD_BELOW = 3
TRANSFER_NAME = "transfer"


def domain_history(model: Recommender, user_id: str, domain: str) -> int:
    """Items of `domain` in the user's history in `model` (0 for an unknown user)."""
    _, hist = model._history(str(user_id))
    if hist is None:
        return 0
    dom = np.asarray(model.catalog_.side["domain"], dtype=object)
    return int((dom[hist.indices] == domain).sum())


def is_cold(model: Recommender, user_id: str, domain: str | None) -> bool:
    return domain is not None and domain_history(model, user_id, domain) < COLD_BELOW


def prefer_transfer(
    default: Recommender, transfer: Recommender | None, user_id: str, domain: str | None
) -> bool:
    """Serve with `transfer`: the user is cold in `domain` for the default model and the
    transfer model knows something of them (any history at all)."""
    if transfer is None or transfer is default or domain is None:
        return False
    if not is_cold(default, user_id, domain):
        return False
    _, hist = transfer._history(str(user_id))
    return hist is not None and hist.nnz > 0
