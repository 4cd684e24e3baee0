"""ALS through Spark MLlib: its factors inside the local ALS model (scoring, serving,
fold-in, explanations), and recommendation quality on ml-100k like the local ALS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _support.shared import ml100k
from _support.worlds import ml_shaped
from seamline.data.dataset import Interactions
from seamline.engine import EngineConfig
from seamline.evaluate.runner import evaluate
from seamline.recommend.als import ALS
from seamline.recommend.registry import make
from seamline.workspace import Workspace


def test_mllib_factors_serve_and_explain_like_local_als(spark: EngineConfig) -> None:
    data = Interactions.from_frame(ml_shaped(n_users=60, n_items=100, per_user=20))
    m = make("als", factors=8, iterations=5, engine="spark").fit(data)
    assert isinstance(m, ALS)
    assert m.user_factors_.shape == (60, 8) and m.item_factors_.shape == (100, 8)
    assert np.abs(m.item_factors_).sum() > 0
    uid = data.users.id(3)
    recs = m.recommend([uid], k=5)[0]
    assert len(recs) == 5 and all(r.because for r in recs)
    assert m.explain(uid, recs[0].item_id)
    # ml_shaped users of group g mostly take items i with i % 5 == g.
    group = [str(i + 1) for i in range(2, 100, 5)][:8]
    m.fold_in("newcomer", group)
    share = np.mean([(int(r.item_id) - 1) % 5 == 2 for r in m.recommend(["newcomer"], k=5)[0]])
    assert share >= 0.6


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore:OpenBLAS is configured:RuntimeWarning")
def test_mllib_ndcg_within_one_standard_error_of_local_als(
    spark: EngineConfig, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ingest_dataset("movielens-100k", ml100k())
    params = {"regularization": 10.0, "alpha": 1.0}
    local, mllib = (
        evaluate(ws, ["als"], grids={"als": [p]}, tune=False, save=False).results[0]
        for p in (params, {**params, "engine": "spark"})
    )
    assert local.error is None and mllib.error is None, (local.error, mllib.error)
    gap = abs(mllib.metrics["ndcg@10"] - local.metrics["ndcg@10"])
    assert gap <= local.metrics["ndcg@10_se"], (mllib.metrics, local.metrics)
