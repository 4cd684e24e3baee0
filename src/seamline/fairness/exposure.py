"""Exposure of item groups in top-k lists against their share of interactions.

Exposure follows the DCG attention model: rank r (from 1) gets weight 1 / log2(r + 1), so
a list's first slot counts most. A group's exposure share is its weight over all lists
divided by the total; its interaction share is its items' share of training interactions.
Pure functions over arrays: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from seamline.errors import DataError


def position_weights(k: int) -> npt.NDArray[np.float64]:
    return 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))


def _shares(weights: npt.NDArray[np.float64], groups: npt.NDArray[Any]) -> dict[str, float]:
    total = float(weights.sum())
    labels = np.asarray(groups, dtype=object)
    out: dict[str, float] = {}
    for g in sorted({str(x) for x in labels}):
        w = float(weights[labels == g].sum()) if labels.size else 0.0
        out[g] = w / total if total > 0 else 0.0
    return out


def exposure_shares(
    lists: npt.ArrayLike, item_groups: npt.ArrayLike, n_groups_from: npt.ArrayLike | None = None
) -> dict[str, float]:
    """Share of position-weighted exposure per group; `lists` is users x k item indices
    (-1 pads short lists). Groups of `n_groups_from` (default: all item groups) with no
    exposure appear with 0."""
    L = np.asarray(lists, dtype=np.int64)
    if L.ndim != 2:
        raise DataError(f"recommendation lists must be users x k, got shape {L.shape}")
    groups = np.asarray(item_groups, dtype=object)
    w = np.broadcast_to(position_weights(L.shape[1]), L.shape)
    ok = L >= 0
    per_item = np.bincount(L[ok], weights=w[ok], minlength=len(groups)).astype(np.float64)
    shares = _shares(per_item, groups)
    for g in np.asarray(n_groups_from if n_groups_from is not None else groups, dtype=object):
        shares.setdefault(str(g), 0.0)
    return dict(sorted(shares.items()))


def interaction_shares(item_counts: npt.ArrayLike, item_groups: npt.ArrayLike) -> dict[str, float]:
    """Share of interactions per group from per-item interaction counts."""
    return _shares(np.asarray(item_counts, dtype=np.float64), np.asarray(item_groups, dtype=object))


@dataclass(frozen=True)
class ExposureRow:
    group: str
    exposure_share: float
    interaction_share: float

    @property
    def ratio(self) -> float:
        """Exposure over interaction share (1 = exposed as much as it is used)."""
        if self.interaction_share == 0:
            return float("inf") if self.exposure_share > 0 else 1.0
        return self.exposure_share / self.interaction_share


def compare(exposure: dict[str, float], interaction: dict[str, float]) -> list[ExposureRow]:
    groups = sorted(set(exposure) | set(interaction))
    return [ExposureRow(g, exposure.get(g, 0.0), interaction.get(g, 0.0)) for g in groups]


def disparity(exposure: dict[str, float], interaction: dict[str, float]) -> float:
    """Total variation distance between exposure and interaction shares (0 = parity,
    1 = disjoint): half the sum of absolute differences."""
    groups = set(exposure) | set(interaction)
    return 0.5 * sum(abs(exposure.get(g, 0.0) - interaction.get(g, 0.0)) for g in groups)
