"""`seamline serve` and `seamline keys create|revoke|list`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, emit, err, one_line_errors, out
from seamline.workspace import DEFAULT_WORKSPACE

keys_app = typer.Typer(help="API keys of the REST service (stored hashed in the workspace).")


app = typer.Typer()
app.add_typer(keys_app, name="keys")


@app.command()
@one_line_errors
def serve(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    cors: Annotated[
        list[str] | None, typer.Option(help="Allow browser calls from this origin (repeat).")
    ] = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, MB.")] = 16.0,
    max_extra_keys: Annotated[
        int,
        typer.Option(
            min=1, help="Most distinct non-canonical keys in one event batch (413 beyond)."
        ),
    ] = 10_000,
    access_log: Annotated[
        bool, typer.Option(help="Log each request (route template, status, time; no ids).")
    ] = False,
) -> None:
    """Run the REST service and dashboard (http://HOST:PORT/dashboard/)."""
    import duckdb
    import uvicorn

    from seamline.api import ServiceSettings, create_app
    from seamline.api.middleware import enable_access_log
    from seamline.errors import DataError

    settings = ServiceSettings(
        workspace=workspace,
        cors_origins=cors or [],
        max_body_bytes=int(max_body_mb * 1024 * 1024),
        max_extra_keys=max_extra_keys,
    )
    if access_log:
        enable_access_log()
    app = create_app(settings=settings)
    try:  # open the store now: a lock held by another process is a one-line error
        app.state.service.ws.open()
    except duckdb.IOException as e:
        raise DataError(
            f"{workspace}: cannot open the store ({str(e).splitlines()[0]}); is another "
            "seamline process using it?"
        ) from None
    err.print(f"serving {workspace} on http://{host}:{port}/dashboard/", highlight=False)
    # uvicorn's own access log prints raw paths (user ids): ours logs route templates.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


@keys_app.command("create")
@one_line_errors
def keys_create(
    scope: Annotated[
        list[str], typer.Option("--scope", "-s", help="read, ingest, assign or admin (repeat).")
    ],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a key; it is printed once (alone on the last line) and stored only hashed."""
    from seamline.api.keys import KeyStore

    record, token = KeyStore(workspace).create(scope, name)
    if as_json:
        emit({**record.public(), "key": token}, True, lambda _: None)
        return
    err.print(
        f"key {record.key_id} ({', '.join(record.scopes)}) created; store it now, "
        "it cannot be shown again:",
        highlight=False,
    )
    typer.echo(token)


@keys_app.command("revoke")
@one_line_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (or the whole key).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key: it stops working at once, also in a running service."""
    from seamline.api.keys import KeyStore

    record = KeyStore(workspace).revoke(key_id)
    emit(record.public(), as_json, lambda r: out.print(f"revoked {r['key_id']}"))


@keys_app.command("list")
@one_line_errors
def keys_list(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, as_json: JsonOpt = False) -> None:
    """List keys (ids, names, scopes, dates; never the keys themselves)."""
    from seamline.api.keys import KeyStore

    def render(rows: list[dict[str, object]]) -> None:
        t = Table(title="API keys")
        for c in ("key_id", "name", "scopes", "created_at", "revoked_at"):
            t.add_column(c)
        for r in rows:
            t.add_row(
                str(r["key_id"]),
                str(r["name"]),
                ", ".join(r["scopes"]),  # type: ignore[arg-type]
                str(r["created_at"]),
                str(r["revoked_at"] or ""),
            )
        out.print(t)

    emit([k.public() for k in KeyStore(workspace).list()], as_json, render)
