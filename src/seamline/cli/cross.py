"""`seamline evaluate-cross`: the cold-start transfer protocol on the workspace's events."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, emit, one_line_errors, out
from seamline.workspace import DEFAULT_WORKSPACE, Workspace


def _table(r: dict[str, Any]) -> None:
    k = r["k"]
    seeds = r["seeds"]
    t = Table(
        title=f"cold start {r['source']} -> {r['target']}: {r['users']:,} of "
        f"{r['shared_users']:,} shared users per seed, seeds {seeds}"
    )
    for h in ("model", f"ndcg@{k}", "± se", "spread", f"recall@{k}", "× popular", "fit s"):
        t.add_column(h, justify="left" if h == "model" else "right")
    for row in r["results"]:
        if "error" in row:
            t.add_row(row["model"], f"[red]failed: {row['error']}[/red]")
            continue
        t.add_row(
            row["model"],
            f"{row[f'ndcg@{k}']:.4f}",
            f"{row[f'ndcg@{k}_se']:.4f}",
            f"{row[f'ndcg@{k}_spread']:.4f}",
            f"{row[f'recall@{k}']:.4f}",
            f"{row['vs_popular']:.2f}" if "vs_popular" in row else "—",
            f"{row['fit_s']:.2f}",
        )
    out.print(t)


app = typer.Typer()


@app.command("evaluate-cross")
@one_line_errors
def evaluate_cross(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    source: Annotated[str, typer.Option(help="Domain whose history is kept.")] = "knowledge",
    target: Annotated[str, typer.Option(help="Domain hidden for the cold users.")] = "fashion",
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="List length.")] = 10,
    seed: Annotated[int, typer.Option(min=0, help="First seed of the cold-user draw.")] = 0,
    seeds: Annotated[
        int, typer.Option(min=1, help="Number of seeds (seed, seed+1, ...): mean and spread.")
    ] = 5,
    models: Annotated[
        str | None, typer.Option(help="Comma-separated models (default: every baseline).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hide the target-domain events of 20% of the users active in both domains, train on
    the rest, and rank the target domain's items for those users."""
    from seamline.evaluate.cross import evaluate_cross as run
    from seamline.evaluate.cross import load_events

    ws = Workspace(workspace)
    names = None if models is None else [m.strip() for m in models.split(",") if m.strip()]
    events = load_events(ws, source, target)
    result = run(events, source, target, k=k, seeds=range(seed, seed + seeds), models=names)
    emit(result.to_dict(), as_json, _table)
