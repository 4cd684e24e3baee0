"""Transfer models: registry API, cold users served from the source domain, the blend's
trust in the source chosen on validation, save/load without pickles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError
from seamline.evaluate.cross import evaluate_cross
from seamline.recommend.persist import save
from seamline.recommend.registry import load_model, make
from seamline.recommend.transfer.validate import simplex

TRANSFER = ("xitem", "emcdr", "transfer")


def _cold_world(frame: pd.DataFrame) -> tuple[Interactions, str]:
    """The frame without the fashion events of u0 (a learner who never bought clothes)."""
    keep = ~((frame["user_id"] == "u0") & (frame["domain"] == "fashion"))
    return Interactions.from_frame(frame.loc[keep]), "u0"


@pytest.mark.parametrize("name", [*TRANSFER, "content"])
def test_a_cold_user_gets_target_items(name: str, two_domain_frame: pd.DataFrame) -> None:
    data, user = _cold_world(two_domain_frame)
    model = make(name).fit(data)
    (recs,) = model.recommend([user], k=5, domain="fashion")
    assert len(recs) == 5 and all(r.item_id.startswith("cloth-") for r in recs)
    assert np.isfinite([r.score for r in recs]).all()


@pytest.mark.parametrize("name", TRANSFER)
def test_because_names_the_source_items_that_carried_interest(
    name: str, two_domain_frame: pd.DataFrame
) -> None:
    data, user = _cold_world(two_domain_frame)
    model = make(name).fit(data)
    (recs,) = model.recommend([user], k=3, domain="fashion")
    own = set(two_domain_frame.loc[two_domain_frame["user_id"] == user, "item_id"])
    for r in recs:
        assert r.because and set(r.because) <= own
        assert all(b.startswith("course-") for b in r.because)


def test_transfer_methods_beat_popularity_where_the_source_predicts(
    two_domain_frame: pd.DataFrame,
) -> None:
    r = evaluate_cross(
        two_domain_frame, "knowledge", "fashion", seeds=[0], models=["popular", *TRANSFER]
    ).to_dict()
    got = {x["model"]: x["ndcg@10"] for x in r["results"]}
    for name in TRANSFER:
        assert got[name] > 1.5 * got["popular"], got


def test_the_blend_trusts_the_source_only_when_it_helps(two_domain_frame: pd.DataFrame) -> None:
    data, _ = _cold_world(two_domain_frame)
    informed = make("transfer").fit(data)
    assert informed.weights_["fashion"][0] < 1  # not pure popularity
    # courses taken at random, clothes by a steep popularity of their own: the source
    # says nothing about the target, and the blend should fall back on popularity
    rng = np.random.default_rng(1)
    rows = [(f"u{u}", f"course-{c}", "knowledge") for u in range(300)
            for c in rng.choice(40, 5, replace=False)]  # fmt: skip
    zipf = 1.0 / np.arange(1, 41) ** 1.2
    rows += [(f"u{u}", f"cloth-{c}", "fashion") for u in range(1, 300)
             for c in rng.choice(40, 4, replace=False, p=zipf / zipf.sum())]  # fmt: skip
    noise = pd.DataFrame(rows, columns=["user_id", "item_id", "domain"]).assign(event_type="view")
    data = Interactions.from_frame(noise)
    blind = make("transfer").fit(data)
    w = dict(zip(blind.component_names, blind.weights_["fashion"], strict=True))
    info = blind.validation_["fashion"]
    assert w["popular"] >= 0.5 and info["ndcg@10"] >= info["popular_ndcg@10"], info
    assert 0 <= info["ndcg@10"] <= 1  # each item counts once however many pools hold it
    (recs,) = blind.recommend(["u0"], k=5, domain="fashion")
    (pop,) = make("mostpop").fit(data).recommend(["u0"], k=5, domain="fashion")
    assert [r.item_id for r in recs] == [r.item_id for r in pop]


def test_the_weight_grid_starts_at_pure_popularity() -> None:
    grid = simplex(3, 0.5)
    assert grid[0].tolist() == [1.0, 0.0, 0.0]
    assert len(grid) == 6 and all(abs(w.sum() - 1) < 1e-12 for w in grid)


@pytest.mark.parametrize("name", [*TRANSFER, "content"])
def test_save_and_load_give_the_same_recommendations(
    name: str, two_domain_frame: pd.DataFrame, tmp_path: Path
) -> None:
    data, user = _cold_world(two_domain_frame)
    model = make(name).fit(data)
    save(model, tmp_path / name)
    again = load_model(tmp_path / name)
    assert type(again) is type(model)
    a = model.recommend([user, "u1"], k=5, domain="fashion")
    b = again.recommend([user, "u1"], k=5, domain="fashion")
    assert [[(r.item_id, r.because) for r in x] for x in a] == [
        [(r.item_id, r.because) for r in x] for x in b
    ]
    np.testing.assert_allclose(
        [r.score for r in a[0]], [r.score for r in b[0]], rtol=1e-5, atol=1e-6
    )


def test_emcdr_mlp_map_and_bad_config(two_domain_frame: pd.DataFrame, tmp_path: Path) -> None:
    data, user = _cold_world(two_domain_frame)
    model = make("emcdr", mapping="mlp", iterations=50, hidden=16).fit(data)
    (recs,) = model.recommend([user], k=3, domain="fashion")
    assert len(recs) == 3
    save(model, tmp_path / "m")
    (again,) = load_model(tmp_path / "m").recommend([user], k=3, domain="fashion")
    assert [r.item_id for r in again] == [r.item_id for r in recs]
    with pytest.raises(ConfigError, match="mapping"):
        make("emcdr", mapping="linear")
