"""Exposure metrics, per-group metrics and the exposure-bounding re-ranker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seamline.errors import ConfigError
from seamline.fairness import exposure as ex
from seamline.fairness.audit import FairnessConfig, _split, fairness_audit, latest_audit
from seamline.fairness.groups import quality_by_group, selection_by_group
from seamline.fairness.rerank import ndcg_at_k, rerank
from seamline.workspace import Workspace


def test_exposure_shares_by_hand() -> None:
    groups = np.array(["a", "a", "b", "c"])
    lists = np.array([[0, 2], [1, -1]])  # user 0: a then b; user 1: a only
    w1, w2 = 1.0, 1 / np.log2(3)
    shares = ex.exposure_shares(lists, groups)
    total = w1 + w2 + w1
    assert shares == pytest.approx({"a": 2 * w1 / total, "b": w2 / total, "c": 0.0})
    inter = ex.interaction_shares([3, 1, 4, 2], groups)
    assert inter == pytest.approx({"a": 0.4, "b": 0.4, "c": 0.2})
    assert ex.disparity({"a": 1.0}, {"a": 0.5, "b": 0.5}) == pytest.approx(0.5)
    rows = {r.group: r for r in ex.compare(shares, inter)}
    assert rows["c"].ratio == 0.0 and rows["a"].ratio == pytest.approx(shares["a"] / 0.4)


def test_rerank_tolerance_one_is_plain_top_k() -> None:
    rng = np.random.default_rng(0)
    S = rng.random((20, 30))
    groups = np.array(["x"] * 15 + ["y"] * 15)
    out = rerank(S, groups, {}, 5, tolerance=1.0)
    assert (out == np.argsort(-S, axis=1)[:, :5]).all()


def test_rerank_bounds_a_dominant_group_and_costs_measured_ndcg() -> None:
    rng = np.random.default_rng(1)
    n_users, n_items = 200, 60
    groups = np.array(["big"] * 10 + ["small"] * 50)
    # The 10 'big' items score highest for everyone: plain top-5 shows only them.
    S = rng.random((n_users, n_items)) + np.where(groups == "big", 2.0, 0.0)
    target = {"big": 0.5, "small": 0.5}
    base = rerank(S, groups, {}, 5, tolerance=1.0)
    fair = rerank(S, groups, target, 5, tolerance=0.05)
    before = ex.disparity(ex.exposure_shares(base, groups), target)
    after = ex.disparity(ex.exposure_shares(fair, groups), target)
    assert before == pytest.approx(0.5)
    assert after <= 0.05 + 1e-9
    relevant = [{int(np.argmax(S[u]))} for u in range(n_users)]  # each user's best item
    assert ndcg_at_k(base, relevant).mean() == pytest.approx(1.0)
    cost = ndcg_at_k(base, relevant).mean() - ndcg_at_k(fair, relevant).mean()
    assert 0 <= cost < 0.5
    # Each list holds distinct items.
    assert all(len(set(r)) == len(r) for r in fair)


def test_rerank_rejects_bad_config() -> None:
    with pytest.raises(ConfigError, match="tolerance"):
        rerank(np.zeros((1, 3)), ["a", "a", "b"], {}, 2, tolerance=2)
    with pytest.raises(ConfigError, match="k must"):
        rerank(np.zeros((1, 3)), ["a", "a", "b"], {}, 0)


def test_metricframe_groups() -> None:
    q = quality_by_group([1.0, 0.0, 0.5, 0.5], ["f", "f", "m", "m"], "gender")
    assert q["by_group"]["f"]["mean"] == 0.5 and q["difference"] == 0.0
    s = selection_by_group([1, 1, 0, 1], ["f", "f", "m", "m"], "gender")
    assert s["by_group"]["m"]["selection_rate"] == 0.5
    assert s["difference"] == pytest.approx(0.5) and s["ratio"] == pytest.approx(0.5)


def test_audit_on_synthetic_world(fair_ws: Workspace) -> None:
    r = fairness_audit(fair_ws, FairnessConfig(model="mostpop", k=10, tolerance=0.05))
    brand = r["exposure"]["brand"]
    assert sum(row["exposure_share"] for row in brand["rows"]) == pytest.approx(1.0)
    assert sum(row["interaction_share"] for row in brand["rows"]) == pytest.approx(1.0)
    rr = r["rerank"]
    # Popularity concentrates exposure; the re-ranker must bring it closer to parity.
    assert rr["brand_disparity_after"] < rr["brand_disparity_before"]
    assert rr["ndcg_cost"] == pytest.approx(rr["ndcg_before"] - rr["ndcg_after"])
    assert set(r["quality"]["gender"]["by_group"]) >= {"f", "m"}
    assert latest_audit(fair_ws) is not None and latest_audit(fair_ws)["run_id"] == r["run_id"]


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ConfigError, match="allowed"):
        FairnessConfig(model="deep-magic")


def test_audit_holds_out_each_users_last_distinct_item() -> None:
    # Rows are in time order; a pair's time is that of its last event (leave-last-out).
    rows = [("u1", "a"), ("u3", "d"), ("u1", "b"), ("u2", "c"), ("u1", "a"), ("u3", "e"),
            ("u2", "c")]  # fmt: skip
    events = pd.DataFrame(rows, columns=["user_id", "item_id"])
    train, test = _split(events)
    assert test == {"u1": "a", "u3": "e"}  # u2 has one distinct item: nothing to hold out
    assert list(test) == ["u1", "u3"]  # in the order of the held pairs' last events
    assert list(train.itertuples(index=False, name=None)) == [
        ("u3", "d"), ("u1", "b"), ("u2", "c"), ("u2", "c")
    ]  # fmt: skip


def test_audit_prepares_data_as_the_model_config_says(fair_ws: Workspace) -> None:
    """Data options in the model's params (e.g. `aggregate`) shape the matrix it is fit on."""
    summed = fairness_audit(fair_ws, FairnessConfig(model="mostpop", k=10))
    binary = fairness_audit(
        fair_ws, FairnessConfig(model="mostpop", k=10, params={"aggregate": "binary"})
    )
    shares = [
        {row["group"]: row["exposure_share"] for row in r["exposure"]["brand"]["rows"]}
        for r in (summed, binary)
    ]
    assert shares[0] != shares[1]
