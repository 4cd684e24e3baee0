"""`seamline serve` refuses a store another process holds, with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.workspace import Workspace


def test_serve_on_a_store_held_by_another_process_is_one_line(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with ws.connect():
        pass  # create the store
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(60)",
            str(ws.db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = CliRunner().invoke(app, ["serve", "--workspace", str(ws.path), "--port", "0"])
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == 2
    assert "is busy" in res.stderr
    assert "another seamline process" in res.stderr
