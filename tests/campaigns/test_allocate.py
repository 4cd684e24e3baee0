"""Offer allocation: exact against brute force, constraints never broken, greedy gap."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from seamline.campaigns.allocate import allocate
from seamline.errors import DataError


def brute_force(
    p: np.ndarray, c: np.ndarray, e: np.ndarray, budget: float, cu: np.ndarray, cm: np.ndarray
) -> float:
    best = 0.0
    n_u, n_o = p.shape
    for combo in itertools.product(range(-1, n_o), repeat=n_u):
        ch = np.array(combo)
        got = np.flatnonzero(ch >= 0)
        if not e[got, ch[got]].all():
            continue
        cost = c[got, ch[got]]
        if cost.sum() > budget + 1e-9:
            continue
        if any((ch == j).sum() > cu[j] or cost[ch[got] == j].sum() > cm[j] + 1e-9
               for j in range(n_o)):  # fmt: skip
            continue
        best = max(best, float(p[got, ch[got]].sum()))
    return best


def tiny(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n_u, n_o = 6, 3
    p = rng.normal(2, 3, (n_u, n_o)).round(2)
    c = rng.uniform(0, 5, (n_u, n_o)).round(2)
    e = rng.random((n_u, n_o)) < 0.8
    cu = np.array([rng.integers(1, 4), np.inf, rng.integers(1, 6)], dtype=float)
    cm = np.array([np.inf, rng.uniform(2, 8), np.inf])
    return p, c, e, np.array(rng.uniform(3, 15)), cu, cm


def check_feasible(a_offer: np.ndarray, *args: np.ndarray) -> None:
    p, c, e, budget, cu, cm = args
    got = np.flatnonzero(a_offer >= 0)
    cost = c[got, a_offer[got]]
    assert e[got, a_offer[got]].all()
    assert cost.sum() <= float(budget) + 1e-9
    for j in range(p.shape[1]):
        assert (a_offer == j).sum() <= cu[j]
        assert cost[a_offer[got] == j].sum() <= cm[j] + 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_brute_force_and_greedy_is_bounded(seed: int) -> None:
    p, c, e, budget, cu, cm = tiny(seed)
    best = brute_force(p, c, e, float(budget), cu, cm)
    exact = allocate(p, c, e, float(budget), cu, cm)
    assert exact.method == "milp"
    assert exact.profit == pytest.approx(best, abs=1e-6)
    check_feasible(exact.offer, p, c, e, budget, cu, cm)
    greedy = allocate(p, c, e, float(budget), cu, cm, exact_limit=0)
    assert greedy.method == "greedy"
    check_feasible(greedy.offer, p, c, e, budget, cu, cm)
    assert greedy.profit <= best + 1e-9
    # The reported bound is a true upper bound and the gap is measured against it.
    assert greedy.bound >= best - 1e-6
    assert greedy.gap == pytest.approx((greedy.bound - greedy.profit) / greedy.bound)


def test_greedy_on_a_larger_problem_is_close_to_its_bound() -> None:
    rng = np.random.default_rng(0)
    n = 1_000
    up = rng.beta(1, 12, (n, 3)) - 0.02
    p = up * np.array([60.0, 90.0, 150.0]) - np.array([0.5, 2.0, 6.0])
    c = np.array([0.5, 2.0, 6.0]) + rng.uniform(0, 1, (n, 3))
    caps_u = np.array([np.inf, 150, np.inf])
    caps_m = np.array([np.inf, np.inf, 450.0])
    g = allocate(p, c, None, 1_000.0, caps_u, caps_m, exact_limit=0)
    x = allocate(p, c, None, 1_000.0, caps_u, caps_m)
    assert x.method == "milp" and g.method == "greedy"
    check_feasible(g.offer, p, c, np.ones_like(p, bool), np.array(1_000.0), caps_u, caps_m)
    check_feasible(x.offer, p, c, np.ones_like(p, bool), np.array(1_000.0), caps_u, caps_m)
    assert g.profit <= x.profit + 1e-6 <= g.bound + 1e-3
    assert 0 <= g.gap < 0.05
    assert (g.bound - x.profit) / g.bound < 0.01  # the Lagrangian bound is tight here


def test_no_offer_without_positive_profit_and_summaries() -> None:
    p = np.array([[-1.0, 2.0], [-3.0, -0.5]])
    c = np.array([[1.0, 1.0], [1.0, 1.0]])
    a = allocate(p, c, budget=10)
    assert a.offer.tolist() == [1, -1]
    assert a.to_dict()["users"] == 1 and a.per_offer[1]["users"] == 1 and a.gap == 0


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"cost": np.array([[-1.0]])}, "cost must be 0 or more"),
        ({"budget": -5.0}, "budget must be"),
        ({"cap_users": np.array([1.0, 2.0])}, "one value per offer"),
        ({"eligible": np.ones((2, 1), bool)}, "eligible"),
    ],
)
def test_bad_input(kw: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {"profit": np.array([[1.0]]), "cost": np.array([[1.0]])}
    with pytest.raises(DataError, match=needle):
        allocate(**{**args, **kw})  # type: ignore[arg-type]


def test_solver_notes_stay_off_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    # HiGHS printed "HighsMipSolverData::..." to stdout, which broke JSON output.
    rng = np.random.default_rng(0)
    p = rng.beta(1, 12, (1500, 3)) * 90 - 2
    allocate(p, np.full_like(p, 2.0) + rng.random(p.shape), budget=800.0)
    assert capfd.readouterr().out == ""
