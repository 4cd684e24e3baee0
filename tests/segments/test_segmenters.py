"""Segmenters, preprocessing and profiles on small data with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from seamline.errors import ConfigError, DataError, NotFittedError
from seamline.segments import KMeansSegmenter, Preprocessor, SegmentConfig, WardSegmenter
from seamline.segments.profiles import build_profiles


def _blobs(n: int = 600, k: int = 4, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_blobs(n_samples=n, centers=k, n_features=5, cluster_std=0.6, random_state=seed)
    return x, y


@pytest.mark.parametrize("segmenter", [KMeansSegmenter, WardSegmenter])
def test_auto_k_finds_well_separated_blobs(segmenter) -> None:  # type: ignore[no-untyped-def]
    x, y = _blobs()
    s = segmenter(SegmentConfig(k_max=8, bootstrap=2)).fit(x)
    assert s.k_ == 4
    assert set(s.votes_.values()) == {4}  # all three scores agree here
    assert adjusted_rand_score(y, s.labels_) == pytest.approx(1.0)
    assert s.stability_["ari_mean"] == pytest.approx(1.0)
    sizes = np.bincount(s.labels_)
    assert list(sizes) == sorted(sizes, reverse=True)  # ids ordered by size
    assert (s.predict(x) == s.labels_).all()


def test_large_data_chooses_k_on_a_sample_and_assigns_everyone() -> None:
    x, y = _blobs(n=3000, k=3)
    cfg = SegmentConfig(k_max=5, select_sample=500, metric_sample=300, bootstrap=0)
    s = KMeansSegmenter(cfg).fit(x)
    m = s.metrics()
    assert m["k_selection_users"] == 500 and m["users"] == 3000
    assert s.k_ == 3 and len(s.labels_) == 3000
    assert adjusted_rand_score(y, s.labels_) == pytest.approx(1.0)


def test_fixed_k_and_same_seed_same_result() -> None:
    x, _ = _blobs(n=300, k=3)
    a = KMeansSegmenter(SegmentConfig(k=5, bootstrap=0, seed=3)).fit(x)
    b = KMeansSegmenter(SegmentConfig(k=5, bootstrap=0, seed=3)).fit(x)
    assert a.k_ == 5 and len(a.scores_) == 1
    assert (a.labels_ == b.labels_).all()
    assert np.allclose(a.centers_, b.centers_)


def test_segmenter_errors() -> None:
    with pytest.raises(NotFittedError):
        KMeansSegmenter().predict(np.zeros((2, 2)))
    with pytest.raises(DataError, match="NaN"):
        KMeansSegmenter().fit(np.array([[0.0, np.nan], [1, 1], [2, 2]]))
    with pytest.raises(DataError, match="distinct"):
        KMeansSegmenter(SegmentConfig(k=3)).fit(np.ones((10, 2)))
    x, _ = _blobs(n=60, k=2)
    s = KMeansSegmenter(SegmentConfig(k=2, bootstrap=0)).fit(x)
    with pytest.raises(DataError, match="5 columns"):
        s.predict(np.zeros((2, 3)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "dbscan"}, "method"),
        ({"k": "many"}, "auto"),
        ({"k": 1}, "at least 2"),
        ({"k_min": 6, "k_max": 4}, "k_min"),
        ({"features": "colours"}, "unknown feature preset"),
        ({"scaling": "zscore"}, "scaling"),
    ],
)
def test_bad_config_is_a_config_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SegmentConfig(**kwargs)  # type: ignore[arg-type]


def test_preprocessor_selects_logs_shrinks_fills_and_scales() -> None:
    frame = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "events": [0.0, 1.0, 9.0, 99.0],
            "cat_x": [np.nan, 1.0, 0.0, 0.5],
            "age": [20.0, np.nan, 40.0, 30.0],
            "flat": [1.0, 1.0, 1.0, 1.0],
            "city": ["x", "y", "z", "w"],
        }
    )
    cfg = SegmentConfig(features=("events", "cat_*", "age", "flat"), shrink=1.0)
    p = Preprocessor(cfg)
    with pytest.raises(NotFittedError):
        p.transform(frame)
    x = p.fit_transform(frame)
    assert p.columns_ == ["events", "cat_x", "age"] and p.dropped_ == ["flat"]
    assert p.logged_ == ["events"] and p.shrunk_ == ["cat_x"]
    assert p.missing_ == {"age": 1}  # cat_x's gap is filled by shrinkage to the mean
    assert x.shape == (4, 3)
    assert np.allclose(x.mean(axis=0), 0) and np.allclose(x.std(axis=0), 1)
    # Shrinkage: weight events / (events + 1) on the user's share, the rest on the mean.
    prior = np.nanmean([1.0, 0.0, 0.5])
    raw = p._transform_raw(frame)
    assert raw[1, 1] == pytest.approx(0.5 * 1.0 + 0.5 * prior)
    assert raw[0, 1] == pytest.approx(prior)
    assert raw[3, 0] == pytest.approx(np.log1p(99.0))


def test_preprocessor_names_missing_columns() -> None:
    frame = pd.DataFrame({"user_id": ["a", "b"], "events": [1.0, 2.0]})
    with pytest.raises(DataError, match="monetary"):
        Preprocessor(SegmentConfig(features=("events", "monetary"))).fit(frame)
    with pytest.raises(DataError, match="matches"):
        Preprocessor(SegmentConfig(features=("emb_*",))).fit(frame)


def _profile_frame() -> tuple[pd.DataFrame, np.ndarray, list[dict[str, str]]]:
    n = 40
    seg = np.array([0] * 20 + [1] * 20)
    frame = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(n)],
            "monetary": np.where(seg == 0, 1000.0, 100.0),
            "frequency": np.where(seg == 0, 5, 1),
            "events": np.where(seg == 0, 20, 10),
            "days_since_active": np.full(n, 10.0),
            "share_knowledge": np.where(seg == 0, 0.9, 0.1),
            "share_fashion": np.where(seg == 0, 0.1, 0.9),
            "cat_finance": np.where(seg == 0, 0.8, 0.0),
            "cat_dresses": np.where(seg == 0, 0.0, 0.7),
            "tod_morning": np.where(seg == 0, 0.9, 0.1),
            "tod_evening": np.where(seg == 0, 0.1, 0.9),
            "price_index_view": np.where(seg == 0, 0.0, -0.6),
            "rfm_group": np.where(seg == 0, "Champions", "Hibernating"),
        }
    )
    columns = [
        {"name": "share_knowledge", "domain": "knowledge", "label": "knowledge"},
        {"name": "share_fashion", "domain": "fashion", "label": "fashion"},
        {"name": "cat_finance", "family": "preferences", "domain": "knowledge", "label": "finance"},
        {"name": "cat_dresses", "family": "preferences", "domain": "fashion", "label": "dresses"},
    ]  # fmt: skip
    return frame, seg, columns


def test_profiles_lift_and_names_follow_the_data() -> None:
    frame, seg, columns = _profile_frame()
    p0, p1 = build_profiles(frame, seg, columns, heatmap_columns=["monetary", "events"])
    assert p0["size"] == 20 and p0["share"] == 0.5
    assert p0["lift"]["monetary"] == pytest.approx(1000 / 550, abs=1e-3)
    assert p0["spend"]["monetary_lift"] == pytest.approx(1000 / 550, abs=1e-3)
    assert p0["z"]["monetary"] == pytest.approx(1.0)
    assert p0["domains"]["knowledge"]["activity_share"] == pytest.approx(0.9)
    assert p0["top_categories"]["knowledge"][0]["category"] == "finance"
    assert p0["rfm_groups"] == {"Champions": 1.0}
    # Spend lift 1.8 -> high-spend; the finance lift and knowledge focus -> learners.
    assert p0["name_en"] == "High-spend finance learners"
    assert p0["name_zh"] == "高消费理财学习者"
    # Cheaper items than average and a fashion focus on dresses.
    assert p1["name_en"] == "Budget dresses shoppers"
    assert p1["name_zh"] == "精打细算的连衣裙购物者"
    assert "50% of users" in p0["description_en"] and "morning" in p0["description_en"]
    assert p1["description_zh"].startswith("占用户50%")
