"""External string ids <-> dense ints, in the order given."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError

Ints = npt.NDArray[np.int64]


class IdMap:
    """External string ids <-> dense ints 0..n-1, in the order given."""

    __slots__ = ("_ids", "_index")

    def __init__(self, ids: Iterable[Any]) -> None:
        self._ids = [str(x) for x in ids]
        self._index = {x: i for i, x in enumerate(self._ids)}
        if len(self._index) != len(self._ids):
            seen: set[str] = set()
            dup = next(x for x in self._ids if x in seen or seen.add(x))  # type: ignore[func-returns-value]
            raise DataError(f"IdMap: id {dup!r} appears more than once; ids must be unique")

    @classmethod
    def natural(cls, ids: Iterable[Any]) -> IdMap:
        """The distinct ids in natural order: numeric when every id is an integer
        (MovieLens), else sorted as text; ties in a ranking then go to the lower id."""
        uniq = np.asarray(pd.unique(pd.Series(list(ids), dtype=object)), dtype=object)
        try:
            nums = np.array([int(x) for x in uniq], dtype=np.int64)
        except (TypeError, ValueError):
            return cls(np.sort(uniq.astype(str)))
        return cls(uniq[np.argsort(nums, kind="stable")])

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdMap) and self._ids == other._ids

    def __hash__(self) -> int:
        return hash(tuple(self._ids))

    def __repr__(self) -> str:
        return f"IdMap({len(self)} ids)"

    @property
    def ids(self) -> list[str]:
        return self._ids

    def id(self, index: int) -> str:
        return self._ids[index]

    def index(self, key: str) -> int:
        """The dense index of `key`; KeyError when unknown."""
        return self._index[key]

    def get(self, key: str, default: int = -1) -> int:
        return self._index.get(key, default)

    def indices(self, keys: Iterable[Any]) -> Ints:
        """Dense indices of `keys`, -1 for unknown ids."""
        get = self._index.get
        return np.fromiter((get(str(k), -1) for k in keys), dtype=np.int64)

    def positions(self, keys: pd.Series | npt.NDArray[np.object_] | list[str]) -> Ints:
        """Dense indices of many string keys at once (vectorised), -1 for unknown ids."""
        return pd.Index(self._ids).get_indexer(pd.Index(keys)).astype(np.int64)

    def to_array(self) -> npt.NDArray[np.str_]:
        return np.asarray(self._ids, dtype=str)


def first_positions(index: Ints, n: int) -> Ints:
    """For each of the values 0..n-1, the first position where `index` holds it (-1: none)."""
    first = np.full(n, -1, dtype=np.int64)
    rev = np.arange(len(index) - 1, -1, -1)
    first[index[rev]] = rev  # the last write wins: the earliest position
    return first
