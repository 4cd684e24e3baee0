"""External string ids <-> dense ints, in the order given."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

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

    def to_array(self) -> npt.NDArray[np.str_]:
        return np.asarray(self._ids, dtype=str)
