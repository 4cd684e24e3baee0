"""`seamline fit-ranker`: train the second stage (DeepFM, FM or LR) behind a saved model."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, bars, emit, one_line_errors, out
from seamline.errors import ConfigError
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

app = typer.Typer()


def _table(r: dict[str, Any]) -> None:
    t = Table(title=f"{r['ranker']} behind {r['retriever']} ({r['candidates']} candidates)")
    for h in ("rows", "positives", "epochs", "auc", "logloss", "ECE"):
        t.add_column(h, justify="right")
    m = r.get("metrics") or {}

    def num(key: str) -> str:
        return f"{m[key]:.4f}" if key in m else "—"

    ece = f"{m['calibration']['ece']:.4f}" if "calibration" in m else "—"
    t.add_row(f"{r['rows']:,}", f"{r['positives']:,}", str(r["training"]["epochs"]),
              num("auc"), num("logloss"), ece)  # fmt: skip
    out.print(t)
    out.print(f"saved to {r['path']}")


@app.command("fit-ranker")
@one_line_errors
def fit_ranker(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    ranker: Annotated[str, typer.Option(help="deepfm, fm or lr.")] = "deepfm",
    retriever: Annotated[
        str | None, typer.Option(help="Saved model giving the candidates (default: the default).")
    ] = None,
    candidates: Annotated[int, typer.Option(min=1, help="Candidates per user.")] = 300,
    epochs: Annotated[int | None, typer.Option(min=1, help="Most training epochs.")] = None,
    params: Annotated[
        str | None, typer.Option(help='Ranker parameters as JSON, e.g. {"embedding_dim": 8}.')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Train a ranker on the saved retriever's candidates; `recommend` and the service
    then re-rank with it."""
    from seamline.evaluate.ctr import ctr_metrics
    from seamline.recommend.rank import store

    try:
        given = json.loads(params) if params else {}
    except json.JSONDecodeError as e:
        raise ConfigError(f"--params is not JSON: {e}") from None
    if not isinstance(given, dict):
        raise ConfigError("--params must be a JSON object of ranker parameters")
    if epochs is not None:
        given["max_epochs"] = epochs
    with bars(as_json) as progress:
        r = store.fit_ranker(Workspace(workspace), ranker, retriever, candidates, given,
                             measure=ctr_metrics, progress=progress)  # fmt: skip
    emit(r, as_json, _table)
