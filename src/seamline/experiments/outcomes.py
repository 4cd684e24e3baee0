"""An experiment's outcomes from the event store, aggregated per arm (and segment) in SQL.

Each exposed user (holdout excluded) gets outcomes counted in the experiment's window and
the same outcomes over a pre-period of equal length (the CUPED covariates); both periods
come from one CTE template. One GROUP BY then returns, per arm (and per arm and segment),
n with the sums, sums of squares and cross products the statistics need
(`aggregates.ColumnSums`), so no per-user rows leave the engine. The SQL uses only
standard constructs (CTEs, FILTER, GROUPING SETS) that Spark SQL shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from seamline.data.columns import CONVERSION_SQL
from seamline.engine import Engine, rows
from seamline.errors import ConfigError
from seamline.experiments.aggregates import ColumnSums
from seamline.experiments.analyze import MetricSpec
from seamline.experiments.assignment import HOLDOUT, ExperimentConfig

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
# A ratio metric's per-user column is its numerator (`ctr` sums `clicks` over `views`).
RATIO_NUMERATOR = {"ctr": "clicks", "aov": "revenue"}
PRE_PERIOD_DAYS = 30
BREAKDOWNS = ("segment", "gender", "age_band", "city", "occupation")

# Per-user outcomes counted in a period: column -> aggregate over the user's events there.
_COUNTED = {
    "orders": f"count(*) FILTER (WHERE e.event_type IN {CONVERSION_SQL})",
    "revenue": f"coalesce(sum(e.value) FILTER (WHERE e.event_type IN {CONVERSION_SQL}), 0)",
    "views": "count(*) FILTER (WHERE e.event_type = 'view')",
    "clicks": "count(*) FILTER (WHERE e.event_type = 'click')",
}
OUTCOMES = (*_COUNTED, "conversion", *RATIO_NUMERATOR)  # conversion: at least one order


@dataclass(frozen=True)
class ArmSums:
    """Sums per arm over the experiment's exposed users, and per segment when asked."""

    arms: dict[str, ColumnSums]
    segments: dict[str, dict[str, ColumnSums]] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(s.n for s in self.arms.values())


def _shift(iso: str, days: float) -> str:
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(days=days)).isoformat()


def _period(name: str, lower: str, upper: str, domain: str) -> str:
    """One period's per-user outcomes (the template both periods share)."""
    cols = ",\n               ".join(f"{sql} AS {col}" for col, sql in _COUNTED.items())
    return f"""{name} AS (
        SELECT e.user_id,
               {cols}
        FROM events e JOIN x USING (user_id)
        WHERE {lower} AND {upper} AND {domain}
        GROUP BY e.user_id)"""


def _periods(cfg: ExperimentConfig) -> tuple[str, list[Any]]:
    """The `post` (window) and `pre` (pre-period) CTEs with their parameters, in order."""
    dom, dom_params = ("e.domain = ?", [cfg.domain]) if cfg.domain else ("TRUE", [])
    # The window starts at the experiment's start or, without one, at each user's exposure.
    post_params: list[Any] = []
    lower = 'e."timestamp" >= x.exposed_at'
    if cfg.start:
        lower = 'e."timestamp" >= CAST(? AS TIMESTAMPTZ)'
        post_params.append(cfg.start)
    upper = "TRUE"
    if cfg.end:
        upper = 'e."timestamp" < CAST(? AS TIMESTAMPTZ)'
        post_params.append(cfg.end)
    pre_days = float(PRE_PERIOD_DAYS)
    if cfg.start and cfg.end:
        span = datetime.fromisoformat(cfg.end.replace("Z", "+00:00")) - datetime.fromisoformat(
            cfg.start.replace("Z", "+00:00")
        )
        pre_days = max(span.total_seconds() / 86400, 1.0)
    pre_params: list[Any] = []
    pre_lo = f"x.exposed_at - INTERVAL {float(pre_days) * 86400:.0f} SECOND"
    pre_hi = "x.exposed_at"
    if cfg.start:
        pre_lo, pre_hi = "CAST(? AS TIMESTAMPTZ)", "CAST(? AS TIMESTAMPTZ)"
        pre_params += [_shift(cfg.start, -pre_days), cfg.start]
    ctes = [
        _period("post", lower, upper, dom),
        _period("pre", f'e."timestamp" >= {pre_lo}', f'e."timestamp" < {pre_hi}', dom),
    ]
    return ",\n".join(ctes), [*post_params, *dom_params, *pre_params, *dom_params]


def _needed(specs: Sequence[MetricSpec]) -> tuple[list[str], list[tuple[str, str]]]:
    """The columns whose sums and squares the specs read, and the pairs they cross."""
    columns: list[str] = []
    pairs: list[tuple[str, str]] = []
    for s in specs:
        y = s.name
        x = s.denominator if s.kind == "ratio" else s.covariate
        for c in (y, x):
            if c is not None and c not in columns:
                columns.append(c)
        if x is not None and (y, x) not in pairs:
            pairs.append((y, x))
    return columns, pairs


def arm_sums(
    con: duckdb.DuckDBPyConnection,
    cfg: ExperimentConfig,
    specs: Sequence[MetricSpec],
    segment_by: str | None = None,
    engine: Engine | None = None,
) -> ArmSums:
    """Per arm (and per arm and segment), n and the sums `specs` need, from one GROUP BY.

    Covariates are named `pre_<outcome>`; a ratio metric's column is its numerator
    (`ctr` holds `clicks`), its denominator another outcome. The SQL runs on `engine` when
    given (its tables published), else on `con`."""
    columns, pairs = _needed(specs)
    unknown = [c for c in columns if c.removeprefix("pre_") not in OUTCOMES]
    if unknown:
        raise ConfigError(f"no outcome {unknown[0]!r}; allowed: {', '.join(OUTCOMES)}")
    periods, params = _periods(cfg)
    seg_join, seg_col = _segment_join(con, segment_by) if segment_by else ("", "NULL")
    per_user = []
    for period, prefix in (("post", ""), ("pre", "pre_")):
        exprs = {c: f"CAST(coalesce({period}.{c}, 0) AS DOUBLE)" for c in _COUNTED}
        exprs["conversion"] = f"CAST(coalesce({period}.orders, 0) > 0 AS DOUBLE)"
        exprs |= {ratio: exprs[num] for ratio, num in RATIO_NUMERATOR.items()}
        per_user += [f"{sql} AS {prefix}{c}" for c, sql in exprs.items()]
    sums = [f"sum({c})" for c in columns]
    sums += [f"sum({a} * {b})" for a, b in [*((c, c) for c in columns), *pairs]]
    keys = [*columns, *(ColumnSums.key(c, c) for c in columns)]
    keys += [ColumnSums.key(a, b) for a, b in pairs]
    # Overall rows (GROUPING(segment) = 1) and, on request, rows per arm and segment.
    keys_sql, group = "arm, NULL, 1", "arm"
    if segment_by:
        keys_sql, group = "arm, segment, GROUPING(segment)", "GROUPING SETS ((arm), (arm, segment))"
    sql = f"""
        WITH x AS (SELECT user_id, arm, exposed_at FROM exposures
                   WHERE experiment = ? AND arm <> '{HOLDOUT}'),
        {periods},
        units AS (
            SELECT x.arm, {seg_col} AS segment,
                   {", ".join(per_user)}
            FROM x LEFT JOIN post USING (user_id) LEFT JOIN pre USING (user_id) {seg_join})
        SELECT {keys_sql}, count(*), {", ".join(sums)}
        FROM units GROUP BY {group}"""
    out = ArmSums({})
    for arm, segment, overall, n, *values in rows(con, engine, sql, [cfg.name, *params]):
        cell = ColumnSums(int(n), dict(zip(keys, map(float, values), strict=True)))
        if overall:
            out.arms[str(arm)] = cell
        else:
            out.segments.setdefault(str(segment), {})[str(arm)] = cell
    return out


def _segment_join(con: duckdb.DuckDBPyConnection, by: str) -> tuple[str, str]:
    if by == "segment":
        from seamline.segments.repo import latest_labels_sql

        # The segments stage owns its tables: it hands over the latest run's labels.
        labels = latest_labels_sql(con)
        if labels is None:
            raise ConfigError(
                "no segments in this workspace yet: run `seamline segment` first, or break "
                "down by a users column (gender, age_band, city, occupation)"
            )
        return f"LEFT JOIN {labels} s USING (user_id)", "coalesce(s.label, 'unknown')"
    if by in BREAKDOWNS:
        return (
            f'LEFT JOIN (SELECT user_id, CAST("{by}" AS VARCHAR) AS seg FROM users) s '
            "USING (user_id)",
            "coalesce(s.seg, 'unknown')",
        )
    raise ConfigError(f"cannot break down by {by!r}; allowed: {', '.join(BREAKDOWNS)}")


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
