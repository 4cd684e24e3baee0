"""An experiment's report from its exposures and the event store.

`experiment_report` reads the design (`store`), sums the outcomes per arm in SQL
(`outcomes.arm_sums`), compares the arms (`compare.analyze_sums`) and adds the KPIs per
arm with the campaign's incremental revenue (`kpis`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from seamline.data.store import Store
from seamline.engine import DuckEngine, EngineConfig, open_engine, publish
from seamline.errors import ConfigError, DataError
from seamline.experiments.compare import analyze_sums
from seamline.experiments.kpis import add_incremental, compute_kpis
from seamline.experiments.outcomes import arm_sums, metric_specs
from seamline.experiments.spec import Method, json_ready
from seamline.experiments.store import ensure_tables, exposure_groups, holdout_count, load_design


def experiment_report(
    ws: Store,
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
    engine: EngineConfig | None = None,
) -> dict[str, Any]:
    """Analyse an experiment from its exposures and the event store: SRM, every metric for
    every arm against control (frequentist, sequential on request, Bayesian chance to
    win), guardrails, corrections across metrics and arms, KPIs per arm. The per-arm sums
    and KPIs run on `engine` (DuckDB in the workspace by default, or Spark)."""
    with ws.connect() as con:
        ensure_tables(con)
        cfg = load_design(con, name)
        specs = metric_specs(metrics or cfg.metrics, () if metrics else cfg.guardrails, cuped)
        with open_engine(engine, con, ws.path) as eng:
            on = None if isinstance(eng, DuckEngine) else eng
            if on is not None:
                if segment_by == "segment":
                    raise ConfigError("a breakdown by segment runs on the DuckDB engine only")
                publish(on, con, "events", "users", "exposures")
            sums = arm_sums(con, cfg, specs, segment_by, engine=on)
            kpis = compute_kpis(
                con,
                start=cfg.start,
                end=cfg.end,
                domain=cfg.domain,
                groups=exposure_groups(cfg),
                discount_rate=discount_rate,
                engine=on,
            )
        holdout = holdout_count(con, cfg.name)
    if not sums.units:
        raise DataError(f"experiment {name!r} has no exposures yet; nothing to analyse")
    # Exposures in arms no longer in the design (it was replaced) are left out.
    design = set(cfg.arm_names)
    arms = {a: s for a, s in sums.arms.items() if a in design}
    segments = {
        value: {a: s for a, s in cells.items() if a in design}
        for value, cells in sums.segments.items()
        if design & set(cells)
    }
    analysis = analyze_sums(
        arms,
        specs,
        control=cfg.control_arm,
        alpha=alpha,
        relative=relative,
        method=method,
        tuning=tuning or max(sum(s.n for s in arms.values()), 100),
        correction=correction,
        weights=cfg.weights,
        segments=segments if segment_by else None,
        arms_order=cfg.arm_names,
        looks=looks,
        planned_n=planned_n,
    )
    report = analysis.to_dict()
    report["experiment"] = cfg.to_dict()
    add_incremental(kpis, cfg.control_arm)
    report["kpis"] = json_ready(kpis)
    report["holdout_users"] = holdout
    return report


def analysis_settings(extra: Mapping[str, Any]) -> dict[str, Any]:
    """How an experiment is analysed wherever it is shown (report, dashboard, main job): the
    settings its design stores under `extra.analysis`, with its coupon's `discount` as the
    offer's discount rate unless those settings name one."""
    discount = extra.get("discount")
    return {"discount_rate": float(discount) if discount else None, **extra.get("analysis", {})}
