"""Shared fixtures: a fresh workspace per test and helpers to write files and read the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from _support.store import EVENTS_HEADER, Store

# The test suite is reproducible: hypothesis replays the same examples on every run.
# `pytest --hypothesis-profile=explore` searches fresh examples (and more of them).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=300)
settings.load_profile("repeatable")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path)


@pytest.fixture
def new_store(tmp_path: Path) -> Callable[[str], Store]:
    """More workspaces in one test, each in its own sub-folder."""

    def make(name: str) -> Store:
        folder = tmp_path / name
        folder.mkdir()
        return Store(folder)

    return make


@pytest.fixture
def events_csv(store: Store) -> Callable[..., Path]:
    """Write a CSV of events under the standard header from a list of data rows."""

    def write(rows: list[str], name: str = "events.csv", header: str = EVENTS_HEADER) -> Path:
        return store.write(name, "\n".join([header, *rows]) + "\n")

    return write
