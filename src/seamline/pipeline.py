"""The main job, stage by stage, on the embedded DuckDB workspace:

synthetic world (or the user's data) -> ingest -> features -> segments -> recommenders
(fit + evaluation) -> experiments (the world's past coupon campaign) -> fairness -> report.

Each stage stores its results in the workspace; the report reads them back, so
`seamline report` later shows the same sections.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seamline.progress import Progress
from seamline.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunConfig:
    users: int = 20_000
    seed: int = 42
    events_per_user: float = 10.0
    data_dir: Path | None = None  # ingest this folder's events/items/users.csv instead


@dataclass
class RunResult:
    workspace: Path
    report: Path
    stages: dict[str, Any] = field(default_factory=dict)


def run(
    workspace: Workspace, config: RunConfig = RunConfig(), progress: Progress | None = None
) -> RunResult:
    """Make (or take) data, ingest it, run every stage and write `report.html`."""
    from seamline.data.synthetic import generate_world
    from seamline.report import write_report

    stages: dict[str, Any] = {}
    data_dir = config.data_dir
    if data_dir is None:
        data_dir = workspace.path / "synthetic"
        world = generate_world(
            config.users,
            config.seed,
            data_dir,
            events_per_user=config.events_per_user,
            progress=progress,
        )
        stages["synth"] = {
            "users": world.users,
            "items": world.items,
            "events": world.events,
            "folder": str(data_dir),
        }
    files = {t: data_dir / f"{t}.csv" for t in ("events", "items", "users")}
    found = {t: p if p.exists() else None for t, p in files.items()}
    summary = workspace.ingest(
        events=found["events"], items=found["items"], users=found["users"], progress=progress
    )
    stages["ingest"] = {k: v for k, v in summary.to_dict().items() if k != "files"}
    synthetic = config.data_dir is None
    stages.update(_segments(workspace, config, data_dir if synthetic else None, progress))
    stages.update(_recommenders(workspace, config, progress))
    truth = data_dir / "truth" / "campaign.json"
    if truth.is_file():
        from seamline.experiments.api import analyze_synthetic_campaign, summarize

        stages["experiments"] = summarize(analyze_synthetic_campaign(workspace, data_dir))
    from seamline.fairness.audit import FairnessConfig, fairness_audit

    stages["fairness"] = fairness_audit(
        workspace, FairnessConfig(model="itemknn", seed=config.seed)
    )["rerank"]
    report = write_report(workspace)
    log.info("report written to %s", report)
    return RunResult(workspace=workspace.path, report=report, stages=stages)


def _segments(
    workspace: Workspace, config: RunConfig, synthetic_dir: Path | None, progress: Progress | None
) -> dict[str, Any]:
    from seamline.features import FeatureConfig, build_features
    from seamline.segments import SegmentConfig, run_segmentation
    from seamline.segments.api import agreement_with

    # The synthetic world lives in China time (UTC+8); time-of-day habits use local hours.
    offset = 8 if synthetic_dir is not None else 0
    feats = build_features(
        workspace, FeatureConfig(utc_offset_hours=offset, seed=config.seed), progress
    )
    seg = run_segmentation(workspace, SegmentConfig(seed=config.seed), progress)
    segments: dict[str, Any] = {
        **{k: seg[k] for k in ("run_id", "method", "k", "silhouette", "stability", "users")},
        "names": [s["name_en"] for s in seg["segments"]],
    }
    if synthetic_dir is not None:
        segments["truth"] = agreement_with(workspace, synthetic_dir / "truth" / "users.csv")
    features = {"version": feats.version, "users": feats.users, "columns": len(feats.columns)}
    return {"features": features, "segments": segments}


def _recommenders(
    workspace: Workspace, config: RunConfig, progress: Progress | None
) -> dict[str, Any]:
    from seamline.evaluate.config import EvaluationConfig
    from seamline.evaluate.runner import evaluate_and_fit

    # Tuned on a validation split carved from train, measured on a seeded sample of test
    # users to bound the cost; then each domain's table, and the best model fitted on all
    # events becomes the workspace default (the one `recommend` and the service use).
    cfg = EvaluationConfig(
        models="all", split="loo", k=10, max_test_users=2000,
        domains=("knowledge", "fashion"), seed=config.seed,
    )  # fmt: skip
    return {"recommend": evaluate_and_fit(workspace, cfg, progress)}
