"""Fixtures for evaluation tests: a small synthetic workspace (reference scorers live in
`_support.reference`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support.worlds import ingest_world
from seamline.data.synthetic import generate_world
from seamline.workspace import Workspace


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("eval-world")
    generate_world(800, 3, out)
    return out


@pytest.fixture
def synth_ws(world_dir: Path, tmp_path: Path) -> Workspace:
    return ingest_world(world_dir, tmp_path / "ws")
