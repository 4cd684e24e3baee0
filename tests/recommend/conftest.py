"""Fixtures for recommender tests: a small synthetic world and MovieLens-shaped ratings."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support.worlds import ingest_world, ml_shaped
from seamline.data.dataset import Interactions
from seamline.data.synthetic import generate_world
from seamline.workspace import Workspace


@pytest.fixture(scope="session")
def rec_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rec-world")
    generate_world(500, 11, out)
    return out


@pytest.fixture(scope="session")
def rec_ws(rec_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return ingest_world(rec_world, tmp_path_factory.mktemp("rec-ws") / "ws")


@pytest.fixture(scope="session")
def synth(rec_ws: Workspace) -> Interactions:
    return Interactions.from_workspace(rec_ws)


@pytest.fixture(scope="session")
def ml() -> Interactions:
    return Interactions.from_frame(ml_shaped())
