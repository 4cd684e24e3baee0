"""Experiments in a workspace: design records and the exposure log.

Tables (declared in `seamline.data.schema`, created on first use):
- `experiments`: name, config (JSON of `ExperimentConfig`), status, created_at;
- `exposures`: experiment, user_id, arm, exposed_at, source — the first exposure of each
  user to each experiment, an append-only log (a user's arm never changes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from seamline.data import schema
from seamline.data.store import Store
from seamline.errors import ConfigError, DataError, NotFoundError
from seamline.experiments import window
from seamline.experiments.assignment import (
    HOLDOUT,
    ExperimentConfig,
    assign,
    check_exclusive,
)

TABLES = ("experiments", "exposures")  # declared in data.schema


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    schema.ensure(con, *TABLES)


def _config(data: ExperimentConfig | Mapping[str, Any]) -> ExperimentConfig:
    if isinstance(data, ExperimentConfig):
        return data
    try:
        return ExperimentConfig.from_dict(data)
    except ConfigError:
        raise
    except (TypeError, ValueError) as e:  # a value of the wrong type (e.g. from JSON)
        raise ConfigError(f"experiment config: {e}") from None


def load_design(con: duckdb.DuckDBPyConnection, name: str) -> ExperimentConfig:
    row = con.execute("SELECT config FROM experiments WHERE name = ?", [name]).fetchone()
    if row is None:
        known = [r[0] for r in con.execute("SELECT name FROM experiments ORDER BY name").fetchall()]
        raise NotFoundError(
            f"no experiment {name!r} in this workspace; known: {', '.join(known) or 'none'} "
            "(create one with `seamline ab create`)"
        )
    return ExperimentConfig.from_dict(json.loads(row[0]))


def create_experiment(
    ws: Store, config: ExperimentConfig | Mapping[str, Any], *, replace: bool = False
) -> ExperimentConfig:
    """Store an experiment's design. Re-creating the same design is a no-op; a different
    one under an existing name needs `replace=True` (its exposures are kept)."""
    cfg = _config(config)
    with ws.connect() as con:
        ensure_tables(con)
        others = [
            ExperimentConfig.from_dict(json.loads(r[0]))
            for r in con.execute("SELECT config FROM experiments").fetchall()
        ]
        check_exclusive(cfg, others)
        existing = next((o for o in others if o.name == cfg.name), None)
        if existing is not None and existing != cfg and not replace:
            raise ConfigError(
                f"experiment {cfg.name!r} already exists with another design; pass "
                "replace=True (CLI: --replace) to change it"
            )
        con.execute(
            "INSERT OR REPLACE INTO experiments VALUES (?, ?, 'running', "
            "coalesce((SELECT created_at FROM experiments WHERE name = ?), now()))",
            [cfg.name, json.dumps(cfg.to_dict()), cfg.name],
        )
    return cfg


def get_experiment(ws: Store, name: str) -> ExperimentConfig:
    with ws.connect() as con:
        ensure_tables(con)
        return load_design(con, name)


def list_experiments(ws: Store) -> list[dict[str, Any]]:
    """Every experiment with its arms, status and exposures per arm."""
    with ws.connect() as con:
        ensure_tables(con)
        rows = con.execute(
            # The stored status column is not read: status follows the window (`window`).
            "SELECT name, config, created_at FROM experiments ORDER BY created_at, name"
        ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for exp, arm, n in con.execute(
            "SELECT experiment, arm, count(*) FROM exposures GROUP BY ALL ORDER BY ALL"
        ).fetchall():
            counts.setdefault(exp, {})[arm] = int(n)
    out = []
    for name, config, created in rows:
        cfg = ExperimentConfig.from_dict(json.loads(config))
        out.append(
            {
                "name": name,
                "arms": cfg.weights,
                "control": cfg.control_arm,
                "layer": cfg.layer,
                "holdout": cfg.holdout,
                "status": window.status(cfg),
                "created_at": str(created),
                "exposures": counts.get(name, {}),
            }
        )
    return out


def exposed_designs(ws: Store) -> list[tuple[str, dict[str, Any]]]:
    """(name, stored config) of every experiment with exposures, oldest first. Reads only,
    so a report on a read-only or older workspace works."""
    with ws.connect(read_only=True) as con:
        if not (schema.has_table(con, "experiments") and schema.has_table(con, "exposures")):
            return []
        rows = con.execute(
            "SELECT name, config FROM experiments WHERE name IN "
            "(SELECT DISTINCT experiment FROM exposures) ORDER BY created_at, name"
        ).fetchall()
    return [(str(name), json.loads(config)) for name, config in rows]


def assign_user(ws: Store, name: str, user_id: str, *, at: datetime | None = None) -> str | None:
    """The user's arm (deterministic); records the first exposure. None when the user is
    outside the experiment's share of its layer (nothing recorded)."""
    return assign_users(ws, name, [user_id], at=at)[0]


def assign_live(ws: Store, name: str, user_id: str) -> str | None:
    """`assign_user` for apps asking now: refused (`ConflictError`) when the experiment is
    not running (before its start or from its end), so nothing is recorded outside it."""
    return assign_users(ws, name, [user_id], live=True)[0]


def assign_users(
    ws: Store,
    name: str,
    user_ids: Sequence[str],
    *,
    at: datetime | None = None,
    live: bool = False,
) -> list[str | None]:
    """Assign users and record their exposures; `live` (users being assigned now, by an app
    or the CLI) refuses an experiment outside its window (`ConflictError`) and records
    nothing."""
    with ws.connect() as con:
        ensure_tables(con)
        cfg = load_design(con, name)
        if live:
            window.check_open(cfg)
        arms = [assign(cfg, str(u)) for u in user_ids]
        rows = [(str(u), a) for u, a in zip(user_ids, arms, strict=True) if a is not None]
        _insert_exposures(con, name, rows, at or datetime.now(UTC), "assign")
    return arms


def _insert_exposures(
    con: duckdb.DuckDBPyConnection,
    name: str,
    rows: Iterable[tuple[str, str]],
    at: datetime | str,
    source: str,
) -> int:
    import pyarrow as pa

    users, arms = [], []
    for u, a in rows:
        users.append(u)
        arms.append(a)
    if not users:
        return 0
    table = pa.table({"user_id": users, "arm": arms})
    count_sql = "SELECT count(*) FROM exposures WHERE experiment = ?"
    before = con.execute(count_sql, [name]).fetchall()[0]
    con.register("_new_exposures", table)
    try:
        # First exposure wins: a user's arm is never rewritten.
        con.execute(
            """INSERT OR IGNORE INTO exposures
               SELECT ?, user_id, arm, CAST(? AS TIMESTAMPTZ), ? FROM _new_exposures""",
            [name, at if isinstance(at, str) else at.isoformat(), source],
        )
    finally:
        con.unregister("_new_exposures")
    after = con.execute(count_sql, [name]).fetchall()[0]
    return int(after[0]) - int(before[0])


def record_exposures(
    ws: Store,
    name: str,
    rows: Iterable[tuple[str, str]],
    *,
    at: datetime | str | None = None,
    source: str = "import",
) -> int:
    """Record (user_id, arm) pairs assigned elsewhere (e.g. a past campaign's log); returns
    how many were new. Arms must belong to the design."""
    with ws.connect() as con:
        ensure_tables(con)
        cfg = load_design(con, name)
        allowed = {*cfg.arm_names, HOLDOUT}
        checked = []
        for i, (u, a) in enumerate(rows):
            if a not in allowed:
                raise DataError(
                    f"exposure {i + 1} (user {u!r}): arm {a!r} is not in experiment {name!r}; "
                    f"arms: {', '.join(sorted(allowed))}"
                )
            checked.append((str(u), str(a)))
        when = at or cfg.start or datetime.now(UTC)
        return _insert_exposures(con, name, checked, when, source)


def exposure_groups(cfg: ExperimentConfig) -> str:
    """The experiment's exposures as a SQL subquery of (user_id, grp = arm), for KPIs."""
    # The name matched a strict pattern (no quotes) at construction, so it is safe inline.
    return f"(SELECT user_id, arm AS grp FROM exposures WHERE experiment = '{cfg.name}')"


def holdout_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Users exposed to the experiment's holdout (kept out of every arm)."""
    row = con.execute(
        "SELECT count(*) FROM exposures WHERE experiment = ? AND arm = ?", [name, HOLDOUT]
    ).fetchone()
    return int(row[0]) if row else 0
