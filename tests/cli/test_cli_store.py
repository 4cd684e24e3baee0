"""Workspace paths reach SQL only as quoted literals; a busy workspace is one clear line."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from seamline.cli.main import app

SEAMLINE = Path(sys.executable).with_name("seamline")

# Paths that broke or hijacked string-pasted SQL (SET temp_directory, ATTACH).
PATHS = {
    "apostrophe": "o'brien ws",
    "injection": "x';CREATE TABLE pwned AS SELECT 1;--",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    result = CliRunner().invoke(app, ["synth", "--out", str(out), "--users", "200"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module", params=sorted(PATHS))
def odd_ws(request: pytest.FixtureRequest, world: Path) -> Path:
    ws = world / "dir" / PATHS[request.param]
    result = CliRunner().invoke(
        app,
        ["ingest", "-w", str(ws)]
        + [f"--{t}={world / f'{t}.csv'}" for t in ("items", "users", "events")],
    )
    assert result.exit_code == 0, result.output
    return ws


def _first_user(world: Path, n: int = 1) -> str:
    return (world / "users.csv").read_text().splitlines()[n].split(",")[0]


# Every command that opens a workspace (the fixture above covers `ingest`): its words, then
# its options.
COMMANDS: list[tuple[list[str], list[str]]] = [
    (["quality"], ["--json"]),
    (["report"], []),
    (["features"], []),
    (["segment"], []),
    (["fit"], ["--models", "mostpop"]),
    (["recommend"], ["--user", "{user}", "--model", "mostpop"]),
    (["evaluate"], ["--models", "mostpop", "--max-users", "20"]),
    (["fairness"], []),
    (["ab", "list"], []),
    (["privacy", "budget"], []),
    (["privacy", "log"], []),
    (["keys", "list"], []),
    (["forget"], ["--user", "{user2}"]),
    (["export"], ["--what", "segments", "--k-anonymity", "2", "--out", "{out}"]),
]
# A tiny world may not allow a k-anonymous export: a clear refusal (exit 2) is fine there.
MAY_REFUSE = {"export"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[0]))
def test_every_command_works_with_odd_workspace_paths(
    command: tuple[list[str], list[str]], odd_ws: Path, world: Path, tmp_path: Path
) -> None:
    words, options = command
    fill = {"user": _first_user(world), "user2": _first_user(world, 2), "out": tmp_path / "x.csv"}
    args = [*words, "-w", str(odd_ws), *(o.format(**fill) for o in options)]
    result = CliRunner().invoke(app, args)
    assert "Traceback" not in result.output
    allowed = (0, 2) if words[0] in MAY_REFUSE else (0,)
    assert result.exit_code in allowed, result.output
    con = duckdb.connect(str(odd_ws / "seamline.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert "pwned" not in tables


HOLD = """
import sys, time
from pathlib import Path
from seamline.data import store
con = store.connect(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(ws: Path, seconds: float) -> subprocess.Popen[str]:
    """A real second process holding the workspace's store for `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(ws), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _seamline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SEAMLINE), *args], capture_output=True, text=True, timeout=120)


def test_a_busy_workspace_is_one_line_naming_the_holder(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,item_id,domain,event_type,timestamp\nu1,i1,fashion,view,2026-01-02\n"
    )
    holder = _hold(ws, 60)
    try:
        for args in (["quality"], ["ingest", "--events", str(events)]):
            r = _seamline(*args, "-w", str(ws))
            assert r.returncode == 2, r.stderr
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1, r.stderr
            assert (
                f"workspace {ws} is busy: another seamline process (pid {holder.pid})" in (lines[0])
            )
        started = time.monotonic()
        r = _seamline("quality", "-w", str(ws), "--wait", "1.5")
        assert r.returncode == 2 and "is busy" in r.stderr
        assert time.monotonic() - started >= 1.5  # it did wait, and then gave up
    finally:
        holder.kill()
        holder.wait()


def test_wait_succeeds_when_the_holder_finishes_in_time(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    holder = _hold(ws, 1.0)
    try:
        r = _seamline("quality", "-w", str(ws), "--wait", "30", "--json")
        assert r.returncode == 0, r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_any_command_waits_with_the_global_option(tmp_path: Path) -> None:
    # `--wait` before the command (or SEAMLINE_WAIT) reaches commands of every module.
    ws = tmp_path / "ws"
    holder = _hold(ws, 1.0)
    try:
        r = _seamline("--wait", "30", "privacy", "log", "-w", str(ws))
        assert r.returncode == 0, r.stderr
    finally:
        holder.kill()
        holder.wait()
