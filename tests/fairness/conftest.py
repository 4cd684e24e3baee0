"""A small ingested synthetic world for the fairness audit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _support.worlds import world_workspace
from seamline.workspace import Workspace


@pytest.fixture(scope="session")
def fair_ws_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fair_world")
    world_workspace(d, 600, 5)
    return d / "ws"


@pytest.fixture
def fair_ws(fair_ws_dir: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(fair_ws_dir, tmp_path / "ws")
    return Workspace(tmp_path / "ws")
