"""A seeded 5,000-user synthetic world with its features, built once per test process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from seamline.data.synthetic import generate_world
from seamline.features import FeatureConfig, build_features
from seamline.workspace import Workspace

WORLD_USERS, WORLD_SEED = 5_000, 7


@dataclass(frozen=True)
class World:
    ws: Workspace
    truth: pd.Series  # planted segment by user_id
    folder: Path


@pytest.fixture(scope="session")
def world5k(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("world5k")
    w = generate_world(WORLD_USERS, WORLD_SEED, folder / "world")
    ws = Workspace(folder / "ws")
    ws.ingest(events=w.files["events"], items=w.files["items"], users=w.files["users"])
    build_features(ws, FeatureConfig(utc_offset_hours=8))
    truth = pd.read_csv(w.files["truth_users"]).set_index("user_id")["segment"]
    return World(ws=ws, truth=truth, folder=folder)
