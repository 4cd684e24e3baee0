"""Honest offline evaluation of recommenders on a workspace's events.

1. The events are read in chronological order (timestamp, then ingest order) and reduced to
   (user, item) pairs (`events`, `splits`); users and items get dense indices in natural id
   order (numeric when every id is an integer), so ties in a ranking go to the lower id.
2. A temporal split holds out pairs; hyper-parameters are picked on a validation split
   carved from train only with the same splitter (`tuning`: by NDCG@k over the model's
   grid in `grids`, the first point wins ties); the chosen model is refit on the whole
   train part and evaluated once on test.
3. Models see only the train events (every event of a train pair, so event-type weights
   and time decay still apply). Each test user's ranking covers every item not in the
   user's train (for a domain split, every such item of that domain), see `metrics`.
4. Results go to the workspace tables `evaluation_runs` and `evaluation_results` (`repo`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.errors import ConfigError, DataError
from seamline.evaluate.config import EvaluationConfig
from seamline.evaluate.events import (
    EventLog,
    load_log,
    pair_split,
    sample_test_users,
    train_events,
)
from seamline.evaluate.grids import GRIDS
from seamline.evaluate.repo import latest_results, save_result
from seamline.evaluate.results import EvaluationResult, ModelResult
from seamline.evaluate.tuning import FitFn, Scorer, score_split, tune
from seamline.progress import Progress, step

if TYPE_CHECKING:
    from seamline.data.store import Store

# Callers import these from the runner (the module they lived in before the split).
__all__ = [
    "GRIDS", "EvaluationConfig", "EvaluationResult", "EventLog", "FitFn", "ModelResult",
    "Scorer", "evaluate", "evaluate_and_fit", "fit_best", "latest_results", "load_log",
    "pair_split", "save_result", "score_split", "seamline_fit",
]  # fmt: skip

log = logging.getLogger(__name__)


def seamline_fit(
    name: str,
    params: Mapping[str, Any],
    frame: pd.DataFrame,
    user_ids: Sequence[str],
    item_ids: Sequence[str],
) -> Scorer:
    """Fit registry model `name` on the train events with the given id order."""
    from seamline.data.dataset import IdMap, Interactions
    from seamline.recommend.registry import make

    model = make(name, **params)
    inter = Interactions.from_frame(
        frame, users=IdMap(list(user_ids)), items=IdMap(list(item_ids)), config=model.config.data
    )
    return model.fit(inter)


def default_models() -> list[str]:
    from seamline.recommend.registry import in_domain_models

    return in_domain_models()


def _check_models(models: list[str]) -> None:
    from seamline.recommend.registry import check_models

    check_models(models)


def evaluate(
    ws: Store,
    config: EvaluationConfig | Sequence[str] | str | None = None,
    *,
    fit: FitFn | None = None,
    save: bool = True,
    progress: Progress | None = None,
    **options: Any,
) -> EvaluationResult:
    """Evaluate the configured models on the workspace's events.

    `config` is an `EvaluationConfig`, or the models (registry names, or "all") with the
    other fields given as keywords (`split=`, `k=`, `domain=`, `tune=`, `grids=`, `frac=`,
    `max_test_users=`, `seed=`); keywords given with a config replace its fields.
    With `tune`, each model with more than one grid point is tuned on validation (without,
    each model uses its grid's first point). `max_test_users` measures on a seeded random
    sample of that many test users (validation and test alike; train is unchanged) to bound
    the cost on large workspaces; the standard errors reflect the sample. `fit` replaces the
    registry (any callable returning an object with `scores(user_rows)`).
    """
    if isinstance(config, EvaluationConfig):
        cfg = config.replace(**options) if options else config
    else:
        cfg = EvaluationConfig(models="all" if config is None else config, **options)
    split, k, domain, seed = cfg.split, cfg.k, cfg.domain, cfg.seed
    started = time.perf_counter()
    grids = dict(GRIDS if cfg.grids is None else cfg.grids)
    fit_fn = fit or seamline_fit
    models = cfg.model_names(default_models())
    if fit is None:
        _check_models(models)

    with step(progress, "reading events"):
        log_ = load_log(ws)
        sp_, pair_of_event = pair_split(log_, split, domain=domain, frac=cfg.frac)
        if len(sp_.test) == 0:
            raise DataError(
                f"the {split} split of workspace {ws.path} has no test pairs "
                "(every user needs at least two distinct items)"
            )
    candidates = None if domain is None else np.asarray(log_.item_domain == domain)
    train_frame = train_events(log_, sp_, pair_of_event)
    val = sp_.validation()
    if cfg.max_test_users is not None:
        sp_ = sample_test_users(sp_, cfg.max_test_users, seed)
        val = sample_test_users(val, cfg.max_test_users, seed)
    val_frame = train_events(log_, val, pair_of_event)
    results: list[ModelResult] = []
    with step(progress, "evaluating models", total=len(models)) as task:
        for name in models:
            grid = grids.get(name) or [{}]
            try:
                params: dict[str, Any] = dict(grid[0])
                tuning: list[dict[str, Any]] = []
                if cfg.tune and len(grid) > 1 and len(val.test):
                    ids = (log_.user_ids, log_.item_ids)
                    params, tuning = tune(
                        name, grid, fit_fn, val, val_frame, ids, k=k, candidates=candidates
                    )
                t0 = time.perf_counter()
                model = fit_fn(name, params, train_frame, log_.user_ids, log_.item_ids)
                fit_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                metrics = score_split(model, sp_, k=k, candidates=candidates)
                results.append(
                    ModelResult(name, dict(params), metrics, tuning, fit_s,
                                time.perf_counter() - t0)
                )  # fmt: skip
                log.info("%s: ndcg@%d=%.4f", name, k, metrics[f"ndcg@{k}"])
            except (ConfigError, DataError) as e:
                # One model failing (e.g. too little data for its settings) is reported
                # in its row; the others still run.
                results.append(ModelResult(name, dict(grid[0]), {}, error=str(e)))
            task.advance()
    result = EvaluationResult(split, k, domain, sp_.stats(), results)
    result.seconds = time.perf_counter() - started
    if save:
        result.run_id = save_result(ws, result)
    return result


def fit_best(
    ws: Store, result: EvaluationResult, progress: Progress | None = None
) -> dict[str, Any] | None:
    """Fit the evaluation's best model (by NDCG@k) on all the workspace's events with the
    parameters chosen on validation, save it and make it the workspace's default model."""
    from seamline.recommend.store import fit_models, set_default

    best = result.best()
    if best is None:
        return None
    summary = fit_models(ws, [best.model], progress, params={best.model: best.params})[0]
    set_default(ws, best.model)
    return {**summary, "params": best.params, f"ndcg@{result.k}": best.metrics[f"ndcg@{result.k}"]}


def evaluate_and_fit(
    ws: Store, config: EvaluationConfig, progress: Progress | None = None
) -> dict[str, Any]:
    """The main job's evaluation: every model over every item (tuned as configured), then
    each of `config.domains` alone (untuned), then the best model fitted on all events
    becomes the workspace default. Returns {best, split} (best: `fit_best`'s summary)."""
    result = evaluate(ws, config, progress=progress)
    for domain in config.domains:
        evaluate(ws, config.replace(domain=domain, tune=False), progress=progress)
    best = fit_best(ws, result, progress)
    return {"best": best, "split": result.split_stats}
