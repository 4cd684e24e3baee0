"""Campaign results: each coupon campaign run as an experiment (a control arm and treated
arms), its uplift per metric, ROI, and the day-by-day incremental revenue and ROI curve.

The offer cost and incremental revenue are the experiments' KPI formulas
(`seamline.experiments.kpis`), so the curve ends where the experiment report does.
"""

from __future__ import annotations

from typing import Any

from seamline.data.browse import plain, rows
from seamline.data.store import Store
from seamline.errors import DataError
from seamline.experiments.analyze import json_ready
from seamline.experiments.assignment import ExperimentConfig
from seamline.experiments.daily import daily_arm_revenue
from seamline.experiments.kpis import discount_cost, incremental_revenue, incremental_roi
from seamline.experiments.report import analysis_settings, experiment_report
from seamline.experiments.store import get_experiment, list_experiments


def coupon_redemptions(ws: Store) -> list[dict[str, Any]]:
    """Per coupon id in the events: redemptions, users, revenue, first and last use and the
    domains it was used in."""
    with ws.connect(read_only=True) as con:
        return rows(
            con,
            "SELECT coupon_id, count(*) AS redemptions, count(DISTINCT user_id) AS users, "
            "coalesce(sum(value), 0) AS revenue, min(timestamp) AS first, "
            "max(timestamp) AS last, list(DISTINCT domain ORDER BY domain) AS domains "
            "FROM events WHERE coupon_id IS NOT NULL GROUP BY coupon_id ORDER BY redemptions DESC",
        )


def campaigns(ws: Store) -> dict[str, Any]:
    """Coupon redemptions from the events and, for each experiment that carries a coupon
    (a campaign with a control group) and has exposures, its uplift per metric, KPIs per
    arm and the incremental revenue and ROI curve."""
    analysed = []
    for exp in list_experiments(ws):
        cfg = get_experiment(ws, exp["name"])
        coupon = cfg.extra.get("coupon_id")
        if not coupon or not exp["exposures"]:
            continue
        settings = analysis_settings(cfg.extra)
        discount = settings["discount_rate"]
        report = experiment_report(ws, cfg.name, **settings)
        analysed.append(
            {
                "name": cfg.name,
                "description": cfg.description,
                "coupon_id": coupon,
                "discount": discount,
                "control": cfg.control_arm,
                "window": {"start": cfg.start, "end": cfg.end},
                "results": plain(json_ready(report["results"])),
                "kpis": plain(json_ready(report["kpis"])),
                "curve": campaign_curve(ws, cfg, exp["exposures"], discount),
            }
        )
    return {"coupons": coupon_redemptions(ws), "campaigns": analysed}


def campaign_curve(
    ws: Store, cfg: ExperimentConfig, exposed: dict[str, int], discount: float | None
) -> list[dict[str, Any]]:
    """Per day of the window (`exposed`: users per arm): cumulative revenue per exposed
    user in each arm, the
    incremental revenue of each treated arm over control and, when the offer is priced
    (a discount), the cumulative incremental ROI."""
    found = daily_arm_revenue(ws, cfg)
    days = sorted({r[0] for r in found})
    arms = [a for a in cfg.arm_names if a in exposed]
    revenue = {(d, a): v for d, a, v, _ in found}
    coupon_paid = {(d, a): c for d, a, _, c in found}
    cum = dict.fromkeys(arms, 0.0)
    cost = dict.fromkeys(arms, 0.0)
    out = []
    for d in days:
        point: dict[str, Any] = {"day": d, "revenue_per_user": {}, "incremental": {}, "roi": {}}
        for a in arms:
            cum[a] += revenue.get((d, a), 0.0)
            if discount:
                cost[a] += discount_cost(coupon_paid.get((d, a), 0.0), discount)
            point["revenue_per_user"][a] = cum[a] / exposed[a]
        base = point["revenue_per_user"].get(cfg.control_arm)
        for a in arms:
            if a == cfg.control_arm or base is None:
                continue
            extra = incremental_revenue(point["revenue_per_user"][a], base, exposed[a])
            point["incremental"][a] = extra
            point["roi"][a] = incremental_roi(extra, cost[a])
        out.append(plain(point))  # an ROI without an offer cost is NaN: null in JSON
    return out


def experiments_overview(ws: Store) -> list[dict[str, Any]]:
    """Every experiment with its exposures, and its analysis when it has exposures."""
    out = []
    for exp in list_experiments(ws):
        item: dict[str, Any] = {**exp, "report": None}
        if exp["exposures"]:
            cfg = get_experiment(ws, exp["name"])
            try:
                report = experiment_report(ws, cfg.name, **analysis_settings(cfg.extra))
            except DataError as e:  # e.g. exposures only in the holdout
                item["error"] = str(e)
            else:
                item["report"] = plain(
                    json_ready(
                        {k: report[k] for k in ("results", "kpis", "srm", "arms", "control")}
                    )
                )
        out.append(item)
    return out
