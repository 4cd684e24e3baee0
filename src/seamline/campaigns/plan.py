"""Plan a campaign: audience -> uplift per user and offer -> expected incremental profit
-> allocation under the budget and caps (`campaigns.allocate`: exact where it fits) -> a
randomised holdout (an experiment) -> items and a message per user -> stored.

`plan_campaign(ws, spec)` does it all and returns the stored plan's summary. Everything
random (the model's seeds, the holdout's hash salt) comes from the spec's seed, so the same
spec on the same workspace gives the same plan.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.campaigns import store
from seamline.campaigns.allocate import allocate
from seamline.campaigns.audience import campaign_end, campaign_start, select_audience
from seamline.campaigns.history import behaviour_features, load_history
from seamline.campaigns.holdout_power import holdout_power
from seamline.campaigns.messages import render_messages
from seamline.campaigns.offers import offer_caps, offer_matrices
from seamline.campaigns.predict import fit_uplift, predict
from seamline.campaigns.returns import roi_curve as returns_curve
from seamline.campaigns.spec import CampaignSpec, message_templates
from seamline.errors import DataError
from seamline.experiments.assignment import Arm, ExperimentConfig, assign
from seamline.experiments.store import create_experiment, record_exposures
from seamline.progress import Progress, step

if TYPE_CHECKING:
    from seamline.data.store import Store

CAMPAIGN_ARM, CONTROL_ARM = "campaign", "control"
log = logging.getLogger(__name__)


def roi_curve(
    profit: np.ndarray, cost: np.ndarray, spec: CampaignSpec, points: int = 12
) -> list[dict[str, float]]:
    """Expected incremental profit and ROI for budgets up to what every profitable offer
    would cost (`campaigns.returns.roi_curve`, each point by the allocator's greedy)."""
    rows = returns_curve(
        profit, cost, None, None, *offer_caps(spec.offers), points=points, exact_limit=0
    )
    return [
        {
            "budget": round(r["budget"], 2),
            "spend": round(r["spend"], 2),
            "profit": round(r["profit"], 2),
            "roi": round(r["roi"], 4) if r["roi"] is not None else 0.0,
            "users": int(r["users"]),
        }
        for r in rows
    ]


def experiment_config(spec: CampaignSpec, plan_id: int) -> ExperimentConfig:
    """The experiment measuring the plan: its planned users split by hash between the
    campaign and a control holdout of `holdout_share`. The salt is the campaign's name and
    seed, so planning the same spec again holds out the same users."""
    return ExperimentConfig(
        spec.experiment_name(plan_id),
        arms=(Arm(CONTROL_ARM, spec.holdout_share), Arm(CAMPAIGN_ARM, 1 - spec.holdout_share)),
        control=CONTROL_ARM,
        salt=f"campaign-{spec.name}:{spec.seed}",
        start=campaign_start(spec).isoformat(),
        end=campaign_end(spec).isoformat(),
        metrics=("conversion", "revenue", "orders"),
        domain=spec.goal.sell,
        description=spec.goal.description or f"campaign plan {spec.name}",
        extra={"plan": spec.name, "analysis": {"alpha": 0.05, "cuped": True}},
    )


def plan_campaign(
    ws: Store, spec: CampaignSpec, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Plan `spec` on the workspace, store it and create its experiment; returns the plan
    as `store.get_plan` shows it."""
    started = time.perf_counter()
    templates = message_templates(spec)  # template errors before any work
    with step(progress, "campaign: audience"):
        audience = select_audience(ws, spec)
    if not audience.size:
        raise DataError(
            f"campaign {spec.name}: the audience is empty; steps: "
            + ", ".join(f"{s}: {n}" for s, n in audience.steps)
        )
    start = campaign_start(spec)
    with step(progress, "campaign: uplift model"):
        history = load_history(ws, spec.learn_from, spec.goal.sell, start)
        fit = fit_uplift(history, spec.seed, spec.model)
    with step(progress, "campaign: scoring and allocation"):
        with ws.connect(read_only=True) as con:
            features = behaviour_features(con, audience.user_ids, start)
        offers = list(spec.offers)
        base, uplift = predict(fit, features, offers, spec.schedule.days, history)
        profit, cost = offer_matrices(offers, base, uplift)
        contact = min(c.cost_per_contact for c in spec.channels) * spec.contact_cap
        profit, cost = profit - contact, cost + contact
        alloc = allocate(profit, cost, None, spec.budget, *offer_caps(offers))
        curve = roi_curve(profit, cost, spec)
    rows = np.flatnonzero(alloc.offer >= 0)
    users = [audience.user_ids[i] for i in rows]
    plan_id = store.next_plan_id(ws)
    cfg = experiment_config(spec, plan_id)
    arms = [assign(cfg, u) or CONTROL_ARM for u in users]
    j = alloc.offer[rows]
    frame = pd.DataFrame(
        {
            "user_id": users,
            "offer_id": [offers[x].id for x in j],
            "arm": arms,
            "uplift": uplift[rows, j],
            "base_rate": base[rows],
            "expected_profit": profit[rows, j],
            "expected_cost": cost[rows, j],
        }
    )
    with step(progress, "campaign: items and messages", total=len(frame)) as task:
        frame, previews, broken, bundled = render_messages(ws, spec, templates, frame, task)
    summary = _summary(spec, audience.steps, frame, fit, curve, previews)
    summary["rule_violations"] = broken
    summary["bundles"] = bundled
    summary["power"] = holdout_power(
        frame["base_rate"].to_numpy(),
        frame["uplift"].to_numpy(),
        (frame["arm"] == CAMPAIGN_ARM).to_numpy(),
    )
    if summary["power"].get("warning"):
        log.warning("campaign %s: %s", spec.name, summary["power"]["warning"])
    summary["allocation"] = {
        k: v for k, v in alloc.to_dict().items() if k in ("method", "profit", "bound", "gap")
    }
    create_experiment(ws, cfg, replace=True)
    record_exposures(
        ws, cfg.name, list(zip(frame["user_id"], frame["arm"], strict=True)),
        at=cfg.start, source="campaign-plan",
    )  # fmt: skip
    store.save_plan(
        ws, spec.name, spec.params(), summary, cfg.name, frame, time.perf_counter() - started,
        plan_id,
    )  # fmt: skip
    return store.get_plan(ws, plan_id)


def _margin(offer: Any) -> float:
    """Gross margin of one order in money."""
    return float(offer.margin * max(offer.order_value, offer.min_spend))


def _interval(centre: float, x: np.ndarray, p: np.ndarray) -> list[float]:
    """A 95% normal interval around `centre` for the spread of the realised sum of
    Bernoulli(p) outcomes x weights (the costs and the rest of the estimate are fixed)."""
    sd = float(np.sqrt((x * x * p * (1 - p)).sum()))
    return [round(centre - 1.96 * sd, 2), round(centre + 1.96 * sd, 2)]


def _summary(
    spec: CampaignSpec,
    steps: list[tuple[str, int]],
    frame: pd.DataFrame,
    fit: Any,
    curve: list[dict[str, float]],
    previews: list[dict[str, Any]],
) -> dict[str, Any]:
    treated = frame[frame["arm"] == CAMPAIGN_ARM]
    by_offer = {o.id: o for o in spec.offers}
    margin = np.array([_margin(by_offer[x]) for x in treated["offer_id"]], dtype=np.float64)
    up = treated["uplift"].to_numpy(dtype=np.float64)
    spend = float(treated["expected_cost"].sum())
    profit = float(treated["expected_profit"].sum())
    offers = {
        o.id: {
            "users": int((treated["offer_id"] == o.id).sum()),
            "holdout": int(((frame["offer_id"] == o.id) & (frame["arm"] != CAMPAIGN_ARM)).sum()),
            "expected_cost": round(
                float(treated.loc[treated["offer_id"] == o.id, "expected_cost"].sum()), 2
            ),
        }
        for o in spec.offers
    }
    return {
        "totals": {
            "audience": steps[-1][1] if steps else 0,
            "users": len(frame),
            "treated_users": len(treated),
            "holdout_users": int(len(frame) - len(treated)),
            "budget": spec.budget,
            "spend": round(spend, 2),
            "expected_incremental_conversions": round(float(up.sum()), 3),
            "expected_incremental_conversions_ci": _interval(
                float(up.sum()), np.ones_like(up), np.clip(up, 0, 1)
            ),
            "expected_incremental_profit": round(profit, 2),
            "expected_incremental_profit_ci": _interval(profit, margin, np.clip(up, 0, 1)),
            "roi": round(profit / spend, 4) if spend > 0 else 0.0,
            "languages": list(spec.languages),
            "channels": [c.name for c in spec.channels],
        },
        "audience_steps": [{"step": s, "users": n} for s, n in steps],
        "offers": offers,
        "model": {
            "name": fit.model_name,
            "learned_from": fit.experiment,
            "rows": fit.history_rows,
            "selection": fit.selection,
            "validation": fit.validation,
            "past_effect": round(fit.ate, 6),
            "calibration_slope": round(fit.slope, 4),
            "form": fit.form,
            "form_check": fit.form_check,
            "qini_curve": fit.qini_curve,
        },
        "roi_curve": curve,
        "previews": previews,
    }
