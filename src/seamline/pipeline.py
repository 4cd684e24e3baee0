"""The main job, stage by stage: synthetic world (or the user's data) -> ingest -> report.

Each stage that exists runs in order; later stages (features, segments, recommenders,
campaigns, experiments, privacy) add themselves to `STAGES` and a section to the report.
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
    summary = workspace.ingest(**{t: p for t, p in files.items() if p.exists()}, progress=progress)
    stages["ingest"] = {k: v for k, v in summary.to_dict().items() if k != "files"}
    report = write_report(workspace)
    log.info("report written to %s", report)
    return RunResult(workspace=workspace.path, report=report, stages=stages)
