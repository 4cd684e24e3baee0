"""Former home of the workspace experiments API, kept so existing imports work.

New code imports from the modules that own each part: `store` (designs, exposures),
`outcomes` (per-arm sums from the event store), `report` (`experiment_report`) and
`campaign_log` (the synthetic world's campaign).
"""

from __future__ import annotations

from typing import Any

from seamline.experiments.campaign_log import (
    CAMPAIGN_EXPERIMENT,
    analyze_synthetic_campaign,
    import_synthetic_campaign,
)
from seamline.experiments.outcomes import METRICS, PRE_PERIOD_DAYS, metric_specs
from seamline.experiments.report import experiment_report
from seamline.experiments.store import (
    TABLES,
    assign_user,
    assign_users,
    create_experiment,
    ensure_tables,
    get_experiment,
    list_experiments,
    record_exposures,
)

__all__ = [
    "CAMPAIGN_EXPERIMENT",
    "METRICS",
    "PRE_PERIOD_DAYS",
    "TABLES",
    "analyze_synthetic_campaign",
    "assign_user",
    "assign_users",
    "create_experiment",
    "ensure_tables",
    "experiment_report",
    "get_experiment",
    "import_synthetic_campaign",
    "list_experiments",
    "metric_specs",
    "record_exposures",
    "summarize",
]


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
