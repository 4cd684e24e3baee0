"""`seamline evaluate`: offline quality of the recommenders on the workspace's events."""

from __future__ import annotations

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
