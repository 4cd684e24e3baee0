"""An upper bound of the best allocation's profit, for the greedy's reported gap.

Lagrangian relaxation of the budget and the per-offer caps: for multipliers lam (budget),
mu[o] (users of offer o) and nu[o] (money on offer o), all >= 0,

    L = lam B + sum_o mu[o] U[o] + nu[o] M[o]
        + sum_u max(0, max_o p[u,o] - lam c[u,o] - mu[o] - nu[o] c[u,o])

bounds the optimum from above whatever the multipliers (weak duality), and its minimum is the
LP relaxation's optimum. L is convex in each multiplier, so a few rounds of coordinate-wise
bisection on the subgradient get close to that minimum in O(users x offers) per step without
building the LP; every value computed is a valid bound and the smallest is returned.
"""

from __future__ import annotations

import numpy as np

ROUNDS = 2  # rounds over the multipliers; each step costs one pass over users x offers
STEPS = 22


class _Dual:
    def __init__(
        self,
        p: np.ndarray,
        c: np.ndarray,
        cand: np.ndarray,
        budget: float,
        cu: np.ndarray,
        cm: np.ndarray,
    ) -> None:
        # Only users with a candidate matter; the rest add nothing to L.
        rows = cand.any(axis=1)
        self.p = np.where(cand, p, -np.inf)[rows]
        self.c = c[rows]
        self.budget, self.cu, self.cm = budget, cu, cm
        n_o = p.shape[1]
        self.lam, self.mu, self.nu = 0.0, np.zeros(n_o), np.zeros(n_o)
        self.best = np.inf

    def eval(self) -> tuple[float, float, np.ndarray, np.ndarray]:
        """L and its subgradients in lam, mu and nu at the current multipliers."""
        p, c = self.p, self.c
        adj = p - (self.lam + self.nu[None, :]) * c - self.mu[None, :]
        arg = adj.argmax(axis=1)
        top = np.take_along_axis(adj, arg[:, None], axis=1)[:, 0]
        on = top > 0
        chosen_c = c[np.flatnonzero(on), arg[on]]
        users = np.bincount(arg[on], minlength=p.shape[1]).astype(np.float64)
        money = np.bincount(arg[on], weights=chosen_c, minlength=p.shape[1])
        value = float(top[on].sum())
        if self.lam:
            value += self.lam * self.budget
        fin_u, fin_m = np.isfinite(self.cu), np.isfinite(self.cm)
        value += float((self.mu[fin_u] * self.cu[fin_u]).sum())
        value += float((self.nu[fin_m] * self.cm[fin_m]).sum())
        self.best = min(self.best, value)
        d_lam = self.budget - float(chosen_c.sum())
        return value, d_lam, self.cu - users, self.cm - money

    def minimise(self, name: str, j: int, hi: float) -> None:
        """Bisection on the subgradient's sign of one multiplier in [0, hi]."""
        lo = 0.0
        for _ in range(STEPS):
            mid = (lo + hi) / 2
            self._set(name, j, mid)
            _, d_lam, d_mu, d_nu = self.eval()
            d = {"lam": d_lam, "mu": d_mu[j] if j >= 0 else 0.0, "nu": d_nu[j]}[name]
            if d > 0:  # the constraint is slack here: a smaller multiplier lowers L
                hi = mid
            else:
                lo = mid
        self._set(name, j, hi)
        self.eval()

    def _set(self, name: str, j: int, v: float) -> None:
        if name == "lam":
            self.lam = v
        elif name == "mu":
            self.mu[j] = v
        else:
            self.nu[j] = v


def allocation_bound(
    p: np.ndarray,
    c: np.ndarray,
    cand: np.ndarray,
    budget: float,
    cap_users: np.ndarray,
    cap_money: np.ndarray,
) -> float:
    """An upper bound of the optimal total profit (see the module's docstring)."""
    return lagrangian(p, c, cand, budget, cap_users, cap_money)[0]


def lagrangian(
    p: np.ndarray,
    c: np.ndarray,
    cand: np.ndarray,
    budget: float,
    cap_users: np.ndarray,
    cap_money: np.ndarray,
    *,
    budget_only: bool = False,
) -> tuple[float, np.ndarray]:
    """The bound and each user's best offer at the final multipliers (-1: none), the
    LP-priced choice the greedy starts from. `budget_only` prices the budget alone, in one
    pass (a looser bound, a fraction of the time: for the points of a curve)."""
    d = _Dual(p, c, cand, budget, cap_users, cap_money)
    d.eval()
    if not cand.any():
        return 0.0, np.full(p.shape[0], -1)
    pos = cand & (c > 0)
    ratio_max = float((p[pos] / c[pos]).max()) if pos.any() else 0.0
    p_max = float(p[cand].max())
    for _ in range(1 if budget_only else ROUNDS):
        if np.isfinite(budget):
            d.minimise("lam", -1, ratio_max)
        if budget_only:
            break
        for j in np.flatnonzero(np.isfinite(cap_users)):
            d.minimise("mu", int(j), p_max)
        for j in np.flatnonzero(np.isfinite(cap_money)):
            d.minimise("nu", int(j), ratio_max)
    adj = np.where(cand, p - (d.lam + d.nu[None, :]) * c - d.mu[None, :], -np.inf)
    best = adj.argmax(axis=1)
    priced = np.where(adj[np.arange(len(adj)), best] > 0, best, -1)
    return float(d.best), priced
