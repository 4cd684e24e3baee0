"""Ranking metrics: hand-made cases and a brute-force re-implementation on random input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from seamline.errors import ConfigError, DataError
from seamline.evaluate.metrics import RankingMetrics, evaluate_ranking, top_k


def test_top_k_is_stable_and_skips_excluded_items() -> None:
    S = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, 0.0, 0.0, 0.0], [-np.inf, 5.0, -np.inf, -np.inf]])
    assert top_k(S, 3).tolist() == [[1, 2, 3], [0, 1, 2], [1, -1, -1]]


def test_top_k_rejects_nan_and_bad_k() -> None:
    with pytest.raises(DataError, match="NaN"):
        top_k(np.array([[np.nan, 1.0]]), 1)
    with pytest.raises(ConfigError, match="k must be"):
        top_k(np.zeros((1, 2)), 0)


def test_hand_made_case() -> None:
    # 3 users, 6 items; train u0 {0, 1}, u1 {2}; scores fixed.
    X = sp.csr_matrix((np.ones(3), ([0, 0, 1], [0, 1, 2])), shape=(3, 6))
    fixed = np.array([[9, 8, 7, 6, 5, 4], [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]], float)
    # u0 lists 2,3,4 and holds out 3 (rank 2); u1 lists 5,4,3 and holds out 0 (miss);
    # u2 lists 0,1,2 and holds out 5 and 1 (hit at rank 2, |T| = 2).
    m = evaluate_ranking(
        lambda rows: fixed[rows], X, [0, 1, 2, 2], [3, 0, 5, 1], k=3, item_vectors=np.eye(6)
    )
    ndcg = [1 / math.log2(3), 0.0, (1 / math.log2(3)) / (1 + 1 / math.log2(3))]
    assert m["ndcg@3"] == pytest.approx(np.mean(ndcg))
    assert m["hit_rate@3"] == pytest.approx(2 / 3)
    assert m["recall@3"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert m["precision@3"] == pytest.approx((1 / 3 + 0 + 1 / 3) / 3)
    f1 = [2 * (1 / 3) * 1 / (1 / 3 + 1), 0.0, 2 * (1 / 3) * 0.5 / (1 / 3 + 0.5)]
    assert m["f1@3"] == pytest.approx(np.mean(f1))
    assert m["map@3"] == pytest.approx(np.mean([0.5, 0.0, 0.5 / 2]))
    assert m["coverage@3"] == pytest.approx(1.0)
    # Orthogonal item vectors: every pair in every list is fully dissimilar.
    assert m["diversity@3"] == pytest.approx(1.0)
    se = np.std(ndcg, ddof=1) / math.sqrt(3)
    assert m["ndcg@3_se"] == pytest.approx(se)
    assert m["n_users"] == 3


def _brute(S, train, tu, ti, k, vecs, pop, n_active):
    """Metrics straight from their definitions, one user at a time."""
    _n_users, n_items = S.shape
    per: dict[str, list[float]] = {
        m: [] for m in ("precision", "recall", "f1", "ndcg", "map", "hit_rate", "novelty")
    }
    per["diversity"] = []
    rec_all: set[int] = set()
    V = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-300)
    for u in sorted(set(tu)):
        truth = {i for uu, i in zip(tu, ti, strict=True) if uu == u}
        cand = [j for j in range(n_items) if j not in train[u]]
        ranked = sorted(cand, key=lambda j: (-S[u, j], j))[:k]
        rec_all.update(ranked)
        hits = [j in truth for j in ranked]
        p = sum(hits) / k
        r = sum(hits) / len(truth)
        per["precision"].append(p)
        per["recall"].append(r)
        per["f1"].append(2 * p * r / (p + r) if p + r else 0.0)
        dcg = sum(1 / math.log2(n + 2) for n, h in enumerate(hits) if h)
        idcg = sum(1 / math.log2(n + 2) for n in range(min(k, len(truth))))
        per["ndcg"].append(dcg / idcg)
        ap = sum(sum(hits[: n + 1]) / (n + 1) for n, h in enumerate(hits) if h)
        per["map"].append(ap / min(k, len(truth)))
        per["hit_rate"].append(float(any(hits)))
        per["novelty"].append(
            float(np.mean([-math.log2((pop[j] + 1) / (n_active + 1)) for j in ranked]))
        )
        pairs = [(a, b) for x, a in enumerate(ranked) for b in ranked[x + 1 :]]
        per["diversity"].append(
            float(np.mean([1 - V[a] @ V[b] for a, b in pairs])) if pairs else 0.0
        )
    out = {f"{m}@{k}": float(np.mean(v)) for m, v in per.items()}
    out[f"coverage@{k}"] = len(rec_all) / n_items
    return out


@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 6),
    levels=st.sampled_from([3, 1000]),  # few levels -> many ties
)
def test_matches_brute_force(seed: int, k: int, levels: int) -> None:
    rng = np.random.default_rng(seed)
    n_users, n_items = 7, 12
    S = rng.integers(0, levels, size=(n_users, n_items)).astype(float)
    X = (rng.random((n_users, n_items)) < 0.25).astype(float)
    train = [set(np.flatnonzero(row)) for row in X]
    tu, ti = [], []
    for u in range(n_users):
        free = [j for j in range(n_items) if j not in train[u]]
        for j in rng.choice(free, size=rng.integers(0, 4), replace=False):
            tu.append(u)
            ti.append(int(j))
    if not tu:
        return
    pop = (X > 0).sum(axis=0)
    n_active = int((X.sum(axis=1) > 0).sum())
    got = evaluate_ranking(lambda rows: S[rows], sp.csr_matrix(X), tu, ti, k=k, chunk=3)
    want = _brute(S, train, tu, ti, k, X.T, pop, n_active)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-12), key


def test_chunks_do_not_change_results() -> None:
    rng = np.random.default_rng(1)
    S = rng.random((50, 30))
    X = sp.csr_matrix((rng.random((50, 30)) < 0.2).astype(float))
    tu = np.arange(50)
    ti = np.array([int(np.flatnonzero(X[u].toarray().ravel() == 0)[0]) for u in tu])
    a = evaluate_ranking(lambda r: S[r], X, tu, ti, k=5, chunk=7)
    b = evaluate_ranking(lambda r: S[r], X, tu, ti, k=5, chunk=1000)
    assert a == pytest.approx(b)


def test_candidates_restrict_the_ranking() -> None:
    S = np.array([[5.0, 4.0, 3.0, 2.0]])
    X = sp.csr_matrix((1, 4))
    allowed = np.array([False, True, False, True])
    m = evaluate_ranking(lambda r: S[r], X, [0], [3], k=2, candidates=allowed)
    assert m["hit_rate@2"] == 1.0
    assert m["ndcg@2"] == pytest.approx(1 / math.log2(3))
    assert m["coverage@2"] == pytest.approx(1.0)  # 2 of the 2 allowed items


def test_bad_scores_are_refused() -> None:
    X = sp.csr_matrix((2, 3))
    with pytest.raises(DataError, match="shape"):
        evaluate_ranking(lambda r: np.zeros((1, 3)), X, [0, 1], [0, 1], k=1)
    with pytest.raises(DataError, match="non-finite"):
        evaluate_ranking(lambda r: np.full((len(r), 3), np.inf), X, [0], [0], k=1)
    with pytest.raises(DataError, match="outside"):
        evaluate_ranking(lambda r: np.zeros((len(r), 3)), X, [5], [0], k=1)


def test_every_user_needs_a_held_out_item() -> None:
    acc = RankingMetrics(2, 4)
    with pytest.raises(DataError, match="held-out"):
        acc.add(np.array([[0, 1], [2, 3]]), np.array([0]), np.array([1]))
