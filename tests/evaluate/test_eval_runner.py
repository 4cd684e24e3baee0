"""The evaluation runner on a synthetic workspace, with reference scorers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from _support.reference import reference_fit
from seamline.errors import ConfigError, DataError
from seamline.evaluate.runner import evaluate, latest_results, load_log, pair_split
from seamline.workspace import Workspace


def test_runner_tunes_on_validation_and_stores(synth_ws: Workspace) -> None:
    seen: list[tuple[str, int]] = []

    def fit(name: str, params: dict[str, Any], frame: Any, users: Any, items: Any) -> Any:
        seen.append((name, len(frame)))
        return reference_fit(name, params, frame, users, items)

    grids = {"ease": [{"lambda": 10.0}, {"lambda": 500.0}]}
    res = evaluate(synth_ws, ["mostpop", "ease"], grids=grids, fit=fit)
    d = res.to_dict()
    assert d["split"] == "loo" and d["k"] == 10
    assert [r["model"] for r in d["results"]] == ["mostpop", "ease"]
    ease = d["results"][1]
    assert len(ease["tuning"]) == 2
    chosen = max(ease["tuning"], key=lambda t: t["val_ndcg@10"])["params"]
    assert ease["params"] == chosen
    # Tuning fits see fewer events than the final fit (validation is carved from train).
    ease_fits = [n for m, n in seen if m == "ease"]
    assert ease_fits[0] == ease_fits[1] < ease_fits[2]
    for key in ("ndcg@10", "recall@10", "precision@10", "f1@10", "hit_rate@10", "coverage@10"):
        assert 0.0 <= ease[key] <= 1.0
        assert key == "coverage@10" or ease[key + "_se"] >= 0.0
    # The planted tastes make co-consumption informative: EASE beats popularity.
    assert ease["ndcg@10"] > d["results"][0]["ndcg@10"]
    stored = latest_results(synth_ws)
    assert stored[0]["run_id"] == res.run_id
    assert stored[0]["results"][1]["ndcg@10"] == pytest.approx(ease["ndcg@10"])


def test_train_events_never_include_a_test_pair(synth_ws: Workspace) -> None:
    log = load_log(synth_ws)
    split, pair_of_event = pair_split(log, "loo")
    test = set(split.test.tolist())
    in_test = np.isin(pair_of_event, list(test))
    # Every event of a held-out pair is held out (views before a purchase included).
    held = log.frame.loc[in_test]
    pairs = set(zip(held["user_id"], held["item_id"], strict=True))
    tu = [log.user_ids[u] for u in split.test_users]
    ti = [log.item_ids[i] for i in split.test_items]
    assert pairs == set(zip(tu, ti, strict=True))


def test_domain_split_ranks_only_that_domain(synth_ws: Workspace) -> None:
    res = evaluate(synth_ws, ["mostpop"], domain="fashion", fit=reference_fit, save=False)
    log = load_log(synth_ws)
    split, _ = pair_split(log, "loo", domain="fashion")
    assert set(log.item_domain[split.test_items]) == {"fashion"}
    n_fashion = int((log.item_domain == "fashion").sum())
    cov = res.results[0].metrics["coverage@10"]
    # Coverage counts fashion items only: a whole number of them, at least the top 10.
    listed = cov * n_fashion
    assert listed == pytest.approx(round(listed))
    assert round(listed) >= 10


def test_bad_arguments(synth_ws: Workspace, tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="allowed: loo, global"):
        evaluate(synth_ws, ["mostpop"], split="random", fit=reference_fit)
    with pytest.raises(ConfigError, match="unknown domain"):
        evaluate(synth_ws, ["mostpop"], domain="movies", fit=reference_fit)
    with pytest.raises(DataError, match="no events"):
        evaluate(Workspace(tmp_path / "empty"), ["mostpop"], fit=reference_fit)


def test_sampled_test_users_are_reproducible(synth_ws: Workspace) -> None:
    full = evaluate(synth_ws, ["mostpop"], fit=reference_fit, save=False)
    a = evaluate(synth_ws, ["mostpop"], fit=reference_fit, save=False, max_test_users=100)
    b = evaluate(synth_ws, ["mostpop"], fit=reference_fit, save=False, max_test_users=100)
    assert a.split_stats["test_users"] == 100
    assert a.split_stats["test_users_sampled_from"] == full.split_stats["test_users"]
    assert a.results[0].metrics == b.results[0].metrics
    # Fewer users, wider error bars.
    assert a.results[0].metrics["ndcg@10_se"] > full.results[0].metrics["ndcg@10_se"]
