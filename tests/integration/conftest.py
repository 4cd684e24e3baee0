"""Shared setup for integration tests that read the real public datasets.

The datasets live outside the project (``<repo>/../shared/data``, read-only, never copied
in); ``SEAMLINE_SHARED_DATA`` points elsewhere. Tests skip when a dataset is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.data.datasets import FOLDERS, SourceTables, load_dataset


def shared_data() -> Path:
    """The folder holding the public datasets: $SEAMLINE_SHARED_DATA or ../shared/data."""
    env = os.environ.get("SEAMLINE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def dataset_dir(name: str) -> Path:
    """The folder of dataset `name`, skipping the test when it is not there."""
    root = shared_data()
    folder = FOLDERS[name]
    path = root / folder
    if not path.is_dir():
        pytest.skip(
            f"{folder} not found under {root}: set SEAMLINE_SHARED_DATA to the folder that "
            "holds the public datasets"
        )
    return path


@pytest.fixture(scope="session")
def load_source() -> Callable[[str], SourceTables]:
    """Load a dataset by name through its adapter, once per test session."""
    cache: dict[str, SourceTables] = {}

    def load(name: str) -> SourceTables:
        if name not in cache:
            cache[name] = load_dataset(name, dataset_dir(name))
        return cache[name]

    return load
