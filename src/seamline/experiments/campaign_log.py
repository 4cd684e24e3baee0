"""A past campaign's log as an experiment: the synthetic world's coupon campaign.

`import_synthetic_campaign` records what a campaign system logs (the design and who got
the coupon) from a world written by `seamline synth`; `analyze_synthetic_campaign` adds
its report. The world's true effects are never read here: tests compare against them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from seamline.data.store import Store
from seamline.errors import DataError
from seamline.experiments.assignment import ExperimentConfig
from seamline.experiments.report import analysis_settings, experiment_report
from seamline.experiments.store import create_experiment, record_exposures

log = logging.getLogger(__name__)

CAMPAIGN_EXPERIMENT = "coupon-sep2026"


def import_synthetic_campaign(
    ws: Store,
    world_dir: str | Path,
    name: str = CAMPAIGN_EXPERIMENT,
    *,
    alpha: float = 0.05,
    cuped: bool = True,
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
                # how every view analyses it: CUPED on the pre-period, offer priced at the
                # discount given
                "analysis": {
                    "alpha": alpha,
                    "cuped": cuped,
                    "discount_rate": design.get("discount"),
                },
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
    ws: Store, world_dir: str | Path, *, alpha: float = 0.05, cuped: bool = True
) -> dict[str, Any]:
    """Import the synthetic coupon campaign (if needed) and return its experiment report,
    with CUPED on the pre-period and the offer priced at the coupon's discount."""
    cfg = import_synthetic_campaign(ws, world_dir, alpha=alpha, cuped=cuped)
    return experiment_report(ws, cfg.name, **analysis_settings(cfg.extra))
