"""`generate_world`: write a synthetic world of users, items, events and its truth/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from seamline.data.synthetic.arrays import csv_writer, write_csv, write_json
from seamline.data.synthetic.behaviour import (
    decide,
    events_schema,
    events_table,
    funnel,
    plan_sessions,
    plan_views,
)
from seamline.data.synthetic.items import Items, item_count, make_items
from seamline.data.synthetic.personas import SEGMENTS
from seamline.data.synthetic.responses import Propensity, response_truth
from seamline.data.synthetic.truth import README, Tally, campaign_truth, segments_truth
from seamline.data.synthetic.users import (
    Users,
    assignment_table,
    make_users,
    truth_users_table,
    users_table,
)
from seamline.data.synthetic.window import LOCAL_OFFSET_S
from seamline.progress import Progress, step

CHUNK_USERS = 50_000  # users simulated at once; bounds memory


@dataclass(frozen=True)
class WorldSummary:
    """What `generate_world` wrote, with the headline truths."""

    out_dir: Path
    users: int
    items: int
    events: int
    segments: int
    files: dict[str, str]  # logical name -> path
    seed: int = 0
    sessions: int = 0
    conversion_ate: float = 0.0  # true effect of the coupon on conversion (in-window)
    revenue_ate: float = 0.0  # true effect on revenue per user (CNY, in-window)


def generate_world(
    n_users: int,
    seed: int,
    out_dir: str | Path,
    *,
    events_per_user: float = 10.0,
    progress: Progress | None = None,
) -> WorldSummary:
    """Write a synthetic world of `n_users` users to `out_dir` (see the package docstring).

    Files: events.csv, items.csv, users.csv and truth/ (planted segments, the campaign's
    assignment and true effect, a README). The same arguments give byte-identical files.
    """
    if n_users < 1:
        raise ValueError(f"n_users must be at least 1, got {n_users}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if not events_per_user > 0:
        raise ValueError(f"events_per_user must be positive, got {events_per_user}")
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    files = {
        "events": out / "events.csv",
        "items": out / "items.csv",
        "users": out / "users.csv",
        "truth_users": out / "truth" / "users.csv",
        "campaign_assignment": out / "truth" / "campaign_assignment.csv",
        "campaign": out / "truth" / "campaign.json",
        "segments": out / "truth" / "segments.json",
        "world": out / "truth" / "world.json",
        "user_propensity": out / "truth" / "user_propensity.csv",
        "offer_response": out / "truth" / "offer_response.json",
        "readme": out / "truth" / "README.md",
    }

    users = make_users(n_users, events_per_user, np.random.default_rng([seed, 0]))
    items = make_items(item_count(n_users), np.random.default_rng([seed, 1]))
    write_csv(files["users"], users_table(users), quote=False)
    write_csv(files["truth_users"], truth_users_table(users), quote=False)
    write_csv(files["campaign_assignment"], assignment_table(users), quote=False)
    write_csv(files["items"], items.table, quote=True)

    tally, propensity = Tally(), Propensity(users.n)
    n_events, n_sessions = _write_events(
        files["events"], users, items, seed, (tally, propensity), progress
    )
    write_csv(files["user_propensity"], propensity.table(users), quote=False)
    write_json(files["offer_response"], response_truth())
    campaign = campaign_truth(tally, users, seed)
    write_json(files["campaign"], campaign)
    write_json(files["segments"], segments_truth(users))
    world = _world_truth(seed, events_per_user, users, items, n_events, n_sessions)
    write_json(files["world"], world)
    files["readme"].write_text(README, encoding="utf-8")
    true_effect = campaign["true_effect"]["sample"]
    return WorldSummary(
        out_dir=out,
        users=n_users,
        items=items.n,
        events=n_events,
        segments=len(SEGMENTS),
        files={k: str(v) for k, v in files.items()},
        seed=seed,
        sessions=n_sessions,
        conversion_ate=true_effect["conversion_ate"],
        revenue_ate=true_effect["revenue_per_user_ate"],
    )


def _write_events(
    path: Path,
    users: Users,
    items: Items,
    seed: int,
    tally: tuple[Tally, Propensity],
    progress: Progress | None,
) -> tuple[int, int]:
    """Simulate users chunk by chunk, appending each chunk's events to the CSV."""
    n_events = n_sessions = 0
    with (
        step(progress, "Generating synthetic world", total=users.n) as task,
        path.open("wb") as sink,
    ):
        writer = csv_writer(sink, events_schema(), quote=False)
        for chunk, lo in enumerate(range(0, users.n, CHUNK_USERS)):
            hi = min(lo + CHUNK_USERS, users.n)
            rng = np.random.default_rng([seed, 2, chunk])
            table, sessions = _simulate_chunk(
                users, items, lo, hi, rng, n_events, n_sessions, tally
            )
            writer.write_table(table)
            n_events += table.num_rows
            n_sessions += sessions
            task.advance(hi - lo)
        writer.close()
    return n_events, n_sessions


def _world_truth(
    seed: int, events_per_user: float, users: Users, items: Items, n_events: int, n_sessions: int
) -> dict[str, Any]:
    return {
        "seed": seed,
        "events_per_user_target": events_per_user,
        "users": users.n,
        "items": items.n,
        "events": n_events,
        "sessions": n_sessions,
        "window_local": {"first_day": "2026-05-01", "last_day": "2026-10-31"},
        "utc_offset_hours": LOCAL_OFFSET_S // 3600,
        "segments": [s.key for s in SEGMENTS],
    }


def _simulate_chunk(
    u: Users,
    items: Items,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    event_offset: int,
    session_offset: int,
    tally: tuple[Tally, Propensity],
) -> tuple[pa.Table, int]:
    sessions = plan_sessions(rng, u, lo, hi)
    views = plan_views(rng, sessions, u, items)
    decision = decide(rng, views, u, items)
    tally[0].add(views, u, lo, hi, decision)
    tally[1].add(views, decision)
    steps = funnel(rng, views, u, items, decision)
    return events_table(views, steps, u, items, event_offset, session_offset), len(sessions.user)
