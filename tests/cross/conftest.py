"""Two-domain worlds for the transfer tests: users in taste groups, each group's books
predict its clothes, so a method that carries interest across domains has signal to find."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.workspace import Workspace


def two_domain_events(
    n_users: int = 240, groups: int = 4, per_domain: int = 6, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_items = 40  # per domain
    rows = []
    t0 = pd.Timestamp("2026-01-01", tz="UTC")
    for u in range(n_users):
        g = u % groups
        for domain, prefix in (("knowledge", "course"), ("fashion", "cloth")):
            own = np.arange(n_items)[np.arange(n_items) % groups == g]
            pool = np.concatenate([own, own, own, rng.choice(n_items, 4)])
            for j, it in enumerate(rng.choice(np.unique(pool), per_domain, replace=False)):
                when = t0 + pd.Timedelta(hours=u * 20 + j)
                rows.append((f"u{u}", f"{prefix}-{it}", domain, "view", when))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "domain", "event_type", "timestamp"])


@pytest.fixture(scope="session")
def two_domain_frame() -> pd.DataFrame:
    return two_domain_events()


@pytest.fixture
def two_domain_ws(two_domain_frame: pd.DataFrame, tmp_path: Path) -> Workspace:
    path = tmp_path / "events.csv"
    two_domain_frame.to_csv(path, index=False)
    ws = Workspace(tmp_path / "ws")
    ws.ingest(events=path)
    return ws
