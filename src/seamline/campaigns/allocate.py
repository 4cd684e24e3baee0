"""Who gets which offer: the allocation that maximises the expected incremental profit under
a budget, per-offer caps (users and money) and at most one offer per user.

`allocate` solves it exactly as a mixed-integer programme (`scipy.optimize.milp`, HiGHS) up to
`exact_limit` candidate pairs (user, offer). Above that it uses a greedy, documented here:

1. Candidates are the eligible pairs with a positive expected profit (no other pair can
   raise the total). They are taken in order of profit per unit of cost (free pairs first,
   by profit), each if its user has no offer yet and it fits the remaining budget and its
   offer's caps; pairs that do not fit are skipped, not the end of the pass.
2. Fix-up: a user may be moved to another of their offers with a higher profit when the extra
   cost fits; moves are taken in order of extra profit per extra cost.

Plain profit-per-cost order gives every user their cheapest good offer and can spend the
budget before a pricier, more profitable offer gets a look (10% below the bound in
bench/campaigns/speed.py). So the greedy runs twice, keeping the better: once as above, once
taking first each user's offer at the Lagrangian prices (the best `p - lam c - mu - nu c`
at the multipliers that give the upper bound below, i.e. the LP relaxation's choice), in
the same order, then everything else.

The greedy reports its gap to an upper bound of the optimum: the Lagrangian (LP) bound of
`allocate_bound`, so a reader knows how much it may have left on the table. The exact
solver reports the solver's own gap (0 when proven optimal).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from seamline.campaigns.allocate_bound import lagrangian
from seamline.errors import DataError

# Candidate pairs up to which the exact MILP is used: HiGHS needs ~8 s for 3,500 pairs of a
# budgeted, capped problem on one core, and may not prove optimality for 9,000 in 30 s.
EXACT_LIMIT = 5_000
TIME_LIMIT_S = 30.0


@dataclass(frozen=True)
class Allocation:
    """Per user the index of the offer given (-1: none), with its totals."""

    offer: np.ndarray
    method: str  # "milp" or "greedy"
    profit: float
    cost: float
    bound: float  # an upper bound of the best possible profit
    gap: float  # (bound - profit) / bound, 0 when proven optimal
    per_offer: list[dict[str, float]] = field(default_factory=list)

    @property
    def users(self) -> int:
        return int((self.offer >= 0).sum())

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "users": self.users,
            "profit": self.profit,
            "cost": self.cost,
            "bound": self.bound,
            "gap": self.gap,
            "per_offer": self.per_offer,
        }


def _check(
    profit: np.ndarray,
    cost: np.ndarray,
    eligible: np.ndarray | None,
    budget: float,
    cap_users: np.ndarray | None,
    cap_money: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    p = np.asarray(profit, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    if p.ndim != 2 or p.shape != c.shape:
        raise DataError(f"profit {p.shape} and cost {c.shape} must be matrices [user, offer]")
    if not (np.isfinite(p).all() and np.isfinite(c).all()):
        raise DataError("profit and cost must be finite numbers")
    if (c < 0).any():
        raise DataError("cost must be 0 or more for every (user, offer)")
    if np.isnan(budget) or budget < 0:
        raise DataError(f"budget must be 0 or more (inf: no budget), got {budget}")
    e = np.ones(p.shape, bool) if eligible is None else np.asarray(eligible, dtype=bool)
    if e.shape != p.shape:
        raise DataError(f"eligible {e.shape} must match profit {p.shape}")
    n_o = p.shape[1]
    cu = np.full(n_o, np.inf) if cap_users is None else np.asarray(cap_users, np.float64)
    cm = np.full(n_o, np.inf) if cap_money is None else np.asarray(cap_money, np.float64)
    if cu.shape != (n_o,) or cm.shape != (n_o,):
        raise DataError(f"caps must have one value per offer ({n_o})")
    if (cu < 0).any() or (cm < 0).any():
        raise DataError("caps must be 0 or more")
    return p, c, e, cu, cm


def allocate(
    profit: np.ndarray,
    cost: np.ndarray,
    eligible: np.ndarray | None = None,
    budget: float = np.inf,
    cap_users: np.ndarray | None = None,
    cap_money: np.ndarray | None = None,
    *,
    exact_limit: int = EXACT_LIMIT,
    time_limit: float = TIME_LIMIT_S,
    with_bound: bool = True,
) -> Allocation:
    """The profit-maximising allocation of `profit[u, o]` / `cost[u, o]` (expected, per
    user and offer) under `budget`, per-offer caps and one offer per user. `with_bound=False`
    prices only the budget for the greedy and reports no bound (gap NaN): for the many
    points of a curve."""
    p, c, e, cu, cm = _check(profit, cost, eligible, budget, cap_users, cap_money)
    cand = e & (p > 0)
    users, offers = np.nonzero(cand)
    if len(users) <= exact_limit:
        choice = _exact(p, c, users, offers, budget, cu, cm, time_limit)
        if choice is not None:
            got = np.flatnonzero(choice[0] >= 0)
            gap = choice[1]
            bound = float(p[got, choice[0][got]].sum()) / (1 - gap)
            return _result(p, c, choice[0], "milp", bound, gap)
    # Too big for the exact solver (or it found nothing in time): the greedy.
    greedy = _greedy(p, c, users, offers, budget, cu, cm)
    bound, priced = lagrangian(p, c, cand, budget, cu, cm, budget_only=not with_bound)
    first = priced[users] == offers
    lp_greedy = _greedy(p, c, users, offers, budget, cu, cm, first=first)
    if _total(p, lp_greedy) > _total(p, greedy):
        greedy = lp_greedy
    return _result(p, c, greedy, "greedy", bound if with_bound else np.nan, 0.0)


def _total(p: np.ndarray, choice: np.ndarray) -> float:
    got = np.flatnonzero(choice >= 0)
    return float(p[got, choice[got]].sum())


def _result(
    p: np.ndarray, c: np.ndarray, choice: np.ndarray, method: str, bound: float, gap: float
) -> Allocation:
    got = np.flatnonzero(choice >= 0)
    sel_p, sel_c = p[got, choice[got]], c[got, choice[got]]
    total = float(sel_p.sum())
    if method == "greedy" and not np.isnan(bound):
        gap = max(0.0, (bound - total) / bound) if bound > 0 else 0.0
    elif method == "greedy":
        gap = np.nan
    per_offer = [
        {
            "offer": j,
            "users": int((choice == j).sum()),
            "profit": float(sel_p[choice[got] == j].sum()),
            "cost": float(sel_c[choice[got] == j].sum()),
        }
        for j in range(p.shape[1])
    ]
    return Allocation(
        offer=choice,
        method=method,
        profit=total,
        cost=float(sel_c.sum()),
        bound=bound if np.isnan(bound) else max(bound, total),
        gap=gap,
        per_offer=per_offer,
    )


def _exact(
    p: np.ndarray,
    c: np.ndarray,
    users: np.ndarray,
    offers: np.ndarray,
    budget: float,
    cu: np.ndarray,
    cm: np.ndarray,
    time_limit: float,
) -> tuple[np.ndarray, float] | None:
    """The optimal choice per user and the solver's relative gap (None: nothing found)."""
    n_u = p.shape[0]
    choice = np.full(n_u, -1, dtype=np.int64)
    k = len(users)
    if k == 0:
        return choice, 0.0
    cost = c[users, offers]
    rows = [sparse.csr_matrix((np.ones(k), (users, np.arange(k))), shape=(n_u, k))]
    ub: list[np.ndarray] = [np.ones(n_u)]
    if np.isfinite(budget):
        rows.append(sparse.csr_matrix(cost[None, :]))
        ub.append(np.array([budget]))
    for caps, weight in ((cu, np.ones(k)), (cm, cost)):
        for j in np.flatnonzero(np.isfinite(caps)):
            on = offers == j
            rows.append(sparse.csr_matrix((weight[on], (np.zeros(on.sum()), np.flatnonzero(on))),
                                          shape=(1, k)))  # fmt: skip
            ub.append(np.array([caps[j]]))
    with _quiet_stdout():
        res = milp(
            c=-p[users, offers],
            constraints=LinearConstraint(sparse.vstack(rows).tocsr(), -np.inf, np.concatenate(ub)),
            integrality=np.ones(k),
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
        )
    if res.x is None:  # no feasible point within the time limit
        return None
    on = res.x > 0.5
    choice[users[on]] = offers[on]
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0) if res.status != 0 else 0.0
    return choice, min(gap, 0.99)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints solver notes straight to file descriptor 1, which would corrupt a
    command's JSON output: point it at /dev/null while the solver runs."""
    fd = 1  # C's stdout, whatever Python's sys.stdout is
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        _flush_c_stdio()  # the notes sit in C's buffer until flushed: flush them to /dev/null
        os.dup2(saved, fd)
        os.close(saved)


def _flush_c_stdio() -> None:
    with suppress(OSError, AttributeError):  # no C library to flush on this platform
        ctypes.CDLL(None).fflush(None)


def _greedy(
    p: np.ndarray,
    c: np.ndarray,
    users: np.ndarray,
    offers: np.ndarray,
    budget: float,
    cu: np.ndarray,
    cm: np.ndarray,
    first: np.ndarray | None = None,
) -> np.ndarray:
    n_u = p.shape[0]
    choice = np.full(n_u, -1, dtype=np.int64)
    pp, cc = p[users, offers], c[users, offers]
    with np.errstate(divide="ignore"):
        ratio = np.where(cc > 0, pp / np.where(cc > 0, cc, 1), np.inf)
    # By ratio, free pairs (inf) first, ties by profit; the `first` pairs before all others.
    keys = (-pp, -ratio) if first is None else (-pp, -ratio, ~first)
    order = np.lexsort(keys)
    left = float(budget)
    cheapest = float(cc.min()) if len(cc) else 0.0
    n_left, m_left = cu.copy(), cm.copy()
    u_l, o_l, c_l = users[order].tolist(), offers[order].tolist(), cc[order].tolist()
    taken = np.zeros(n_u, bool).tolist()
    for u, o, k in zip(u_l, o_l, c_l, strict=True):
        if left < cheapest:
            break  # nothing fits any more
        if taken[u] or k > left or n_left[o] < 1 or k > m_left[o]:
            continue
        taken[u] = True
        choice[u] = o
        left -= k
        n_left[o] -= 1
        m_left[o] -= k
    _upgrade(p, c, users, offers, choice, left, n_left, m_left)
    return choice


def _upgrade(
    p: np.ndarray,
    c: np.ndarray,
    users: np.ndarray,
    offers: np.ndarray,
    choice: np.ndarray,
    left: float,
    n_left: np.ndarray,
    m_left: np.ndarray,
) -> None:
    """Fix-up: move users to a more profitable offer of theirs where the extra cost fits."""
    cur = choice[users]
    has = cur >= 0
    u, o, old = users[has], offers[has], cur[has]
    move = o != old
    u, o, old = u[move], o[move], old[move]
    dp = p[u, o] - p[u, old]
    dc = c[u, o] - c[u, old]
    better = dp > 0
    u, o, old, dp, dc = u[better], o[better], old[better], dp[better], dc[better]
    with np.errstate(divide="ignore"):
        ratio = np.where(dc > 0, dp / np.where(dc > 0, dc, 1), np.inf)
    for i in np.lexsort((-dp, -ratio)).tolist():
        uu, oo, was = int(u[i]), int(o[i]), int(old[i])
        if choice[uu] != was or n_left[oo] < 1:
            continue  # the user already moved, or the new offer is full
        extra, new_cost = float(dc[i]), float(c[uu, oo])
        if extra > left or new_cost > m_left[oo]:
            continue
        choice[uu] = oo
        left -= extra
        n_left[oo] -= 1
        n_left[was] += 1
        m_left[oo] -= new_cost
        m_left[was] += float(c[uu, was])
