"""The public datasets beside the project (../shared/data, or $SEAMLINE_SHARED_DATA)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


def ml100k() -> Path:
    """MovieLens 100K's folder; skips the test (saying where it looked) when absent."""
    root = Path(os.environ.get("SEAMLINE_SHARED_DATA", SHARED / "data"))
    path = root / "ml-100k"
    if not (path / "u.data").exists():
        pytest.skip(f"ml-100k not found under {root}: set SEAMLINE_SHARED_DATA")
    return path
