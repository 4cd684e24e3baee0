"""Honest offline evaluation of recommenders on a workspace's events.

1. The events are read in chronological order (timestamp, then ingest order) and reduced to
   (user, item) pairs (`splits`); users and items get dense indices in natural id order
   (numeric when every id is an integer), so ties in a ranking go to the lower id.
2. A temporal split holds out pairs; hyper-parameters are picked on a validation split
   carved from train only with the same splitter (by NDCG@k; the first grid point wins
   ties); the chosen model is refit on the whole train part and evaluated once on test.
3. Models see only the train events (every event of a train pair, so event-type weights
   and time decay still apply). Each test user's ranking covers every item not in the
   user's train (for a domain split, every such item of that domain), see `metrics`.
4. Results go to the workspace tables `evaluation_runs` and `evaluation_results`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.data.columns import DOMAINS
from seamline.errors import ConfigError, DataError
from seamline.evaluate.config import EvaluationConfig
from seamline.evaluate.grids import GRIDS
from seamline.evaluate.metrics import evaluate_ranking
from seamline.evaluate.splits import Split, last_per_pair, make_split
from seamline.progress import Progress, step

if TYPE_CHECKING:
    from seamline.workspace import Workspace

log = logging.getLogger(__name__)

Ints = npt.NDArray[np.int64]

EVENT_FIELDS = ("user_id", "item_id", "domain", "event_type", "timestamp", "value", "rating")

DDL = (
    """CREATE TABLE IF NOT EXISTS evaluation_runs (
        run_id INTEGER PRIMARY KEY, created_at TIMESTAMPTZ, split VARCHAR, k INTEGER,
        domain VARCHAR, split_stats JSON, seconds DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS evaluation_results (
        run_id INTEGER, model VARCHAR, params JSON, metrics JSON, tuning JSON,
        fit_s DOUBLE, eval_s DOUBLE)""",
)


class Scorer(Protocol):
    """What evaluation needs from a fitted model: dense scores for internal user rows."""

    def scores(self, user_rows: Ints) -> npt.NDArray[np.floating[Any]]: ...


# fit(model name, params, train events, user ids, item ids) -> fitted model. The frame has
# canonical event columns; user and item ids fix the row / column order of the scores.
FitFn = Callable[[str, Mapping[str, Any], pd.DataFrame, Sequence[str], Sequence[str]], Scorer]


@dataclass(frozen=True)
class EventLog:
    """A workspace's events in chronological order with dense user and item indices."""

    frame: pd.DataFrame  # canonical columns, chronological
    user_ids: list[str]
    item_ids: list[str]
    item_domain: npt.NDArray[np.object_]  # domain of each item (of its first event)
    u: Ints  # per event
    i: Ints

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)


def _natural_order(ids: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Unique ids, numerically sorted when all are integers (MovieLens), else as text."""
    uniq = np.asarray(pd.unique(pd.Series(ids, dtype=object)), dtype=object)
    try:
        nums = np.array([int(x) for x in uniq], dtype=np.int64)
    except (TypeError, ValueError):
        return np.asarray(np.sort(uniq.astype(str)), dtype=object)
    return np.asarray(uniq[np.argsort(nums, kind="stable")], dtype=object)


def load_log(ws: Workspace | None, *, frame: pd.DataFrame | None = None) -> EventLog:
    """The workspace's events (or `frame`, already chronological) as an `EventLog`."""
    if frame is None:
        if ws is None:
            raise ConfigError("load_log needs a workspace or a frame of events")
        with ws.connect(read_only=True) as con:
            cols = ", ".join(f'"{c}"' for c in EVENT_FIELDS)
            frame = con.execute(
                f"SELECT {cols} FROM events ORDER BY timestamp, ingest_id, rowid"
            ).df()
    if frame.empty:
        where = f"workspace {ws.path}" if ws is not None else "the frame"
        raise DataError(
            f"{where} holds no events: ingest events before evaluating "
            "(seamline ingest --events FILE or --dataset NAME)"
        )
    frame = frame.reset_index(drop=True)
    frame["user_id"] = frame["user_id"].astype(str)
    frame["item_id"] = frame["item_id"].astype(str)
    users = _natural_order(frame["user_id"].to_numpy(dtype=object))
    items = _natural_order(frame["item_id"].to_numpy(dtype=object))
    u = pd.Index(users).get_indexer(pd.Index(frame["user_id"])).astype(np.int64)
    i = pd.Index(items).get_indexer(pd.Index(frame["item_id"])).astype(np.int64)
    first = np.full(len(items), -1, dtype=np.int64)
    rev = np.arange(len(i) - 1, -1, -1)
    first[i[rev]] = rev  # the last write wins: the earliest event of each item
    item_domain = frame["domain"].to_numpy(dtype=object)[first]
    return EventLog(frame, [str(x) for x in users], [str(x) for x in items], item_domain, u, i)


@dataclass
class ModelResult:
    model: str
    params: dict[str, Any]
    metrics: dict[str, float]
    tuning: list[dict[str, Any]] = field(default_factory=list)
    fit_s: float = 0.0
    eval_s: float = 0.0
    error: str | None = None


@dataclass
class EvaluationResult:
    split: str
    k: int
    domain: str | None
    split_stats: dict[str, Any]
    results: list[ModelResult]
    run_id: int | None = None
    seconds: float = 0.0

    def best(self) -> ModelResult | None:
        ok = [r for r in self.results if r.error is None]
        return max(ok, key=lambda r: r.metrics[f"ndcg@{self.k}"]) if ok else None

    def to_dict(self) -> dict[str, Any]:
        """{split, k, domain, split_stats, results: [{model, <metric>@k, ..., params}]}."""
        rows = []
        for r in self.results:
            row: dict[str, Any] = {"model": r.model, **r.metrics, "params": r.params}
            row.update(fit_s=r.fit_s, eval_s=r.eval_s)
            if r.tuning:
                row["tuning"] = r.tuning
            if r.error:
                row["error"] = r.error
            rows.append(row)
        return {
            "split": self.split,
            "k": self.k,
            "domain": self.domain,
            "run_id": self.run_id,
            "split_stats": self.split_stats,
            "seconds": self.seconds,
            "results": rows,
        }


def pair_split(
    log_: EventLog, kind: str, *, domain: str | None = None, frac: float = 0.8
) -> tuple[Split, Ints]:
    """The split of the log's (user, item) pairs and each event's pair position."""
    if domain is not None and domain not in DOMAINS:
        raise ConfigError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
    pair_of_event, last = last_per_pair(log_.u, log_.i, log_.n_items)
    pu, pi = log_.u[last], log_.i[last]
    target = None if domain is None else (log_.item_domain[pi] == domain)
    if target is not None and not target.any():
        raise DataError(f"no events in domain {domain!r} to evaluate on")
    split = make_split(kind, pu, pi, log_.n_users, log_.n_items, frac=frac, target=target)
    return split, pair_of_event


def _sample_test_users(split: Split, n: int, seed: int) -> Split:
    """The split with its test pairs restricted to a seeded sample of `n` test users."""
    users = np.unique(split.users[split.test])
    if len(users) <= n:
        return split
    keep = np.random.default_rng(seed).choice(users, size=n, replace=False)
    test = split.test[np.isin(split.users[split.test], keep)]
    info = {**split.info, "test_users_sampled_from": len(users)}
    return replace(split, test=test, info=info)


def _train_events(log_: EventLog, split: Split, pair_of_event: Ints) -> pd.DataFrame:
    in_train = np.zeros(len(split.users), dtype=bool)
    in_train[split.train] = True
    return log_.frame.loc[in_train[pair_of_event]].reset_index(drop=True)


def _train_matrix(split: Split) -> Any:
    import scipy.sparse as sp

    tr = split.train
    return sp.csr_matrix(
        (np.ones(len(tr)), (split.users[tr], split.items[tr])),
        shape=(split.n_users, split.n_items),
    )


def score_split(
    model: Scorer,
    split: Split,
    *,
    k: int,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> dict[str, float]:
    """Metrics of a fitted model on `split`'s test pairs (full ranking, train excluded)."""
    X = _train_matrix(split)
    return evaluate_ranking(
        lambda rows: model.scores(rows), X, split.test_users, split.test_items, k=k,
        candidates=candidates,
    )  # fmt: skip


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
    from seamline.recommend.registry import MODELS

    return list(MODELS)


def _check_models(models: list[str]) -> None:
    from seamline.recommend.registry import check_models

    check_models(models)


def evaluate(
    ws: Workspace,
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
    train_frame = _train_events(log_, sp_, pair_of_event)
    val = sp_.validation()
    if cfg.max_test_users is not None:
        sp_ = _sample_test_users(sp_, cfg.max_test_users, seed)
        val = _sample_test_users(val, cfg.max_test_users, seed)
    val_frame = _train_events(log_, val, pair_of_event)
    results: list[ModelResult] = []
    with step(progress, "evaluating models", total=len(models)) as task:
        for name in models:
            grid = grids.get(name) or [{}]
            try:
                params: dict[str, Any] = dict(grid[0])
                tuning: list[dict[str, Any]] = []
                if cfg.tune and len(grid) > 1 and len(val.test):
                    for p in grid:
                        t0 = time.perf_counter()
                        m = fit_fn(name, p, val_frame, log_.user_ids, log_.item_ids)
                        fs = time.perf_counter() - t0
                        vm = score_split(m, val, k=k, candidates=candidates)
                        tuning.append({"params": p, "fit_s": fs, f"val_ndcg@{k}": vm[f"ndcg@{k}"]})
                    best = max(range(len(tuning)), key=lambda j: (tuning[j][f"val_ndcg@{k}"], -j))
                    params = dict(grid[best])
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


def save_result(ws: Workspace, result: EvaluationResult) -> int:
    """Store a result in `evaluation_runs` / `evaluation_results`; returns its run id."""
    with ws.connect() as con:
        for stmt in DDL:
            con.execute(stmt)
        row = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM evaluation_runs").fetchone()
        run_id = int(row[0]) if row else 1
        con.execute(
            "INSERT INTO evaluation_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                run_id, datetime.now(UTC), result.split, result.k, result.domain,
                json.dumps(result.split_stats), result.seconds,
            ],
        )  # fmt: skip
        for r in result.results:
            d = asdict(r)
            con.execute(
                "INSERT INTO evaluation_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, r.model, json.dumps(d["params"], default=str),
                    json.dumps({**d["metrics"], **({"error": r.error} if r.error else {})}),
                    json.dumps(d["tuning"], default=str), r.fit_s, r.eval_s,
                ],
            )  # fmt: skip
    return run_id


def latest_results(ws: Workspace) -> list[dict[str, Any]]:
    """The most recent stored run per (split, k, domain), newest first, as dicts."""
    with ws.connect(read_only=True) as con:
        have = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'evaluation_runs'"
        ).fetchone()
        if not have or not have[0]:
            return []
        runs = con.execute(
            "SELECT run_id, split, k, domain, split_stats, created_at FROM ("
            "  SELECT *, row_number() OVER (PARTITION BY split, k, domain "
            "    ORDER BY run_id DESC) AS n FROM evaluation_runs) WHERE n = 1 "
            "ORDER BY run_id DESC"
        ).fetchall()
        out = []
        for run_id, split, k, domain, stats, created in runs:
            rows = con.execute(
                "SELECT model, params, metrics, fit_s, eval_s FROM evaluation_results "
                "WHERE run_id = ? ORDER BY rowid",
                [run_id],
            ).fetchall()
            out.append(
                {
                    "run_id": run_id, "split": split, "k": k, "domain": domain,
                    "split_stats": json.loads(stats), "created_at": created,
                    "results": [
                        {"model": m, "params": json.loads(p), **json.loads(mt),
                         "fit_s": f, "eval_s": e}
                        for m, p, mt, f, e in rows
                    ],
                }
            )  # fmt: skip
    return out


def fit_best(
    ws: Workspace, result: EvaluationResult, progress: Progress | None = None
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
    ws: Workspace, config: EvaluationConfig, progress: Progress | None = None
) -> dict[str, Any]:
    """The main job's evaluation: every model over every item (tuned as configured), then
    each of `config.domains` alone (untuned), then the best model fitted on all events
    becomes the workspace default. Returns {best, split} (best: `fit_best`'s summary)."""
    result = evaluate(ws, config, progress=progress)
    for domain in config.domains:
        evaluate(ws, config.replace(domain=domain, tune=False), progress=progress)
    best = fit_best(ws, result, progress)
    return {"best": best, "split": result.split_stats}
