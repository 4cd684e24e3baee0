"""The unknown-user fallback by segment, computed outside the model: each user's segment in
the workspace's latest segmentation, and each segment's popularity over a fitted model's
train matrix (its members' summed interaction weights). `attach_segments` hands both to
the model (`Recommender.set_fallback`), so a fitted model never queries the workspace.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from seamline.recommend.base import Floats, Recommender
from seamline.segments import repo as segments_repo

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)


def latest_segments(ws: Store) -> dict[str, str] | None:
    """user id -> segment of the newest segmentation run, or None when there is none."""
    try:
        return segments_repo.latest_assignment(ws)
    except Exception as e:  # a store from another version must not stop serving
        log.warning("segments not read: %s", e)
        return None


def segment_popularity(model: Recommender, segment_of: dict[str, str]) -> dict[str, Floats]:
    """Each segment's popularity over the model's items: its known members' train rows."""
    members: dict[str, list[int]] = {}
    for u, s in segment_of.items():
        r = model.users_.get(u)
        if r >= 0:
            members.setdefault(s, []).append(r)
    X = model.X_
    return {
        s: np.asarray(X[np.asarray(rs)].sum(axis=0), dtype=np.float64).ravel()
        for s, rs in members.items()
    }


def attach_segments(model: Recommender, ws: Store) -> bool:
    """Give `model` the latest segmentation for unknown='segment'; whether there was one."""
    segment_of = latest_segments(ws)
    if segment_of is None:
        return False
    model.set_fallback(segment_of, segment_popularity(model, segment_of))
    return True
