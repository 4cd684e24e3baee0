"""Experiments in a workspace: design records, exposures, and reports from the event store.

Tables (created on first use):
- `experiments`: name, config (JSON of `ExperimentConfig`), status, created_at;
- `exposures`: experiment, user_id, arm, exposed_at, source — the first exposure of each
  user to each experiment, an append-only log (a user's arm never changes).

`experiment_report` turns exposures plus the events in the experiment's window into one
row per exposed user (conversion, revenue, orders, views, clicks, pre-period covariates)
and hands them to `seamline.experiments.analyze.analyze`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from seamline.data.columns import CONVERSION_TYPES
from seamline.errors import ConfigError, DataError
from seamline.experiments.analyze import Method, MetricSpec, analyze
from seamline.experiments.assignment import (
    HOLDOUT,
    ExperimentConfig,
    assign,
    check_exclusive,
)
from seamline.experiments.kpis import add_incremental, compute_kpis
from seamline.workspace import Workspace

log = logging.getLogger(__name__)

DDL = (
    """CREATE TABLE IF NOT EXISTS experiments (
        name VARCHAR PRIMARY KEY, config JSON, status VARCHAR, created_at TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS exposures (
        experiment VARCHAR, user_id VARCHAR, arm VARCHAR, exposed_at TIMESTAMPTZ,
        source VARCHAR, PRIMARY KEY (experiment, user_id))""",
)

# Metrics an experiment can be read on from the event store, one value per exposed user.
# name -> (kind, denominator)
METRICS: dict[str, tuple[str, str | None]] = {
    "conversion": ("binary", None),  # made a purchase or enrolment in the window
    "revenue": ("mean", None),  # value paid for purchases and enrolments
    "orders": ("mean", None),
    "views": ("mean", None),
    "clicks": ("mean", None),
    "ctr": ("ratio", "views"),  # clicks / views
    "aov": ("ratio", "orders"),  # revenue / orders
}
_RATIO_NUMERATOR = {"ctr": "clicks", "aov": "revenue"}
PRE_PERIOD_DAYS = 30


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


def _config(data: ExperimentConfig | Mapping[str, Any]) -> ExperimentConfig:
    return data if isinstance(data, ExperimentConfig) else ExperimentConfig.from_dict(data)


def _load(con: duckdb.DuckDBPyConnection, name: str) -> ExperimentConfig:
    row = con.execute("SELECT config FROM experiments WHERE name = ?", [name]).fetchone()
    if row is None:
        known = [r[0] for r in con.execute("SELECT name FROM experiments ORDER BY name").fetchall()]
        raise DataError(
            f"no experiment {name!r} in this workspace; known: {', '.join(known) or 'none'} "
            "(create one with `seamline ab create`)"
        )
    return ExperimentConfig.from_dict(json.loads(row[0]))


def create_experiment(
    ws: Workspace, config: ExperimentConfig | Mapping[str, Any], *, replace: bool = False
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


def get_experiment(ws: Workspace, name: str) -> ExperimentConfig:
    with ws.connect() as con:
        ensure_tables(con)
        return _load(con, name)


def list_experiments(ws: Workspace) -> list[dict[str, Any]]:
    """Every experiment with its arms, status and exposures per arm."""
    with ws.connect() as con:
        ensure_tables(con)
        rows = con.execute(
            "SELECT name, config, status, created_at FROM experiments ORDER BY created_at, name"
        ).fetchall()
        counts: dict[str, dict[str, int]] = {}
        for exp, arm, n in con.execute(
            "SELECT experiment, arm, count(*) FROM exposures GROUP BY ALL ORDER BY ALL"
        ).fetchall():
            counts.setdefault(exp, {})[arm] = int(n)
    out = []
    for name, config, status, created in rows:
        cfg = ExperimentConfig.from_dict(json.loads(config))
        out.append(
            {
                "name": name,
                "arms": cfg.weights,
                "control": cfg.control_arm,
                "layer": cfg.layer,
                "holdout": cfg.holdout,
                "status": status,
                "created_at": str(created),
                "exposures": counts.get(name, {}),
            }
        )
    return out


def assign_user(
    ws: Workspace, name: str, user_id: str, *, at: datetime | None = None
) -> str | None:
    """The user's arm (deterministic); records the first exposure. None when the user is
    outside the experiment's share of its layer (nothing recorded)."""
    return assign_users(ws, name, [user_id], at=at)[0]


def assign_users(
    ws: Workspace, name: str, user_ids: Sequence[str], *, at: datetime | None = None
) -> list[str | None]:
    with ws.connect() as con:
        ensure_tables(con)
        cfg = _load(con, name)
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
    ws: Workspace,
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
        cfg = _load(con, name)
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


def _shift(iso: str, days: float) -> str:
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(days=days)).isoformat()


def user_outcomes(
    con: duckdb.DuckDBPyConnection, cfg: ExperimentConfig, segment_by: str | None = None
) -> dict[str, Any]:
    """One row per exposed user (holdout excluded): arm, outcomes in the window and the
    same outcomes over the pre-period (for CUPED), as numpy arrays."""
    conv = ", ".join(f"'{c}'" for c in CONVERSION_TYPES)
    params: list[Any] = [cfg.name]
    # The window starts at the experiment's start or, without one, at each user's exposure.
    lower = 'e."timestamp" >= x.exposed_at'
    if cfg.start:
        lower = 'e."timestamp" >= CAST(? AS TIMESTAMPTZ)'
        params.append(cfg.start)
    upper = "TRUE"
    if cfg.end:
        upper = 'e."timestamp" < CAST(? AS TIMESTAMPTZ)'
        params.append(cfg.end)
    dom = "TRUE"
    if cfg.domain:
        dom = "e.domain = ?"
        params.append(cfg.domain)
    pre_days = float(PRE_PERIOD_DAYS)
    if cfg.start and cfg.end:
        span = datetime.fromisoformat(cfg.end.replace("Z", "+00:00")) - datetime.fromisoformat(
            cfg.start.replace("Z", "+00:00")
        )
        pre_days = max(span.total_seconds() / 86400, 1.0)
    pre_lo = f"x.exposed_at - INTERVAL {float(pre_days) * 86400:.0f} SECOND"
    pre_hi = "x.exposed_at"
    if cfg.start:
        pre_lo, pre_hi = "CAST(? AS TIMESTAMPTZ)", "CAST(? AS TIMESTAMPTZ)"
        params += [_shift(cfg.start, -pre_days), cfg.start]
    if cfg.domain:
        params.append(cfg.domain)
    seg_join, seg_col = "", "NULL"
    if segment_by:
        seg_join, seg_col = _segment_join(con, segment_by)
    rows = con.execute(
        f"""
        WITH x AS (SELECT user_id, arm, exposed_at FROM exposures
                   WHERE experiment = ? AND arm <> '{HOLDOUT}'),
        post AS (
            SELECT e.user_id,
                   count(*) FILTER (WHERE e.event_type IN ({conv})) AS orders,
                   coalesce(sum(e.value) FILTER (WHERE e.event_type IN ({conv})), 0) AS revenue,
                   count(*) FILTER (WHERE e.event_type = 'view') AS views,
                   count(*) FILTER (WHERE e.event_type = 'click') AS clicks
            FROM events e JOIN x USING (user_id)
            WHERE {lower} AND {upper} AND {dom}
            GROUP BY e.user_id),
        pre AS (
            SELECT e.user_id,
                   count(*) FILTER (WHERE e.event_type IN ({conv})) AS orders,
                   coalesce(sum(e.value) FILTER (WHERE e.event_type IN ({conv})), 0) AS revenue,
                   count(*) FILTER (WHERE e.event_type = 'view') AS views,
                   count(*) FILTER (WHERE e.event_type = 'click') AS clicks
            FROM events e JOIN x USING (user_id)
            WHERE e."timestamp" >= {pre_lo} AND e."timestamp" < {pre_hi}
              AND {dom}
            GROUP BY e.user_id)
        SELECT x.user_id, x.arm,
               coalesce(post.orders, 0), coalesce(post.revenue, 0),
               coalesce(post.views, 0), coalesce(post.clicks, 0),
               coalesce(pre.orders, 0), coalesce(pre.revenue, 0),
               coalesce(pre.views, 0), coalesce(pre.clicks, 0),
               {seg_col}
        FROM x LEFT JOIN post USING (user_id) LEFT JOIN pre USING (user_id) {seg_join}
        ORDER BY x.user_id
        """,
        params,
    ).fetchnumpy()
    keys = list(rows)
    get = {k: np.asarray(rows[k]) for k in keys}
    names = ["user_id", "arm", "orders", "revenue", "views", "clicks"]
    names += ["pre_orders", "pre_revenue", "pre_views", "pre_clicks", "segment"]
    data = dict(zip(names, (get[k] for k in keys), strict=True))
    out: dict[str, Any] = {
        "user_id": data["user_id"].astype(str),
        "arm": data["arm"].astype(str),
        "segment": None if not segment_by else np.asarray(data["segment"]).astype(str),
    }
    for k in ("orders", "revenue", "views", "clicks"):
        out[k] = np.asarray(data[k], dtype=np.float64)
        out[f"pre_{k}"] = np.asarray(data[f"pre_{k}"], dtype=np.float64)
    out["conversion"] = (out["orders"] > 0).astype(np.float64)
    out["pre_conversion"] = (out["pre_orders"] > 0).astype(np.float64)
    return out


def _segment_join(con: duckdb.DuckDBPyConnection, by: str) -> tuple[str, str]:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if by == "segment":
        if "segments" not in tables or "segment_runs" not in tables:
            raise ConfigError(
                "no segments in this workspace yet: run `seamline segment` first, or break "
                "down by a users column (gender, age_band, city, occupation)"
            )
        # The latest run, each segment labelled by its readable name when profiled.
        named = "segment_profiles" in tables
        label = (
            "coalesce(p.name_en, 'segment ' || CAST(g.segment AS VARCHAR))"
            if named
            else "'segment ' || CAST(g.segment AS VARCHAR)"
        )
        profiles = (
            "LEFT JOIN segment_profiles p ON p.run_id = g.run_id AND p.segment = g.segment"
            if named
            else ""
        )
        return (
            f"""LEFT JOIN (SELECT g.user_id, {label} AS seg FROM segments g {profiles}
                 WHERE g.run_id = (SELECT run_id FROM segment_runs
                                   ORDER BY created_at DESC, run_id DESC LIMIT 1)) s
               USING (user_id)""",
            "coalesce(s.seg, 'unknown')",
        )
    if by in ("gender", "age_band", "city", "occupation"):
        return (
            f'LEFT JOIN (SELECT user_id, CAST("{by}" AS VARCHAR) AS seg FROM users) s '
            "USING (user_id)",
            "coalesce(s.seg, 'unknown')",
        )
    raise ConfigError(
        f"cannot break down by {by!r}; allowed: segment, gender, age_band, city, occupation"
    )


def metric_specs(
    names: Sequence[str], guardrails: Sequence[str] = (), cuped: bool = False
) -> list[MetricSpec]:
    """MetricSpecs for event-store metrics (see METRICS); CUPED uses each metric's own
    pre-period value as the covariate."""
    specs = []
    for n in [*names, *(g for g in guardrails if g not in names)]:
        if n not in METRICS:
            raise ConfigError(f"unknown metric {n!r}; allowed: {', '.join(METRICS)}")
        kind, den = METRICS[n]
        specs.append(
            MetricSpec(
                n,
                kind=kind,  # type: ignore[arg-type]
                denominator=den,
                covariate=f"pre_{n}" if cuped and kind != "ratio" else None,
                guardrail=n in guardrails,
            )
        )
    return specs


def experiment_report(
    ws: Workspace,
    name: str,
    *,
    metrics: Sequence[str] | None = None,
    alpha: float = 0.05,
    relative: bool = False,
    method: Method = "fixed",
    tuning: float | None = None,
    correction: str = "holm",
    cuped: bool = False,
    segment_by: str | None = None,
    discount_rate: float | None = None,
    looks: int | None = None,
    planned_n: int | None = None,
) -> dict[str, Any]:
    """Analyse an experiment from its exposures and the event store: SRM, every metric for
    every arm against control (frequentist, sequential on request, Bayesian chance to
    win), guardrails, corrections across metrics and arms, KPIs per arm."""
    with ws.connect() as con:
        ensure_tables(con)
        cfg = _load(con, name)
        units = user_outcomes(con, cfg, segment_by)
        # The name matched a strict pattern (no quotes) at construction, so it is safe inline.
        groups = f"(SELECT user_id, arm AS grp FROM exposures WHERE experiment = '{cfg.name}')"
        kpis = compute_kpis(
            con,
            start=cfg.start,
            end=cfg.end,
            domain=cfg.domain,
            groups=groups,
            discount_rate=discount_rate,
        )
    if not units["arm"].size:
        raise DataError(f"experiment {name!r} has no exposures yet; nothing to analyse")
    specs = metric_specs(metrics or cfg.metrics, () if metrics else cfg.guardrails, cuped)
    columns = {
        k: v for k, v in units.items() if k not in ("user_id", "arm", "segment") and v is not None
    }
    for ratio, numerator in _RATIO_NUMERATOR.items():
        columns[ratio] = columns[numerator]  # a ratio spec reads its numerator under its name
    in_design = np.isin(units["arm"], cfg.arm_names)
    analysis = analyze(
        units["arm"][in_design],
        {k: v[in_design] for k, v in columns.items()},
        specs,
        control=cfg.control_arm,
        alpha=alpha,
        relative=relative,
        method=method,
        tuning=tuning or max(int(in_design.sum()), 100),
        correction=correction,
        weights=cfg.weights,
        segment=None if units["segment"] is None else units["segment"][in_design],
        arms_order=cfg.arm_names,
        looks=looks,
        planned_n=planned_n,
    )
    report = analysis.to_dict()
    report["experiment"] = cfg.to_dict()
    add_incremental(kpis, cfg.control_arm)
    report["kpis"] = _clean_kpis(kpis)
    report["holdout_users"] = int((units["arm"] == HOLDOUT).sum())
    return report


def _clean_kpis(k: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {
        g: {m: (None if isinstance(v, float) and math.isnan(v) else v) for m, v in r.items()}
        for g, r in k.items()
    }


# --------------------------------------------------------------------------------------
# The synthetic world's past coupon campaign
# --------------------------------------------------------------------------------------
CAMPAIGN_EXPERIMENT = "coupon-sep2026"


def import_synthetic_campaign(
    ws: Workspace, world_dir: str | Path, name: str = CAMPAIGN_EXPERIMENT
) -> ExperimentConfig:
    """Record the synthetic world's coupon campaign as an experiment: its design (arms,
    window, coupon) from `truth/campaign.json` and who got the coupon from
    `truth/campaign_assignment.csv`, i.e. what a campaign system logs. The true effects in
    that folder are never read here."""
    import csv

    truth = Path(world_dir) / "truth"
    design_file, assignment_file = truth / "campaign.json", truth / "campaign_assignment.csv"
    for path in (design_file, assignment_file):
        if not path.is_file():
            raise DataError(f"{path}: not found (write a world with `seamline synth` first)")
    design = json.loads(design_file.read_text(encoding="utf-8"))
    arms = [a["arm"] for a in design["arms"]]
    cfg = ExperimentConfig.from_dict(
        {
            "name": name,
            "arms": [{"name": "control", "weight": 1.0}]
            + [{"name": a, "weight": 1.0} for a in arms if a != "control"],
            "control": "control",
            "start": design["window"]["start_utc"],
            "end": design["window"]["end_utc"],
            "metrics": ["conversion", "revenue", "orders"],
            "guardrails": ["ctr"],
            "description": design.get("name", ""),
            "extra": {
                "coupon_id": design.get("coupon_id"),
                "discount": design.get("discount"),
                # how the report analyses it: CUPED on the pre-period, offer priced at the
                # discount given
                "analysis": {"cuped": True, "discount_rate": design.get("discount")},
            },
        }
    )
    create_experiment(ws, cfg, replace=True)
    with assignment_file.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"user_id", "arm"} <= set(reader.fieldnames):
            raise DataError(f"{assignment_file}: needs columns user_id, arm")
        pairs = [(r["user_id"], r["arm"]) for r in reader]
    added = record_exposures(ws, name, pairs, at=cfg.start, source="campaign-log")
    log.info("campaign %s: %d exposures recorded", name, added)
    return cfg


def analyze_synthetic_campaign(
    ws: Workspace, world_dir: str | Path, *, alpha: float = 0.05, cuped: bool = True
) -> dict[str, Any]:
    """Import the synthetic coupon campaign (if needed) and return its experiment report,
    with CUPED on the pre-period and the offer priced at the coupon's discount."""
    cfg = import_synthetic_campaign(ws, world_dir)
    discount = cfg.extra.get("discount")
    return experiment_report(
        ws,
        cfg.name,
        alpha=alpha,
        cuped=cuped,
        discount_rate=float(discount) if discount else None,
    )


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """A compact view of an experiment report (for `seamline run`'s stage summary)."""
    keep = ("metric", "arm", "test", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_value",
            "p_value_adjusted", "chance_to_win", "guardrail_failed")  # fmt: skip
    return {
        "experiment": report["experiment"]["name"],
        "arms": report["arms"],
        "srm_p_value": report["srm_p_value"],
        "results": [{k: r.get(k) for k in keep} for r in report["results"]],
    }
