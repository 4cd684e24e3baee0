"""Which items may be recommended: a `Catalog` of item side info that turns a domain and
filters into a candidate mask, the way implicit's `items=` and RecTools'
`items_to_recommend` hand candidates to the scorer.

The catalog is built from the items a model is fitted on (aligned with its item index) and
keeps the last masks in a small LRU cache, so serving the same filter again costs nothing.
Adding a filter means changing this module only, not the models or their file format.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from seamline.data.columns import DOMAINS
from seamline.data.dataset import SIDE_TEXT, IdMap, Interactions
from seamline.errors import ConfigError, DataError

Bools = npt.NDArray[np.bool_]
FILTER_KEYS = ("category", "brand", "price_min", "price_max")
_MASK_CACHE = 64

# A candidate set as `recommend` takes it: a boolean mask over the model's items, item ids,
# or None for every item.
Candidates = Bools | Sequence[str] | None


class Catalog:
    """Item side info (domain, category, brand, title, price) aligned with an item index."""

    def __init__(self, items: IdMap, side: Mapping[str, np.ndarray]) -> None:
        self.items = items
        self.side = {k: np.asarray(side[k], dtype=object) for k in SIDE_TEXT}
        self.side["price"] = np.asarray(side["price"], dtype=np.float64)
        self._masks: OrderedDict[Any, Bools | None] = OrderedDict()

    @classmethod
    def from_interactions(cls, data: Interactions) -> Catalog:
        return cls(data.items, data.side_info())

    def __len__(self) -> int:
        return len(self.items)

    def mask(
        self, domain: str | None = None, filters: Mapping[str, Any] | None = None
    ) -> Bools | None:
        """Items of `domain` passing every filter (None: every item); cached."""
        key = (domain, _freeze(filters))
        if key in self._masks:
            self._masks.move_to_end(key)
            return self._masks[key]
        mask: Bools | None = None
        if domain is not None:
            if domain not in DOMAINS:
                raise ConfigError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
            mask = self.side["domain"] == domain
        for k, v in (filters or {}).items():
            if k not in FILTER_KEYS:
                raise ConfigError(f"unknown filter {k!r}; allowed: {', '.join(FILTER_KEYS)}")
            if v is None:
                continue
            if k in ("category", "brand"):
                vals = [v] if isinstance(v, str) else [str(x) for x in v]
                m = np.isin(self.side[k], np.asarray(vals, dtype=object))
            else:
                try:
                    bound = float(v)
                except (TypeError, ValueError):
                    raise ConfigError(f"filter {k} must be a number, got {v!r}") from None
                price = self.side["price"]
                # items without a price never pass a price filter
                with np.errstate(invalid="ignore"):
                    m = price >= bound if k == "price_min" else price <= bound
            mask = m if mask is None else (mask & m)
        self._masks[key] = mask
        if len(self._masks) > _MASK_CACHE:
            self._masks.popitem(last=False)
        return mask

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for a model file (text as unicode, no pickled objects)."""
        out: dict[str, np.ndarray] = {f"side_{k}": self.side[k].astype(str) for k in SIDE_TEXT}
        out["price"] = self.side["price"]
        return out

    @classmethod
    def from_arrays(cls, items: IdMap, a: Mapping[str, np.ndarray]) -> Catalog:
        side = {k: a[f"side_{k}"].astype(object) for k in SIDE_TEXT}
        return cls(items, {**side, "price": a["price"]})


def as_mask(candidates: Candidates, items: IdMap) -> Bools | None:
    """A candidate set (mask, item ids or None) as a mask over `items`."""
    if candidates is None:
        return None
    if isinstance(candidates, np.ndarray) and candidates.dtype == np.bool_:
        if candidates.shape != (len(items),):
            raise ConfigError(
                f"candidate mask has shape {candidates.shape}; the model has {len(items)} items"
            )
        return candidates
    if isinstance(candidates, str):
        raise ConfigError("candidates must be a list of item ids or a boolean mask, not a string")
    idx = items.indices(candidates)
    if (idx < 0).any():
        bad = [str(x) for x, j in zip(candidates, idx, strict=True) if j < 0]
        raise DataError(f"unknown candidate item ids {bad[:5]} (model has {len(items)} items)")
    mask = np.zeros(len(items), dtype=bool)
    mask[idx] = True
    return mask


def _freeze(filters: Mapping[str, Any] | None) -> Any:
    if not filters:
        return None
    out = []
    for k in sorted(filters):
        v = filters[k]
        if isinstance(v, list | tuple | set | frozenset):
            v = tuple(sorted(str(x) for x in v))
        out.append((k, v))
    return tuple(out)
