"""Ranker names -> classes (the second stage's counterpart of `recommend.registry`)."""

from __future__ import annotations

from typing import Any

from seamline.errors import ConfigError
from seamline.recommend.rank.ranker import BY_NAME, FieldRanker

RANKERS: dict[str, type[FieldRanker]] = dict(BY_NAME)


def ranker_class(name: str) -> type[FieldRanker]:
    cls = RANKERS.get(name)
    if cls is None:
        raise ConfigError(f"unknown ranker {name!r}; allowed: {', '.join(RANKERS)}")
    return cls


def make_ranker(name: str, **params: Any) -> FieldRanker:
    return ranker_class(name)(**params)
