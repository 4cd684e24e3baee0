"""Model names -> classes; `make(name, **params)` builds one with validated params."""

from __future__ import annotations

from typing import Any

from seamline.errors import ConfigError
from seamline.recommend.als import ALS, BPR
from seamline.recommend.base import Recommender
from seamline.recommend.ease import EASE
from seamline.recommend.knn import ItemKNN, UserKNN
from seamline.recommend.popular import MostPopular

MODELS: dict[str, type[Recommender]] = {
    "mostpop": MostPopular,
    "userknn": UserKNN,
    "itemknn": ItemKNN,
    "als": ALS,
    "bpr": BPR,
    "ease": EASE,
}

# Common spellings from papers and peer libraries.
ALIASES = {"lambda": "l2", "K": "k", "reg": "regularization"}


def make(name: str, **params: Any) -> Recommender:
    cls = MODELS.get(name)
    if cls is None:
        raise ConfigError(f"unknown model {name!r}; allowed: {', '.join(MODELS)}")
    params = {ALIASES.get(k, k): v for k, v in params.items()}
    allowed = cls._param_names
    bad = [k for k in params if k not in allowed]
    if bad:
        raise ConfigError(
            f"model {name!r} has no parameter {bad[0]!r}; allowed: {', '.join(allowed) or 'none'}"
        )
    return cls(**params)
