"""Sample-ratio mismatch: do the arms hold the share of users the design gave them?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from seamline.errors import ConfigError

SRM_THRESHOLD = 0.001  # flagged below this p-value (the usual, conservative choice)


@dataclass(frozen=True)
class SRMResult:
    p_value: float
    chi2: float
    expected: tuple[float, ...]
    flagged: bool
    reason: str | None = None


def srm_check(
    counts: Sequence[int],
    weights: Sequence[float] | None = None,
    *,
    threshold: float = SRM_THRESHOLD,
) -> SRMResult:
    """Chi-square goodness of fit of arm sizes against the configured weights (equal when
    not given; they need not sum to 1)."""
    k = len(counts)
    w = [1.0] * k if weights is None else [float(x) for x in weights]
    if len(w) != k:
        raise ConfigError(f"srm_check: {k} arm counts but {len(w)} weights")
    if k < 2:
        raise ConfigError("srm_check needs at least two arms")
    if any(x <= 0 or not math.isfinite(x) for x in w):
        raise ConfigError(f"srm_check: weights must be positive, got {w}")
    if any(c < 0 for c in counts):
        raise ConfigError(f"srm_check: counts must be >= 0, got {list(counts)}")
    total = sum(counts)
    share = [x / sum(w) for x in w]
    expected = tuple(s * total for s in share)
    if total == 0:
        return SRMResult(math.nan, math.nan, expected, False, "no units in any arm")
    chi2 = sum((c - e) ** 2 / e for c, e in zip(counts, expected, strict=True))
    p = float(stats.chi2.sf(chi2, k - 1))
    return SRMResult(p, chi2, expected, p < threshold)
