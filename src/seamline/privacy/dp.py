"""Differentially private aggregates per group through OpenDP, with a per-workspace budget.

Neighbouring datasets differ by one user (add/remove). Each user sits in exactly one group,
so a vector of per-group counts has L1 sensitivity 1, and a vector of per-group sums of
per-user values clamped to ``[lo, hi]`` has L1 sensitivity ``max(|lo|, |hi|)``; groups are
disjoint, so one release of all groups costs its epsilon once (parallel composition).
Counts use OpenDP's discrete Laplace, sums continuous Laplace; a mean spends half its
epsilon on the count and half on the sum. Releases of the same workspace compose
sequentially: the ledger adds their epsilons and refuses a release that would exceed the
workspace's total. The ledger counts in whole micro-epsilons (integers, exact): a release
is charged its epsilon rounded *up* to the next micro-epsilon, the total is rounded down,
and an epsilon below `MIN_EPSILON` is refused (its noise would drown every count, and a
float comparison could let it through an exhausted budget).

OpenDP draws its noise from the operating system's secure source, which cannot be seeded:
DP releases are the one output of Seamline that is not reproducible, on purpose.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from seamline.data import schema
from seamline.data.store import transaction
from seamline.errors import ConfigError, DataError
from seamline.features import repo as features_repo
from seamline.privacy import repo
from seamline.segments import repo as segments_repo

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import WorkspaceHandle as Workspace

Measure = Literal["count", "sum", "mean"]
META_TOTAL = "privacy.epsilon_total"
DEFAULT_TOTAL_EPSILON = 3.0
MIN_EPSILON = 0.001  # the smallest epsilon one release may spend
MICRO = 1_000_000  # ledger unit: one micro-epsilon


def _dp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def laplace_scale(sensitivity: float, epsilon: float) -> float:
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ConfigError(f"epsilon must be a positive number, got {epsilon}")
    return sensitivity / epsilon


def to_micro(epsilon: float, *, up: bool) -> int:
    """`epsilon` in whole micro-epsilons, rounded up (a charge) or down (a total), exactly."""
    d = Decimal(repr(float(epsilon))) * MICRO
    return int(d.to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR))


def check_epsilon(epsilon: float) -> int:
    """The micro-epsilons a release of `epsilon` is charged; ConfigError below the minimum."""
    laplace_scale(1.0, epsilon)
    if epsilon < MIN_EPSILON:
        raise ConfigError(
            f"epsilon {epsilon:g} is below the minimum of {MIN_EPSILON:g} a release may spend"
        )
    return to_micro(epsilon, up=True)


def noisy_counts(counts: np.ndarray, epsilon: float) -> np.ndarray:
    """Per-group counts (each user in one group) with discrete Laplace noise of scale 1/eps."""
    dp = _dp()
    scale = laplace_scale(1.0, epsilon)
    meas = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale)
    assert meas.map(1) <= epsilon + 1e-9  # OpenDP's own accounting agrees with ours
    return np.asarray(meas([int(c) for c in counts]), dtype=np.int64)


def noisy_sums(sums: np.ndarray, bound: float, epsilon: float) -> np.ndarray:
    """Per-group sums of clamped per-user values (|value| <= bound) with Laplace noise."""
    dp = _dp()
    scale = laplace_scale(bound, epsilon)
    meas = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float), scale
    )
    assert meas.map(float(bound)) <= epsilon * (1 + 1e-9)
    return np.asarray(meas([float(s) for s in sums]), dtype=np.float64)


@dataclass(frozen=True)
class GroupRelease:
    group: str
    value: float


@dataclass
class DPRelease:
    """One released table: noisy values per group and how they were made."""

    measure: str
    column: str | None
    by: str
    epsilon: float
    bounds: tuple[float, float] | None
    noise_scale: float  # Laplace scale of the count, of the sum, or of a mean's sum
    groups: list[GroupRelease] = field(default_factory=list)
    budget_left: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def release_groups(
    groups: list[str],
    values: np.ndarray | None,
    measure: Measure,
    epsilon: float,
    bounds: tuple[float, float] | None = None,
) -> tuple[list[GroupRelease], float]:
    """Noisy per-group results from per-user `groups` (and `values` for sum/mean).

    The group labels come from the segmentation, not from the released values; a group
    with no users still gets a (noisy) row, so a label's presence leaks nothing.
    """
    labels = sorted(set(groups))
    index = {g: i for i, g in enumerate(labels)}
    gi = np.array([index[g] for g in groups], dtype=np.int64)
    counts = np.bincount(gi, minlength=len(labels))
    if measure == "count":
        return [
            GroupRelease(g, float(v))
            for g, v in zip(labels, noisy_counts(counts, epsilon), strict=True)
        ], 1 / epsilon
    if values is None or bounds is None:
        raise ConfigError(f"a DP {measure} needs a value column and clamping bounds (lo, hi)")
    lo, hi = bounds
    if not lo < hi:
        raise ConfigError(f"clamping bounds must have lo < hi, got ({lo}, {hi})")
    bound = max(abs(lo), abs(hi))
    clamped = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0), lo, hi)
    sums = np.bincount(gi, weights=clamped, minlength=len(labels))
    if measure == "sum":
        noisy = noisy_sums(sums, bound, epsilon)
        return [
            GroupRelease(g, float(v)) for g, v in zip(labels, noisy, strict=True)
        ], bound / epsilon
    n = noisy_counts(counts, epsilon / 2)
    s = noisy_sums(sums, bound, epsilon / 2)
    means = np.clip(s / np.maximum(n, 1), lo, hi)  # post-processing keeps the guarantee
    return [
        GroupRelease(g, float(v)) for g, v in zip(labels, means, strict=True)
    ], 2 * bound / epsilon


# --- the budget ledger -------------------------------------------------------------------


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    schema.ensure(con, "privacy_budget")


def budget(ws: Workspace) -> dict[str, float]:
    """Total, spent and remaining epsilon of the workspace."""
    with ws.connect() as con:
        _ensure(con)
        return _budget(con)


def micro_budget(total: float, charges: Iterable[float]) -> tuple[int, int]:
    """(total, spent) in micro-epsilons: the total rounded down, each charge rounded up."""
    return to_micro(total, up=False), sum(to_micro(float(e), up=True) for e in charges)


def _micro_budget(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [META_TOTAL]).fetchone()
    charges = con.execute("SELECT epsilon FROM privacy_budget").fetchall()
    return micro_budget(float(row[0]) if row else DEFAULT_TOTAL_EPSILON, (r[0] for r in charges))


def _budget(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    total, spent = _micro_budget(con)
    return {"total": total / MICRO, "spent": spent / MICRO, "remaining": (total - spent) / MICRO}


def set_budget(ws: Workspace, total: float) -> dict[str, float]:
    """Set the workspace's total epsilon (it cannot go below what is already spent)."""
    if not (total > 0 and math.isfinite(total)):
        raise ConfigError(f"the total epsilon must be a positive number, got {total}")
    with ws.connect() as con:
        _ensure(con)
        spent = _micro_budget(con)[1]
        if to_micro(total, up=False) < spent:
            raise ConfigError(
                f"total epsilon {total} is below what is already spent ({spent / MICRO})"
            )
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [META_TOTAL, repr(float(total))])
        return _budget(con)


def _per_user(
    con: duckdb.DuckDBPyConnection, by: str, column: str | None
) -> tuple[list[str], np.ndarray | None]:
    if by == "segment":
        assignment = segments_repo.assignment_sql(con)
        if assignment is None:
            raise DataError("no segments in this workspace: run `seamline segment` first")
        base = f"SELECT user_id, CAST(segment AS VARCHAR) AS g FROM ({assignment})"
    else:
        cols = {r[0] for r in con.execute("DESCRIBE users").fetchall()}
        if by not in cols:
            raise ConfigError(
                f"group by {by!r}: allowed are segment or a users column "
                f"({', '.join(sorted(cols))})"
            )
        base = f"SELECT user_id, coalesce(CAST(\"{by}\" AS VARCHAR), '(unknown)') AS g FROM users"
    if column is None:
        rows = con.execute(base).fetchall()
        return [str(r[1]) for r in rows], None
    fcols = features_repo.column_types(con)
    if fcols is None:
        raise DataError("no user_features in this workspace: run `seamline features` first")
    if column not in fcols or not features_repo.is_numeric(fcols[column]):
        numeric = sorted(c for c, t in fcols.items() if any(x in t for x in ("INT", "DOUBLE")))
        raise ConfigError(
            f"DP value column {column!r} is not a numeric user feature; "
            f"e.g. {', '.join(numeric[:8])}"
        )
    rows = con.execute(
        f"SELECT b.g, CAST(f.value AS DOUBLE) FROM ({base}) b "
        f"LEFT JOIN ({features_repo.column_sql(column)}) f USING (user_id)"
    ).fetchall()
    return [str(r[0]) for r in rows], np.array([np.nan if r[1] is None else r[1] for r in rows])


def release(
    ws: Workspace,
    measure: Measure,
    *,
    epsilon: float,
    column: str | None = None,
    by: str = "segment",
    bounds: tuple[float, float] | None = None,
) -> DPRelease:
    """Release a DP count/sum/mean per group, charging `epsilon` to the workspace budget.

    Refused (ConfigError) when the budget left is smaller than `epsilon`. The charge is
    written in the same transaction that reads the data, before any number leaves.
    """
    if measure not in ("count", "sum", "mean"):
        raise ConfigError(f"DP measure {measure!r}: allowed are count, sum, mean")
    charge = check_epsilon(epsilon)
    if measure != "count" and column is None:
        raise ConfigError(f"a DP {measure} needs --column (a numeric user feature)")
    with ws.connect() as con:
        _ensure(con)
        with transaction(con):
            total, spent = _micro_budget(con)
            if charge > total - spent:  # integers: no rounding lets a release slip through
                raise ConfigError(
                    f"privacy budget spent: this release needs epsilon {charge / MICRO:g}, "
                    f"{max(total - spent, 0) / MICRO:.6g} of {total / MICRO:.6g} is left "
                    "(raise it with `seamline privacy budget --total X` only if your policy allows)"
                )
            groups, values = _per_user(con, by, column if measure != "count" else None)
            query = f"{measure}({column or '*'}) by {by}"
            detail = {"bounds": list(bounds) if bounds else None, "users": len(groups)}
            con.execute(
                "INSERT INTO privacy_budget VALUES (?, ?, ?, ?::JSON)",
                [datetime.now(UTC), query, charge / MICRO, json.dumps(detail)],
            )
            result, scale = release_groups(groups, values, measure, epsilon, bounds)
            remaining = _budget(con)["remaining"]
    return DPRelease(
        measure=measure,
        column=column,
        by=by,
        epsilon=epsilon,
        bounds=bounds,
        noise_scale=scale,
        groups=result,
        budget_left=remaining,
    )


def ledger(ws: Workspace) -> list[dict[str, Any]]:
    with ws.connect() as con:
        _ensure(con)
        rows = repo.ledger(con)
    return [{**r, "spent_at": str(r["spent_at"])} for r in rows]
