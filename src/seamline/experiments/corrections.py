"""Multiple-testing corrections across metrics and arms: Holm and Benjamini-Hochberg.

NaN p-values (degenerate tests) stay NaN and do not count as tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seamline.errors import ConfigError

METHODS = ("holm", "bh", "none")


def adjust(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Adjusted p-values in the input order (compare them with alpha)."""
    if method not in METHODS:
        raise ConfigError(f"unknown correction {method!r}; allowed: {', '.join(METHODS)}")
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, math.nan)
    ok = ~np.isnan(p)
    if method == "none" or not ok.any():
        return [float(x) for x in np.where(ok, p, math.nan)]
    q = p[ok]
    m = q.size
    order = np.argsort(q, kind="stable")
    ranked = q[order]
    if method == "holm":
        # step-down: max over j <= i of (m - j) p_(j)
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        # step-up: min over j >= i of m p_(j) / j
        adj = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
    adj = np.minimum(adj, 1.0)
    back = np.empty(m)
    back[order] = adj
    out[ok] = back
    return [float(x) for x in out]
