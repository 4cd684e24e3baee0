"""The project's evaluation gives the peer benchmark's numbers for the same model and split.

Reads MovieLens 100K from ../shared/data and the benchmark from ../shared/bench/peers.py;
skips (saying which) when either is absent.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from threadpoolctl import threadpool_limits

from _support.reference import reference_fit
from _support.shared import SHARED
from _support.shared import ml100k as _ml100k
from seamline.evaluate.runner import evaluate, load_log, pair_split
from seamline.workspace import Workspace

pytestmark = pytest.mark.integration


def _peers() -> ModuleType:
    path = SHARED / "bench" / "peers.py"
    if not path.exists():
        pytest.skip(f"{path} not found: the peer benchmark is not beside the project")
    spec = importlib.util.spec_from_file_location("peers_bench", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def ml_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("ml") / "ws")
    ws.ingest_dataset("movielens-100k", _ml100k())
    return ws


@pytest.mark.parametrize("kind", ["loo", "global"])
def test_same_split_as_the_peer_benchmark(ml_ws: Workspace, kind: str) -> None:
    peers = _peers()
    data = peers.Data(str(_ml100k()))
    theirs = peers.Split(data.u, data.i, data.n_users, data.n_items, kind)
    ours, _ = pair_split(load_log(ml_ws), kind)
    assert ours.stats()["fingerprint"] == theirs.stats()["fingerprint"]
    assert ours.validation().stats()["fingerprint"] == theirs.validation().stats()["fingerprint"]


@pytest.mark.parametrize(("model", "params"), [("mostpop", {}), ("ease", {"lambda": 100.0})])
def test_same_metrics_as_the_peer_benchmark(ml_ws: Workspace, model: str, params: dict) -> None:
    peers = _peers()
    data = peers.Data(str(_ml100k()))
    sp_ = peers.Split(data.u, data.i, data.n_users, data.n_items, "loo")
    fit = peers.fit_mostpop if model == "mostpop" else peers.fit_ease
    theirs = peers.evaluate(fit(sp_.X, params), sp_.X, sp_.te_u, sp_.te_i)
    ours = (
        evaluate(ml_ws, [model], grids={model: [params]}, fit=reference_fit, save=False)
        .results[0]
        .metrics
    )
    for key in ("ndcg@10", "recall@10", "coverage@10", "ndcg@10_se"):
        assert ours[key] == pytest.approx(theirs[key], abs=1e-12), key
    assert ours["hit_rate@10"] == pytest.approx(theirs["hitrate@10"], abs=1e-12)


# peers.py's own ALS imports implicit inside the call; implicit then warns about the
# BLAS pool size it sees, which does not change its results.
@pytest.mark.filterwarnings("ignore:OpenBLAS is configured:RuntimeWarning")
@pytest.mark.parametrize(
    ("model", "params", "peer", "peer_params"),
    [
        ("mostpop", {}, "fit_mostpop", {}),
        ("ease", {"l2": 100.0}, "fit_ease", {"lambda": 100.0}),
        ("als", {"regularization": 10.0, "alpha": 1.0}, "fit_als",
         {"regularization": 10.0, "alpha": 1.0}),
    ],
)  # fmt: skip
def test_registry_models_match_the_peers(
    ml_ws: Workspace, model: str, params: dict, peer: str, peer_params: dict
) -> None:
    """Seamline's own models, fit through the registry on the workspace, score exactly as
    the benchmark's implementations of the same model on the same split."""
    peers = _peers()
    data = peers.Data(str(_ml100k()))
    sp_ = peers.Split(data.u, data.i, data.n_users, data.n_items, "loo")
    with threadpool_limits(1, "blas"):  # as peers.py runs implicit (its own advice)
        fitted = getattr(peers, peer)(sp_.X, peer_params)
    theirs = peers.evaluate(fitted, sp_.X, sp_.te_u, sp_.te_i)
    ours = evaluate(ml_ws, [model], grids={model: [params]}, save=False).results[0]
    assert ours.error is None, ours.error
    for key in ("ndcg@10", "recall@10", "coverage@10"):
        assert ours.metrics[key] == pytest.approx(theirs[key], abs=1e-9), key
