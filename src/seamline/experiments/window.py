"""An experiment's window decides its status and whether it may still assign users:
before `start` it is scheduled, from `start` until `end` (exclusive) running, then ended.
Times are UTC; a missing bound is open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from seamline.errors import ConflictError
from seamline.experiments.assignment import ExperimentConfig

Status = Literal["scheduled", "running", "ended"]


def _instant(iso: str) -> datetime:
    t = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def status(cfg: ExperimentConfig, now: datetime | None = None) -> Status:
    """`scheduled`, `running` or `ended` at `now` (default: the current time)."""
    now = now or datetime.now(UTC)
    if cfg.start and now < _instant(cfg.start):
        return "scheduled"
    if cfg.end and now >= _instant(cfg.end):
        return "ended"
    return "running"


def check_open(cfg: ExperimentConfig, now: datetime | None = None) -> None:
    """Raise `ConflictError` unless the experiment is running at `now`."""
    state = status(cfg, now)
    if state != "running":
        when = f"starts {cfg.start}" if state == "scheduled" else f"ended {cfg.end}"
        raise ConflictError(
            f"experiment {cfg.name!r} is {state} ({when}): it assigns users only within its window"
        )
