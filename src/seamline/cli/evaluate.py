"""`seamline evaluate`: offline quality of the recommenders on the workspace's events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, bars, emit, one_line_errors, out
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

COLUMNS = ("ndcg", "recall", "precision", "f1", "map", "hit_rate", "coverage")
HEADERS = ("ndcg", "recall", "prec", "f1", "map", "hit", "cover")


def _table(r: dict[str, Any]) -> None:
    k = r["k"]
    where = f", domain {r['domain']}" if r["domain"] else ""
    t = Table(title=f"evaluation: {r['split']} split, metrics @{k}{where}")
    t.add_column("model", no_wrap=True)
    for h in HEADERS:
        t.add_column(h, justify="right")
    for row in r["results"]:
        if row.get("error"):
            t.add_row(row["model"], f"[red]failed: {row['error']}[/red]")
            continue
        cells = ["—" if row.get(f"{c}@{k}") is None else f"{row[f'{c}@{k}']:.4f}" for c in COLUMNS]
        t.add_row(row["model"], *cells)
    out.print(t)
    s = r["split_stats"]
    out.print(f"{s['test_users']:,} test users, {s['train_pairs']:,} train pairs")
    for row in r["results"]:
        if not row.get("error"):
            se = row[f"ndcg@{k}_se"]
            out.print(
                f"{row['model']}: ndcg@{k} ± {1.96 * se:.4f} (95%), fit {row['fit_s']:.2f} s, "
                f"params {row['params']}"
            )


app = typer.Typer()


@app.command()
@one_line_errors
def evaluate(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    models: Annotated[str, typer.Option(help="Comma-separated model names, or 'all'.")] = "all",
    split: Annotated[
        str, typer.Option(help="loo (temporal leave-last-one-out) or global (80/20).")
    ] = "loo",
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="List length.")] = 10,
    domain: Annotated[str | None, typer.Option(help="Evaluate on one domain's items only.")] = None,
    tune: Annotated[bool, typer.Option(help="Tune hyper-parameters on a validation split.")] = True,
    max_users: Annotated[
        int | None,
        typer.Option("--max-users", min=1, help="Measure on a seeded sample of test users."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank every unseen item for each test user and report top-k metrics per model."""
    from seamline.evaluate.runner import evaluate as run_evaluation

    with bars(as_json) as progress:
        result = run_evaluation(
            Workspace(workspace), models, split=split, k=k, domain=domain, tune=tune,
            max_test_users=max_users, progress=progress,
        )  # fmt: skip
    emit(result.to_dict(), as_json, _table)


def _ctr_table(r: dict[str, Any]) -> None:
    t = Table(
        title=f"CTR: {r['model']} on {r['dataset']} ({r['n_train']:,} / {r['n_test']:,} rows)"
    )
    for h in ("auc", "logloss", "prior logloss", "train s", "epochs"):
        t.add_column(h, justify="right")
    t.add_row(
        f"{r['auc']:.4f}", f"{r['logloss']:.4f}", f"{r['prior_logloss']:.4f}",
        f"{r['train_seconds']:.1f}", f"{r['epochs']} (best {r['best_epoch']})",
    )  # fmt: skip
    out.print(t)
    c = Table(title=f"calibration (ECE {r['calibration']['ece']:.4f})")
    for h in ("bin", "rows", "predicted", "observed"):
        c.add_column(h, justify="right")
    for b in r["calibration"]["bins"]:
        if b["count"]:
            c.add_row(f"{b['lo']:.1f}-{b['hi']:.1f}", f"{b['count']:,}",
                      f"{b['predicted']:.3f}", f"{b['observed']:.3f}")  # fmt: skip
    out.print(c)


@app.command("evaluate-ctr")
@one_line_errors
def evaluate_ctr(
    path: Annotated[
        Path | None, typer.Argument(help="Dataset folder (default: the shared data folder).")
    ] = None,
    dataset: Annotated[str, typer.Option(help="CTR task: movielens-100k.")] = "movielens-100k",
    model: Annotated[str, typer.Option(help="Ranker: deepfm, fm or lr.")] = "deepfm",
    epochs: Annotated[
        int | None, typer.Option(min=1, help="Most training epochs (early stopping decides).")
    ] = None,
    device: Annotated[str, typer.Option(help="auto (a GPU when present), cpu or cuda.")] = "auto",
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for training.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Train a ranker on a public CTR task and report AUC, logloss and calibration."""
    from seamline.data.datasets import default_path
    from seamline.evaluate.ctr_task import load_ctr_task, run_ctr

    task = load_ctr_task(dataset, path if path is not None else default_path(dataset))
    params: dict[str, Any] = {"device": device, "threads": threads}
    if epochs is not None:
        params["max_epochs"] = epochs
    emit(run_ctr(task, model, **params), as_json, _ctr_table)
