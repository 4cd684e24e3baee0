"""`seamline run`, `seamline report` and `seamline synth`: the main job and its outputs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from seamline.cli.common import (
    JsonOpt,
    MasterOpt,
    WaitOpt,
    WorkspaceOpt,
    bars,
    emit,
    engine_config,
    one_line_errors,
    out,
)
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

if TYPE_CHECKING:
    from seamline.pipeline import RunResult

app = typer.Typer()


@app.command()
@one_line_errors
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the world into.")],
    users: Annotated[int, typer.Option(min=10, help="Number of users.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    events_per_user: Annotated[float, typer.Option(help="Mean events per user.")] = 10.0,
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic two-domain world with known answers (truth/)."""
    from dataclasses import asdict

    from seamline.data.synthetic import generate_world

    with bars(as_json) as progress:
        world = generate_world(
            users, seed, out_dir, events_per_user=events_per_user, progress=progress
        )
    emit(
        asdict(world),
        as_json,
        lambda w: out.print(
            f"{w['users']:,} users, {w['items']:,} items, {w['events']:,} events -> {out_dir}"
        ),
    )


@app.command()
@one_line_errors
def report(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    output: Annotated[Path | None, typer.Option("--out")] = None,
    wait: WaitOpt = None,
) -> None:
    """Write the HTML report of the workspace."""
    from seamline.pipeline import write_report

    out.print(str(write_report(Workspace(workspace, wait=wait), output)))


def _overrides(users: int | None, seed: int | None, data: Path | None) -> dict[str, Any]:
    """The old flags as config overrides: `--seed` reseeds the world and every stage."""
    over: dict[str, Any] = {}
    if users is not None:
        over.setdefault("synthetic", {})["users"] = users
    if seed is not None:
        over["seed"] = seed
        over.setdefault("synthetic", {})["seed"] = seed
    if data is not None:
        over["data_dir"] = data
    return over


@app.command()
@one_line_errors
def run(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Pipeline config (YAML); see --print-config."),
    ] = None,
    print_config: Annotated[
        bool, typer.Option("--print-config", help="Print the config as YAML and stop.")
    ] = False,
    users: Annotated[
        int | None, typer.Option(min=10, help="Synthetic world size (default 20000).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="Random seed of the world and every stage (default 42)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="Folder with your events/items/users.csv instead of a synthetic world."),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", help="duckdb or spark (seamline[spark]): where SQL stages and ALS run."
        ),
    ] = None,
    master: MasterOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The main job: make a synthetic world (or take --data), ingest, run every stage, report.

    --users, --seed and --data override the same settings of --config."""
    from seamline.pipeline import build_config, load_config, to_yaml
    from seamline.pipeline import run as run_pipeline

    over = _overrides(users, seed, data)
    if engine is not None or master is not None:
        over["engine"] = engine_config(engine or "duckdb", master).model_dump(exclude_unset=True)
    cfg = load_config(config, over) if config is not None else build_config({}, over)
    if print_config:
        typer.echo(to_yaml(cfg), nl=False)
        return
    with bars(as_json) as progress:
        result = run_pipeline(Workspace(workspace), cfg, progress)
    emit(result.to_dict() if as_json else result, as_json, _say)


def _say(result: RunResult) -> None:
    for line in result.summary():
        out.print(line, soft_wrap=True, highlight=False)  # paths stay on one line
