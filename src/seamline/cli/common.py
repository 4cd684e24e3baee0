"""Pieces every command module shares: consoles, common options, errors, output, progress."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from seamline.cli.progress import RichBars
from seamline.errors import SeamlineError

out = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.")]
WaitOpt = Annotated[
    float | None,
    typer.Option(
        "--wait",
        min=0,
        help="Seconds to wait while another seamline process holds the workspace "
        "(default: $SEAMLINE_WAIT, else 0).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripting.")]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine", help="Where the SQL runs: duckdb (in the workspace) or spark (seamline[spark])."
    ),
]
MasterOpt = Annotated[
    str | None,
    typer.Option(
        "--master", help="Spark master with --engine spark: local[2], yarn, k8s://... "
        "(default: spark-submit's, else local[2]).",
    ),
]  # fmt: skip


def engine_config(engine: str, master: str | None) -> Any:
    """The `EngineConfig` of --engine / --master (validated: one line naming the field)."""
    from seamline.engine import EngineConfig
    from seamline.errors import ConfigError

    if master is not None and engine != "spark":
        raise ConfigError("--master needs --engine spark")
    kw: dict[str, Any] = {"name": engine}
    if master is not None:
        kw["master"] = master
    return EngineConfig(**kw)


F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(fn: F) -> F:
    """Bad input ends the command with one clear line on stderr and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SeamlineError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as e:
            err.print(
                f"[red]error:[/red] {e.filename or ''}: {e.strerror}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def finite(data: Any) -> Any:
    """`data` with every NaN or infinite float replaced by None (JSON has no such numbers)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def strict_json(data: Any) -> str:
    """Strict JSON text: non-finite numbers become null, never NaN or Infinity."""
    return json.dumps(finite(data), ensure_ascii=False, default=str, indent=2, allow_nan=False)


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    if as_json:
        sys.stdout.write(strict_json(data) + "\n")
    else:
        render(data)


def bars(as_json: bool) -> RichBars:
    # Progress goes to stderr so `--json` output on stdout stays parseable.
    return RichBars(err, enabled=err.is_terminal and not as_json)
