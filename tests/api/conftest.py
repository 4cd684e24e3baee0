"""Fixtures of the service tests: a small seeded workspace and keys for each scope."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from _support.server import demo_workspace
from seamline.api import create_app
from seamline.api.keys import KeyStore


@pytest.fixture(scope="session")
def demo_ws_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workspace(tmp_path_factory.mktemp("demo"), n_users=300, seed=7)


@pytest.fixture
def demo_ws(demo_ws_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace (tests write to it)."""
    return Path(shutil.copytree(demo_ws_template, tmp_path / "ws"))


@pytest.fixture
def keys(demo_ws: Path) -> dict[str, str]:
    store = KeyStore(demo_ws)
    return {
        s: store.create([s], name=f"test-{s}")[1] for s in ("read", "ingest", "assign", "admin")
    }


@pytest.fixture
def client(demo_ws: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_ws)) as c:
        yield c
