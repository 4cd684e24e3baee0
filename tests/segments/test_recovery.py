"""The planted segments of the synthetic world are recovered (adjusted Rand index)."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from seamline.segments import SegmentConfig, export_assignment, run_segmentation
from seamline.segments.api import agreement_with

ARI_FLOOR = 0.8


def _ari(world, path) -> float:  # type: ignore[no-untyped-def]
    got = pd.read_csv(path).set_index("user_id")["segment"]
    assert len(got) == len(world.truth)  # every user is assigned
    return float(adjusted_rand_score(world.truth.loc[got.index], got))


def test_kmeans_with_automatic_k_recovers_planted_segments(world5k, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_segmentation(world5k.ws, SegmentConfig(method="kmeans", k="auto"))
    assert result["k_selection"] == "vote"
    assert [s["k"] for s in result["scores"]] == list(range(2, 11))
    ari = _ari(world5k, export_assignment(world5k.ws, tmp_path / "a.csv"))
    assert ari >= ARI_FLOOR, f"ARI {ari:.3f} with k={result['k']}"
    check = agreement_with(world5k.ws, world5k.folder / "world" / "truth" / "users.csv")
    assert check["users_compared"] == 5_000 and check["ari"] == pytest.approx(ari, abs=1e-4)
    assert result["stability"]["ari_mean"] >= 0.8
    names = [s["name_en"] for s in result["segments"]]
    assert len(set(names)) == len(names)


def test_hierarchical_with_automatic_k_recovers_planted_segments(world5k, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = SegmentConfig(method="hierarchical", k="auto", bootstrap=2)
    result = run_segmentation(world5k.ws, cfg)
    ari = _ari(world5k, export_assignment(world5k.ws, tmp_path / "h.csv"))
    assert ari >= ARI_FLOOR, f"ARI {ari:.3f} with k={result['k']}"
