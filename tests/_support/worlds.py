"""Synthetic worlds for tests: write one, ingest it, or make MovieLens-shaped ratings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seamline.data.synthetic import generate_world
from seamline.workspace import Workspace


def ingest_world(world: Path, ws_folder: Path) -> Workspace:
    """A workspace at `ws_folder` holding the events, items and users of `world`."""
    ws = Workspace(ws_folder)
    ws.ingest(events=world / "events.csv", items=world / "items.csv", users=world / "users.csv")
    return ws


def world_workspace(folder: Path, users: int, seed: int) -> tuple[Workspace, Path]:
    """A seeded world written to `folder/world` and ingested into `folder/ws`."""
    generate_world(users, seed, folder / "world")
    return ingest_world(folder / "world", folder / "ws"), folder / "world"


def ml_shaped(
    n_users: int = 150, n_items: int = 300, per_user: int = 30, seed: int = 0
) -> pd.DataFrame:
    """Ratings like MovieLens: integer ids, one `rate` event per (user, item), clustered
    tastes so that collaborative models have signal to find."""
    rng = np.random.default_rng(seed)
    groups = 5
    rows = []
    t0 = pd.Timestamp("1998-01-01", tz="UTC")
    for u in range(1, n_users + 1):
        g = u % groups
        own = np.arange(n_items)[np.arange(n_items) % groups == g]
        pool = np.concatenate([own, own, rng.choice(n_items, 20)])
        items = rng.choice(np.unique(pool), size=per_user, replace=False) + 1
        for j, it in enumerate(items):
            rows.append((str(u), str(int(it)), "other", "rate", t0 + pd.Timedelta(hours=int(j))))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "domain", "event_type", "timestamp"])
