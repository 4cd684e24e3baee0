"""Validation grids: per model, a list of plain config dicts (`seamline.recommend.config`).

The first point is the default (used without tuning, and it wins ties). A point holds the
model's own fields (its defaults apply to the rest) and, under `data`, the data
preparation (summed funnels can drown the signal; "binary" counts each item once).
`recent_half_life` (in events) weighs each user's latest items most when scoring: on a
temporal split the next item follows what the user did last. Grids stay small so tuning
every model on ml-100k takes well under a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SUM, BINARY = {"aggregate": "sum"}, {"aggregate": "binary"}


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    out: list[dict[str, Any]] = [{}]
    for key, values in axes.items():
        out = [dict(d, **{key: v}) for d in out for v in values]
    return out


GRIDS: dict[str, list[dict[str, Any]]] = {
    "mostpop": [{}],
    "userknn": grid(neighbours=[50, 200], recent_half_life=[4.0, None], data=[SUM, BINARY]),
    "itemknn": grid(neighbours=[300, 100], recent_half_life=[2.0, 4.0, None], data=[SUM, BINARY]),
    "als": grid(regularization=[10.0, 1.0], alpha=[1.0, 3.0]),
    # BPR's SGD is the slowest fit; its defaults are the peer benchmark's best on ml-100k.
    "bpr": [{}],
    "ease": grid(l2=[400.0, 200.0, 800.0], recent_half_life=[8.0, 4.0, None], data=[SUM, BINARY]),
    # Row normalisation and recency decay matter most on ml-100k; windows of 3-8 tie.
    "transition": grid(normalize=[0.5, 0.8, 1.0], recency_decay=[0.8, 0.7]),
    # transfer models: the blend tunes itself on a carve of its train users
    "xitem": [{}],
    "emcdr": [{}],
    "content": [{}],
    "transfer": [{}],
    # SASRec stops early on its own validation; the blend picks its weights on validation.
    "sasrec": [{}],
    "blend": [{}],
}
