"""`seamline` command: parses arguments, calls the library, prints a table or JSON."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline import __version__
from seamline.cli import (
    ab,
    campaign,
    cross,
    evaluate,
    pipeline,
    privacy,
    rank,
    recommend,
    segment,
    serve,
    uplift,
)
from seamline.cli.common import (
    EngineOpt,
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
from seamline.data.datasets import default_path
from seamline.errors import ConfigError
from seamline.workspace import DEFAULT_WORKSPACE, WAIT_ENV, Workspace

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Seamline: cross-domain marketing between knowledge and fashion.",
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            min=0,
            help="Seconds any command waits while another seamline process holds the "
            "workspace (sets SEAMLINE_WAIT).",
        ),
    ] = None,
) -> None:
    if wait is not None:  # every command's Workspace reads it, whichever module it lives in
        os.environ[WAIT_ENV] = repr(wait)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


def _ingest_table(s: dict[str, Any]) -> None:
    t = Table(title="ingest")
    for c in ("file", "table", "rows", "accepted", "rejected", "duplicates", "updated"):
        t.add_column(c, justify="left" if c in ("file", "table") else "right")
    for p in s["files"]:
        t.add_row(
            p["file"],
            p["table"],
            *(f"{p[c]:,}" for c in ("rows", "accepted", "rejected", "duplicates", "updated")),
        )
    out.print(t)
    if s["rejected_by_reason"]:
        out.print(
            "rejected by reason: "
            + ", ".join(f"{k} {v:,}" for k, v in s["rejected_by_reason"].items())
        )
    if s["bot_users_flagged"]:
        out.print(f"[yellow]{s['bot_users_flagged']} users flagged as bot-like[/yellow]")
    if s.get("pii_policy"):
        out.print("PII policy: " + ", ".join(s["pii_policy"]), highlight=False)
    if s.get("pii_masked"):
        out.print("PII masked: " + ", ".join(f"{k} {v:,}" for k, v in s["pii_masked"].items()))


@app.command()
@one_line_errors
def ingest(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    events: Annotated[Path | None, typer.Option(help="Events file.")] = None,
    items: Annotated[Path | None, typer.Option(help="Items (catalog) file.")] = None,
    users: Annotated[Path | None, typer.Option(help="Users file.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML column mapping.")] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of CSV/TSV files that are not UTF-8 (latin-1, gbk ...)."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Public dataset adapter, e.g. movielens-100k (give its folder as PATH)."),
    ] = None,
    path: Annotated[
        Path | None,
        typer.Argument(help="Dataset folder (with --dataset; default ../shared/data/<folder>)."),
    ] = None,
    pii_policy: Annotated[
        str | None,
        typer.Option(help="PII in free-text columns: reject, hash or drop (remembered)."),
    ] = None,
    pii_column: Annotated[
        list[str] | None,
        typer.Option(help="Per-column PII action, COLUMN=reject|hash|drop|allow (repeatable)."),
    ] = None,
    pseudonymise: Annotated[
        bool, typer.Option(help="Store keyed pseudonyms instead of raw user ids.")
    ] = False,
    key_file: Annotated[
        Path | None, typer.Option(help="Id key file (else $SEAMLINE_ID_KEY[_FILE]).")
    ] = None,
    engine: EngineOpt = "duckdb",
    master: MasterOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate, clean, dedupe and store events, items and users."""
    eng = engine_config(engine, master)
    if dataset and eng.name != "duckdb":
        raise ConfigError(
            "--engine spark ingests files (--events, --items, --users), not --dataset"
        )
    from seamline.pii.keyring import KeyRing
    from seamline.pii.policy import PiiPolicy, PrivacyOptions

    privacy = PrivacyOptions(
        pii=PiiPolicy.parse(pii_policy or "reject", pii_column)
        if pii_policy or pii_column
        else None,
        keyring=KeyRing.load(key_file) if key_file else None,
        pseudonymise=pseudonymise,
    )
    ws = Workspace(workspace, privacy=privacy)
    with bars(as_json) as progress:
        if dataset:
            if path is None:
                path = default_path(dataset)
            summary = ws.ingest_dataset(dataset, path, progress=progress)
        else:
            if not (events or items or users):
                raise typer.BadParameter("give --events, --items, --users or --dataset")
            summary = ws.ingest(
                events=events,
                items=items,
                users=users,
                mapping=mapping,
                progress=progress,
                encoding=encoding,
                engine=eng,
            )
    emit(summary.to_dict(), as_json, _ingest_table)


def _quality_table(q: dict[str, Any]) -> None:
    out.print(
        f"events {q['events']:,}  items {q['items']:,}  users {q['users']:,}  "
        f"rejected {q['rejected']:,}  duplicates {q['duplicates']:,}  "
        f"bot-flagged users {q['bot_flagged_users']:,}"
    )
    dr = q["date_range"]
    out.print(f"date range {dr['first']} .. {dr['last']}")
    out.print(
        f"events on items missing from the catalog (orphan_items) {q['orphan_items']:,}  "
        f"PII policy {q.get('pii_policy') or 'none recorded'}",
        highlight=False,
    )
    t = Table(title="by domain")
    for c in ("domain", "events", "users", "items", "conversions", "revenue"):
        t.add_column(c, justify="left" if c == "domain" else "right")
    for d in q["by_domain"]:
        t.add_row(
            d["domain"],
            *(f"{d[c]:,}" for c in ("events", "users", "items", "conversions", "revenue")),
        )
    out.print(t)


@app.command()
@one_line_errors
def quality(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE, wait: WaitOpt = None, as_json: JsonOpt = False
) -> None:
    """Data-quality summary of the workspace."""
    emit(Workspace(workspace, wait=wait).quality(), as_json, _quality_table)


# Each stage's commands live in their own module (cli/<stage>.py) as a module-level
# `app`; a new module is one entry here.
for _commands in (
    pipeline.app,
    evaluate.app,
    cross.app,
    ab.app,
    campaign.app,
    serve.app,
    segment.app,
    recommend.app,
    rank.app,
    privacy.app,
    uplift.app,
):
    app.add_typer(_commands)
