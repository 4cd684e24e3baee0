"""What an allocation is expected to return: reach, incremental conversions, revenue, cost,
profit and ROI, with 95% intervals, and the ROI-versus-budget curve.

Intervals treat the targeted users as a sample of the users like them (the bootstrap over
users, in its normal approximation: a total over n users varies by sqrt(n) times the
per-user standard deviation); ROI = incremental profit / cost gets the delta method's
interval of a ratio of two totals. They do not include the uplift model's own error, which
the held-out Qini and top-30% intervals describe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from seamline.campaigns.allocate import EXACT_LIMIT, Allocation, allocate

Z95 = 1.959963984540054


def _total(v: np.ndarray) -> dict[str, Any]:
    n = len(v)
    total = float(v.sum())
    half = Z95 * float(np.sqrt(n) * v.std(ddof=1)) if n > 1 else 0.0
    return {"value": total, "ci": [total - half, total + half]}


def allocation_returns(
    a: Allocation,
    *,
    profit: np.ndarray,
    cost: np.ndarray,
    conversions: np.ndarray | None = None,
    revenue: np.ndarray | None = None,
) -> dict[str, Any]:
    """Expected totals of allocation `a` from per-(user, offer) matrices, with intervals."""
    got = np.flatnonzero(a.offer >= 0)
    pick = a.offer[got]
    p, c = profit[got, pick], cost[got, pick]
    out: dict[str, Any] = {"reach": len(got), "profit": _total(p), "cost": _total(c)}
    if conversions is not None:
        out["conversions"] = _total(conversions[got, pick])
    if revenue is not None:
        out["revenue"] = _total(revenue[got, pick])
    out["roi"] = _ratio(p, c)
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> dict[str, Any]:
    """num.sum() / den.sum() with the delta method's 95% interval."""
    n, d = len(num), float(den.sum())
    if n == 0 or d <= 0:
        return {"value": None, "ci": [None, None]}
    r = float(num.sum()) / d
    if n < 2:
        return {"value": r, "ci": [r, r]}
    resid = num - r * den
    half = Z95 * float(np.sqrt(n) * resid.std(ddof=1)) / d
    return {"value": r, "ci": [r - half, r + half]}


def roi_curve(
    profit: np.ndarray,
    cost: np.ndarray,
    eligible: np.ndarray | None = None,
    budgets: Sequence[float] | None = None,
    cap_users: np.ndarray | None = None,
    cap_money: np.ndarray | None = None,
    *,
    points: int = 10,
    exact_limit: int = EXACT_LIMIT,
) -> list[dict[str, Any]]:
    """Expected profit, spend and ROI of the best allocation at each budget (default: `points`
    budgets up to what every profitable (user, offer) pair would cost)."""
    p = np.asarray(profit, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    if budgets is None:
        e = np.ones(p.shape, bool) if eligible is None else np.asarray(eligible, bool)
        best = np.where(e & (p > 0), p, -np.inf).argmax(axis=1)
        ok = (e & (p > 0)).any(axis=1)
        # A hair over the exact sum, so rounding cannot leave the last user out at the top.
        full = float(c[np.flatnonzero(ok), best[ok]].sum()) * (1 + 1e-9)
        budgets = [full * (i + 1) / points for i in range(points)]
    rows = []
    for b in budgets:
        a = allocate(
            p, c, eligible, float(b), cap_users, cap_money,
            exact_limit=exact_limit, with_bound=False,
        )  # fmt: skip
        rows.append(
            {
                "budget": float(b),
                "spend": a.cost,
                "profit": a.profit,
                "roi": a.profit / a.cost if a.cost > 0 else None,
                "users": a.users,
                "method": a.method,
            }
        )
    return rows
