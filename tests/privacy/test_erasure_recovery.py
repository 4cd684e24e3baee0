"""Erasure is idempotent and crash-safe, and erased users stay out of later ingests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seamline.data.rewrite import FRESH, MARKER
from seamline.errors import DataError
from seamline.privacy.forget import forget_user
from seamline.workspace import Workspace

CLI = [sys.executable, "-c", "from seamline.cli.main import app; app()"]


def _files_holding(ws: Workspace, text: str) -> list[str]:
    return sorted(
        str(p.relative_to(ws.path))
        for p in ws.path.rglob("*")
        if p.is_file() and text.encode() in p.read_bytes()
    )


def _forget_cli(ws: Workspace, user: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "forget", "--workspace", str(ws.path), "--user", user, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_forget_twice_exits_0_and_reports_0_rows(ws_copy: Workspace, planted: str) -> None:
    first = _forget_cli(ws_copy, planted)
    assert first.returncode == 0, first.stderr
    removed = json.loads(first.stdout)
    assert removed["events"] == 5
    assert removed["total"] == sum(v for k, v in removed.items() if k != "total")
    second = _forget_cli(ws_copy, planted)
    assert second.returncode == 0, second.stderr
    # The repeat says so explicitly: 0 rows removed (issue 16 interface), no table listed.
    assert json.loads(second.stdout) == {"total": 0}
    text = subprocess.run(
        [*CLI, "forget", "--workspace", str(ws_copy.path), "--user", planted],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert text.returncode == 0, text.stderr
    assert "0 rows removed" in text.stdout
    assert forget_user(ws_copy, planted) == {}
    assert not (ws_copy.path / MARKER).exists()
    # A never-seen id is still an error, so a typo is not mistaken for an erasure.
    with pytest.raises(DataError, match="no table holds user"):
        forget_user(ws_copy, "never-here", compact_file=False)


@pytest.mark.parametrize("then", ["open", "forget again"])
def test_forget_killed_mid_rewrite_leaves_no_byte(
    ws_copy: Workspace, planted: str, then: str
) -> None:
    with ws_copy.connect() as con:
        con.execute("CHECKPOINT")
    assert _files_holding(ws_copy, planted) == ["seamline.duckdb"]  # honest precondition
    proc = subprocess.Popen(
        [*CLI, "forget", "--workspace", str(ws_copy.path), "--user", planted],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    fresh = ws_copy.path / FRESH
    deadline = time.monotonic() + 240
    while not fresh.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of the copy into the fresh file
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "forget finished before it could be killed"
    # What the kill left: the rows are deleted but their bytes remain in the old file.
    assert (ws_copy.path / MARKER).exists()
    assert "seamline.duckdb" in _files_holding(ws_copy, planted)
    if then == "open":
        with ws_copy.connect(read_only=True) as con:
            row = con.execute("SELECT count(*) FROM events WHERE user_id = ?", [planted])
            assert row.fetchone() == (0,)
    else:
        again = _forget_cli(ws_copy, planted)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout) == {"total": 0}
    assert _files_holding(ws_copy, planted) == []
    assert not (ws_copy.path / MARKER).exists() and not (ws_copy.path / FRESH).exists()
    with ws_copy.connect() as con:  # the rewritten store is whole
        n = con.execute("SELECT count(*) FROM events").fetchone()
    assert n is not None and n[0] > 0


def test_stray_compact_file_is_completed_on_open(ws_copy: Workspace, planted: str) -> None:
    forget_user(ws_copy, planted, compact_file=False)
    assert "seamline.duckdb" in _files_holding(ws_copy, planted)  # freed, not wiped
    (ws_copy.path / FRESH).write_bytes(b"half a copy")  # left by a killed older version
    with ws_copy.connect() as con:
        con.execute("SELECT 1")
    assert _files_holding(ws_copy, planted) == []
    assert not (ws_copy.path / FRESH).exists()


def test_reingesting_an_old_file_rejects_erased_users(
    ws_copy: Workspace, planted: str, world_dir: Path
) -> None:
    forget_user(ws_copy, planted)
    with ws_copy.connect() as con:
        digests = con.execute("SELECT digest FROM erased_users").fetchall()
    assert digests and all(planted not in d[0] for d in digests)  # keyed digest, not the id
    s = ws_copy.ingest(events=world_dir / "events.csv", users=world_dir / "users.csv").to_dict()
    events, users = s["files"][1], s["files"][0]
    assert users["rejected_by_reason"].get("erased_user") == 1
    # 5 good events and 1 with a bad timestamp: all six are the erased user's
    assert events["rejected_by_reason"].get("erased_user") == 6
    assert events["rows"] == events["accepted"] + events["rejected"] + events["duplicates"]
    with ws_copy.connect() as con:
        assert con.execute(
            "SELECT count(*) FROM events WHERE user_id = ?", [planted]
        ).fetchone() == (0,)
        rows = con.execute(
            "SELECT line, column_name, value, message, raw::VARCHAR FROM rejects "
            "WHERE reason = 'erased_user'"
        ).fetchall()
    assert len(rows) == 7
    assert all(planted not in str(r) for r in rows)
    assert all(r[1] == "user_id" and "erased" in r[3] for r in rows)


def test_a_second_rewrite_is_told_the_workspace_is_busy(tmp_path: Path) -> None:
    from seamline.data.rewrite import rewrite_guard
    from seamline.errors import WorkspaceBusyError

    with (
        rewrite_guard(tmp_path),
        pytest.raises(WorkspaceBusyError, match=f"busy: .*pid {os.getpid()}"),
        rewrite_guard(tmp_path),
    ):
        pass
    with rewrite_guard(tmp_path):  # released with the first holder
        pass


def test_forget_in_a_path_with_a_quote(ws_copy: Workspace, planted: str, tmp_path: Path) -> None:
    odd = tmp_path / "o'brien ws';--"
    ws_copy.path.rename(odd)
    ws = Workspace(odd)
    assert forget_user(ws, planted)["events"] == 5
    assert _files_holding(ws, planted) == []
