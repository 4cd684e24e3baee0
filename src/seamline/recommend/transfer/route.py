"""Which model serves a request: the transfer model for a user with little history in the
asked domain, the default model otherwise.

A user with fewer than `COLD_BELOW` items of the target domain in the default model's
history (train or folded in) is cold there: the default model would answer with little
more than popularity, while the transfer model carries their other domains' interest
(and says which source items carried it in `because`). The transfer model is the one
saved under the name `TRANSFER_NAME` (`seamline fit --models transfer`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from seamline.errors import NotFittedError
from seamline.recommend.base import Recommender

if TYPE_CHECKING:
    from seamline.data.store import Store

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


def load_transfer(ws: Store) -> Recommender | None:
    """The workspace's saved transfer model, or None when there is none (or it is stale)."""
    from seamline.recommend import store

    if not (store.models_dir(ws) / TRANSFER_NAME).is_dir():
        return None
    try:
        return store.load_model(ws, TRANSFER_NAME, segments=False)
    except NotFittedError as e:
        log.warning("transfer model not used: %s", e)
        return None
