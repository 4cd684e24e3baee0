"""Close the loop on a synthetic world: simulate users' responses to a plan from the world's
truth, add them to the event store, and measure the plan's experiment.

`simulate_plan` draws, for every planned user, whether they buy in the goal's domain during
the campaign: with the offer's true chance in the campaign arm, without it in the control
holdout (`seamline.data.synthetic.responses`, seeded by the spec's seed). Purchases become
events (campaign-arm redeemers carry the offer's id as `coupon_id` and pay less its face
value) ingested like any other rows. `measure_plan` then analyses the experiment with the
experiment engine and sets predicted beside measured incremental conversions and profit.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seamline.campaigns import store
from seamline.campaigns.audience import campaign_end, campaign_start
from seamline.campaigns.plan import CAMPAIGN_ARM, CONTROL_ARM, _margin
from seamline.campaigns.spec import CampaignSpec
from seamline.data.synthetic.responses import read_truth, response_probabilities, strength
from seamline.errors import DataError
from seamline.experiments.report import analysis_settings, experiment_report
from seamline.experiments.store import get_experiment

if TYPE_CHECKING:
    from seamline.workspace import Workspace as Store

BUY_EVENT = {"fashion": "purchase", "knowledge": "enroll"}
CONVERSION_KEYS = ("control_mean", "treatment_mean", "abs_lift", "ci_low", "ci_high", "p_value")


def true_effects(
    truth: dict[str, Any], spec: CampaignSpec, users: list[str], offer_ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True P(buy) without and with the assigned offer, and the order value, per user."""
    index = {str(u): i for i, u in enumerate(truth["user_id"])}
    missing = [u for u in users if u not in index]
    if missing:
        raise DataError(
            f"{len(missing)} planned users are not in the world's truth (e.g. {missing[0]!r}); "
            "simulate on the synthetic world the workspace was built from"
        )
    rows = np.array([index[u] for u in users], dtype=np.int64)
    sub = {k: np.asarray(v)[rows] for k, v in truth.items()}
    p0, p1 = np.zeros(len(users)), np.zeros(len(users))
    offers = {o.id: o for o in spec.offers}
    for oid in set(offer_ids):
        o = offers[oid]
        mask = np.array([x == oid for x in offer_ids])
        value = max(o.order_value, o.min_spend)
        part = {k: v[mask] for k, v in sub.items()}
        s = strength(o.kind, o.face_value, value)
        a, b = response_probabilities(part, spec.goal.sell, o.kind, s, spec.schedule.days)
        p0[mask], p1[mask] = a, b
    return p0, p1, np.asarray(sub[f"order_value_{spec.goal.sell}"], dtype=np.float64)


def simulate_plan(
    ws: Store, world_dir: str | Path, plan: int | str | None = None
) -> dict[str, Any]:
    """Simulate the responses to a stored plan and ingest them; returns what was drawn."""
    got = store.get_plan(ws, plan)
    spec = CampaignSpec.model_validate(got["spec"])
    frame = store.allocations(ws, got["plan_id"])
    users, offer_ids = frame["user_id"].tolist(), frame["offer_id"].tolist()
    truth = read_truth(world_dir)
    p0, p1, value = true_effects(truth, spec, users, offer_ids)
    treated = (frame["arm"] == CAMPAIGN_ARM).to_numpy()
    rng = np.random.default_rng([spec.seed, got["plan_id"], 7])
    u = rng.random(len(users))
    buys = u < np.where(treated, p1, p0)
    start, end = campaign_start(spec), campaign_end(spec)
    span = (end - start).total_seconds()
    offsets = rng.random(len(users)) * span
    offers = {o.id: o for o in spec.offers}
    rows = []
    redeemed_cost = 0.0
    item_lists = frame["items"].tolist()
    for i in (int(x) for x in np.flatnonzero(buys)):
        o = offers[offer_ids[i]]
        items = item_lists[i]
        paid, coupon = float(round(value[i], 2)), None
        if treated[i] and o.face_value > 0:
            paid, coupon = round(max(paid, o.min_spend) - o.face_value, 2), o.id
            redeemed_cost += o.face_value
        rows.append(
            {
                "event_id": f"SIM-{got['plan_id']}-{i}",
                "user_id": users[i],
                "item_id": items[0] if items else f"{spec.goal.sell}-campaign",
                "domain": spec.goal.sell,
                "event_type": BUY_EVENT[spec.goal.sell],
                "timestamp": (start + timedelta(seconds=float(offsets[i]))).isoformat(),
                "value": paid,
                "coupon_id": coupon,
            }
        )
    if rows:
        summary = ws.ingest_rows(rows, f"campaign-simulation-{got['plan_id']}")
        if summary.to_dict()["rejected"]:
            raise DataError(f"simulated events rejected: {summary.to_dict()['rejected_by_reason']}")
    n_t = int(treated.sum())
    contact = sum(offers[offer_ids[i]].contact_cost for i in np.flatnonzero(treated))
    margin = np.array([_margin(offers[x]) for x in offer_ids])
    result = {
        "events": len(rows),
        "buyers_campaign": int(buys[treated].sum()),
        "buyers_control": int(buys[~treated].sum()),
        "campaign_users": n_t,
        "control_users": int((~treated).sum()),
        "realised_cost": round(redeemed_cost + contact, 2),
        "true_incremental_conversions": round(float((p1 - p0)[treated].sum()), 3),
        "true_incremental_profit": round(
            float((((p1 - p0) * margin) - _cost(offers, offer_ids, p1))[treated].sum()), 2
        ),
    }
    store.save_result(ws, got["plan_id"], "simulation", result)
    return result


def _num(v: Any) -> float:
    """A result's number; 0 where the analysis has none (no buyer in either arm)."""
    return 0.0 if v is None else float(v)


def _cost(offers: dict[str, Any], offer_ids: list[str], p1: np.ndarray) -> np.ndarray:
    face = np.array([offers[x].face_value for x in offer_ids])
    unit = np.array([offers[x].contact_cost for x in offer_ids])
    return unit + face * p1


def _variance_read_out(conv: dict[str, Any], n_t: int, n_c: int) -> dict[str, Any]:
    """How much the engine's CUPED adjustment (the same outcome over the pre-period as the
    covariate) narrowed the interval against the plain two-proportion standard error."""
    p0, p1, se = conv.get("control_mean"), conv.get("treatment_mean"), conv.get("se")
    if not (n_t and n_c and se and p0 is not None and p1 is not None):
        return {"test": conv.get("test"), "variance_reduction": None, "variance_note": None}
    plain = math.sqrt(p0 * (1 - p0) / n_c + p1 * (1 - p1) / n_t)
    cut = 1 - (float(se) / plain) ** 2 if plain > 0 else 0.0
    note = (
        f"CUPED (pre-period conversion as covariate) cut the variance by {cut:.0%}."
        if abs(cut) >= 0.005
        else "CUPED changed the variance by less than 0.5%: the pre-period conversion, its "
        "covariate, says next to nothing about these users' outcome (it is constant when "
        "none of them converted before, e.g. when the audience rules exclude recent buyers)."
    )
    return {"test": conv.get("test"), "variance_reduction": round(cut, 4), "variance_note": note}


def measure_plan(ws: Store, plan: int | str | None = None) -> dict[str, Any]:
    """Analyse the plan's experiment (campaign arm against the control holdout) and set the
    measured incremental conversions and profit beside the predicted ones."""
    got = store.get_plan(ws, plan)
    spec = CampaignSpec.model_validate(got["spec"])
    cfg = get_experiment(ws, got["experiment"])
    report = experiment_report(ws, cfg.name, **analysis_settings(cfg.extra))
    conv = next(r for r in report["results"] if r["metric"] == "conversion")
    n_t = int(report["arms"].get(CAMPAIGN_ARM, 0))
    totals = got["summary"]["totals"]
    sim = got["results"].get("simulation", {})
    offers = {o.id: o for o in spec.offers}
    frame = store.allocations(ws, got["plan_id"])
    treated = frame[frame["arm"] == CAMPAIGN_ARM]
    margin = float(np.mean([_margin(offers[x]) for x in treated["offer_id"]])) if n_t else 0.0
    cost = float(sim.get("realised_cost", totals["spend"]))
    lift = _num(conv.get("abs_lift"))
    lo, hi = _num(conv.get("ci_low")), _num(conv.get("ci_high"))
    measured = {
        "experiment": cfg.name,
        "arms": report["arms"],
        "conversion": {k: conv.get(k) for k in CONVERSION_KEYS},
        "incremental_conversions": round(lift * n_t, 3),
        "incremental_conversions_ci": [round(lo * n_t, 3), round(hi * n_t, 3)],
        "incremental_profit": round(lift * n_t * margin - cost, 2),
        "incremental_profit_ci": [
            round(lo * n_t * margin - cost, 2),
            round(hi * n_t * margin - cost, 2),
        ],
        "predicted_incremental_conversions": totals["expected_incremental_conversions"],
        "predicted_incremental_profit": totals["expected_incremental_profit"],
        "true_incremental_conversions": sim.get("true_incremental_conversions"),
        "true_incremental_profit": sim.get("true_incremental_profit"),
        "cost": round(cost, 2),
        "srm_p_value": report.get("srm_p_value"),
        **_variance_read_out(conv, n_t, int(report["arms"].get(CONTROL_ARM, 0))),
        "mde_conversions": got["summary"].get("power", {}).get("mde_conversions"),
    }
    store.save_result(ws, got["plan_id"], "measured", json.loads(json.dumps(measured)))
    return measured
