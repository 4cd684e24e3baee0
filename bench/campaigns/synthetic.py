"""Plan vs random vs oracle on the synthetic world: the true incremental profit each
captures under the same budget.

For each seed: write a world, ingest it, record its past coupon campaign as an experiment,
plan `examples/campaigns/learners-to-fashion.yaml` (budget from --budget), then value on the
world's truth (`truth/user_propensity.csv`, the response model the simulation draws from):

- plan: the planned users with their offers (every planned user treated: this compares
  who gets what, the holdout is a measurement device);
- random: as many users drawn at random from all users (and, stricter, from the spec's
  audience), given the same offers (the plan's offer mix shuffled onto them), so size and
  offer cost match;
- oracle: the same allocator (same budget, caps, one offer per user) fed the true
  profit and cost of every (user, offer) of the audience.

True incremental profit of a user with an offer = (p1 - p0) x order value x margin
- contact costs - face value x p1.

    PYTHONPATH=src python bench/campaigns/synthetic.py [--users 20000] [--seeds 1 2 3]

Floors (issue 12): the plan captures >= 1.5x the random audience's and >= 80% of the
oracle's true incremental profit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from seamline.campaigns import store
from seamline.campaigns.allocate import allocate
from seamline.campaigns.audience import select_audience
from seamline.campaigns.offers import offer_caps
from seamline.campaigns.plan import plan_campaign
from seamline.campaigns.simulate import true_effects
from seamline.campaigns.spec import CampaignSpec, load_spec
from seamline.data.synthetic import generate_world
from seamline.data.synthetic.responses import read_truth
from seamline.experiments.campaign_log import import_synthetic_campaign
from seamline.workspace import Workspace

HERE = Path(__file__).resolve().parent
SPEC = HERE.parents[1] / "examples" / "campaigns" / "learners-to-fashion.yaml"


def true_profit(
    spec: CampaignSpec, truth: dict[str, Any], users: list[str], offers: list[str]
) -> float:
    if not users:
        return 0.0
    p0, p1, _ = true_effects(truth, spec, users, offers)
    by = {o.id: o for o in spec.offers}
    contact = min(c.cost_per_contact for c in spec.channels) * spec.contact_cap
    total = 0.0
    for i, oid in enumerate(offers):
        o = by[oid]
        value = max(o.order_value, o.min_spend)
        total += (
            (p1[i] - p0[i]) * value * o.margin - o.contact_cost - contact - o.face_value * p1[i]
        )
    return float(total)


def oracle(
    spec: CampaignSpec, truth: dict[str, Any], audience: list[str]
) -> tuple[float, int, dict[str, int]]:
    n, offers = len(audience), list(spec.offers)
    profit, cost = np.zeros((n, len(offers))), np.zeros((n, len(offers)))
    contact = min(c.cost_per_contact for c in spec.channels) * spec.contact_cap
    for j, o in enumerate(offers):
        p0, p1, _ = true_effects(truth, spec, audience, [o.id] * n)
        value = max(o.order_value, o.min_spend)
        cost[:, j] = o.contact_cost + contact + o.face_value * p1
        profit[:, j] = (p1 - p0) * value * o.margin - cost[:, j]
    a = allocate(profit, cost, None, spec.budget, *offer_caps(offers))
    mix = {o.id: int((a.offer == j).sum()) for j, o in enumerate(offers)}
    return a.profit, a.users, mix


def one_seed(users: int, seed: int, budget: float, model: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate_world(users, seed, folder / "world")
        ws = Workspace(folder / "ws")
        w = folder / "world"
        ws.ingest(events=w / "events.csv", items=w / "items.csv", users=w / "users.csv")
        import_synthetic_campaign(ws, w)
        data = yaml.safe_load(SPEC.read_text("utf-8"))
        data.update(budget=budget, seed=seed, model=model)
        for o in data["offers"]:
            o.pop("max_spend", None)  # caps in money scale with the budget; keep user caps
        spec = CampaignSpec.model_validate(data)
        t0 = time.perf_counter()
        plan = plan_campaign(ws, spec)
        seconds = time.perf_counter() - t0
        rows = store.allocations(ws, plan["plan_id"])
        truth = read_truth(w)
        audience = select_audience(ws, spec).user_ids
        planned_users, planned_offers = rows["user_id"].tolist(), rows["offer_id"].tolist()
        plan_profit = true_profit(spec, truth, planned_users, planned_offers)
        rng = np.random.default_rng(seed)
        everyone = select_audience(ws, spec.replace(audience={})).user_ids
        random_profit, random_in_audience = (
            true_profit(
                spec,
                truth,
                [pool[i] for i in rng.choice(len(pool), size=len(planned_users), replace=False)],
                list(rng.permutation(planned_offers)),
            )
            for pool in (everyone, audience)
        )
        oracle_profit, oracle_users, oracle_mix = oracle(spec, truth, audience)
    return {
        "seed": seed,
        "audience": len(audience),
        "planned_users": len(planned_users),
        "oracle_users": oracle_users,
        "plan_offers": {o.id: planned_offers.count(o.id) for o in spec.offers},
        "oracle_offers": oracle_mix,
        "model": plan["summary"]["model"]["name"],
        "form": plan["summary"]["model"]["form"],
        "form_check": plan["summary"]["model"]["form_check"],
        "predicted_profit": plan["summary"]["totals"]["expected_incremental_profit"],
        "plan_true_profit": round(plan_profit, 2),
        "random_true_profit": round(random_profit, 2),
        "random_in_audience_true_profit": round(random_in_audience, 2),
        "oracle_true_profit": round(oracle_profit, 2),
        "plan_over_random": round(plan_profit / random_profit, 3) if random_profit > 0 else None,
        "plan_share_of_oracle": round(plan_profit / oracle_profit, 3) if oracle_profit else None,
        "plan_seconds": round(seconds, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--budget", type=float, default=100.0)
    ap.add_argument("--model", default="t_learner_lr")
    ap.add_argument("--out", type=Path, default=HERE / "synthetic.json")
    args = ap.parse_args()
    load_spec(SPEC)  # the example must stay valid
    rows = []
    for seed in args.seeds:
        rows.append(one_seed(args.users, seed, args.budget, args.model))
        print(json.dumps(rows[-1]), flush=True)
    shares = [r["plan_share_of_oracle"] for r in rows if r["plan_share_of_oracle"] is not None]
    summary = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "users": args.users,
        "budget": args.budget,
        "model": args.model,
        "median_plan_true_profit": statistics.median(r["plan_true_profit"] for r in rows),
        "median_random_true_profit": statistics.median(r["random_true_profit"] for r in rows),
        "median_random_in_audience_true_profit": statistics.median(
            r["random_in_audience_true_profit"] for r in rows
        ),
        "median_plan_over_random": statistics.median(
            r["plan_over_random"] for r in rows if r["plan_over_random"] is not None
        )
        if any(r["plan_over_random"] is not None for r in rows)
        else None,
        "median_oracle_true_profit": statistics.median(r["oracle_true_profit"] for r in rows),
        "median_plan_share_of_oracle": statistics.median(shares) if shares else None,
        "seeds": rows,
    }
    args.out.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "seeds"}, indent=2))


if __name__ == "__main__":
    main()
