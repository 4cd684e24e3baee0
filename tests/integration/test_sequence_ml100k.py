"""The sequence-aware retriever on MovieLens 100K through `seamline evaluate`: it clears the
shared benchmark's item-transition bar (NDCG@10 0.1111, temporal leave-last-one-out)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.data.datasets import SourceTables
from seamline.evaluate.runner import evaluate
from seamline.workspace import Workspace

pytestmark = pytest.mark.integration

BAR = 0.1111


def test_transition_beats_the_sequential_bar_on_ml_100k(
    load_source: Callable[[str], SourceTables], tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ingest_source(load_source("movielens-100k"))
    res = evaluate(ws, ["transition"], split="loo", k=10, save=False).to_dict()
    row = res["results"][0]
    assert row["ndcg@10"] > BAR, row
    assert len(row["tuning"]) == 6 and row["params"]["normalize"] == 0.8
