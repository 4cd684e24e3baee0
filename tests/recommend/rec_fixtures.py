"""Fixtures for recommender tests (imported by the test modules, not a conftest, so the
`from conftest import ...` of other test folders never sees this one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.data.synthetic import generate_world
from seamline.workspace import Workspace

__all__ = ["ml", "ml_shaped", "rec_world", "rec_ws", "synth"]


@pytest.fixture(scope="session")
def rec_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rec-world")
    generate_world(500, 11, out)
    return out


@pytest.fixture(scope="session")
def rec_ws(rec_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("rec-ws") / "ws")
    ws.ingest(
        events=rec_world / "events.csv",
        items=rec_world / "items.csv",
        users=rec_world / "users.csv",
    )
    return ws


@pytest.fixture(scope="session")
def synth(rec_ws: Workspace) -> Interactions:
    return Interactions.from_workspace(rec_ws)


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


@pytest.fixture(scope="session")
def ml() -> Interactions:
    return Interactions.from_frame(ml_shaped())
