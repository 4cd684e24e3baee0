"""Launching a stored plan: the marketer's go, recorded once with when and by which key.

Planning already created the plan's experiment (its randomised holdout); launching records
the decision to send the campaign arm's messages, so a plan is launched at most once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seamline.errors import ConflictError

if TYPE_CHECKING:
    from seamline.data.store import Store

LAUNCH = "launch"


def launch_state(plan: dict[str, Any]) -> dict[str, Any] | None:
    """The launch record of a plan as `store.get_plan` returns it, or None."""
    found: dict[str, Any] | None = (plan.get("results") or {}).get(LAUNCH)
    return found


def launch_plan(ws: Store, plan_id: int, by: str) -> dict[str, Any]:
    """Record the launch of `plan_id` by key `by`; a second launch is a conflict."""
    from seamline.campaigns import store

    plan = store.get_plan(ws, plan_id)
    done = launch_state(plan)
    if done is not None:
        raise ConflictError(f"plan {plan_id} was launched at {done['launched_at']}")
    record = {"launched_at": datetime.now(UTC).isoformat(), "by": by}
    store.save_result(ws, plan_id, LAUNCH, record)
    return {"plan_id": plan_id, "name": plan["name"], "experiment": plan["experiment"], **record}
