"""`seamline ingest` and `seamline quality`: JSON output, exit code 2 with one line on error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from seamline.cli.main import app

if TYPE_CHECKING:
    from _support.store import Store

EVENTS = """event_id,user_id,item_id,domain,event_type,timestamp,value
e1,u1,i1,fashion,view,2026-01-02T10:00:00Z,
e2,u1,i1,fashion,purchase,2026-01-02T10:05:00Z,25
e2,u1,i1,fashion,purchase,2026-01-02T10:05:00Z,25
e3,,i1,fashion,view,2026-01-02T10:00:00Z,
e4,u2,k1,knowledge,enroll,not a date,
e5,u2,k1,knowledge,enroll,2026-01-03T09:00:00Z,49
"""

SEAMLINE = Path(sys.executable).with_name("seamline")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _ingest_json(runner: CliRunner, ws: Path, *args: str) -> dict:
    result = runner.invoke(app, ["ingest", "-w", str(ws), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_json(runner: CliRunner, store: Store) -> None:
    path = store.write("events.csv", EVENTS)
    s = _ingest_json(runner, store.folder / "ws", "--events", str(path))
    assert (s["rows"], s["accepted"], s["rejected"], s["duplicates"]) == (6, 3, 2, 1)
    assert s["rejected_by_reason"] == {"bad_timestamp": 1, "missing_user_id": 1}
    assert s["duplicates_by_kind"] == {"repeated_event_id": 1}
    assert s["files"][0]["file"] == str(path) and s["files"][0]["table"] == "events"
    again = _ingest_json(runner, store.folder / "ws", "--events", str(path))
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 4, 2)


def test_ingest_table_output(runner: CliRunner, store: Store) -> None:
    path = store.write("events.csv", EVENTS)
    result = runner.invoke(app, ["ingest", "-w", str(store.folder / "ws"), "--events", str(path)])
    assert result.exit_code == 0, result.output
    assert "rejected by reason: bad_timestamp 1, missing_user_id 1" in result.stdout


def test_quality_json(runner: CliRunner, store: Store) -> None:
    ws = store.folder / "ws"
    _ingest_json(runner, ws, "--events", str(store.write("events.csv", EVENTS)))
    result = runner.invoke(app, ["quality", "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    q = json.loads(result.stdout)
    assert (q["events"], q["items"], q["users"]) == (3, 0, 0)
    assert q["rejected_by_reason"] == {"bad_timestamp": 1, "missing_user_id": 1}
    assert q["duplicates"] == 1
    assert q["date_range"]["first"] == "2026-01-02T10:00:00+00:00"
    assert q["date_range"]["last"] == "2026-01-03T09:00:00+00:00"
    assert [(d["domain"], d["events"], d["conversions"], d["revenue"]) for d in q["by_domain"]] == [
        ("fashion", 2, 1, 25.0),
        ("knowledge", 1, 1, 49.0),
    ]


def test_quality_table_output(runner: CliRunner, store: Store) -> None:
    ws = store.folder / "ws"
    _ingest_json(runner, ws, "--events", str(store.write("events.csv", EVENTS)))
    result = runner.invoke(app, ["quality", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    assert "events 3" in result.stdout and "rejected 2" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("missing.csv", None, "file not found"),
        ("events.xls", "a\n1\n", "unknown file type .xls"),
        ("empty.csv", "", "no header row found"),
        ("short.csv", "user_id,item_id\nu1,i1\n", "missing required column(s) domain"),
        ("noheader.csv", "e1,u1,i1,fashion,view,2026-01-02\n", "missing required column(s)"),
    ],
)
def test_unusable_input_exits_2_with_one_line(
    runner: CliRunner, store: Store, name: str, content: str | None, needle: str
) -> None:
    path = store.folder / name if content is None else store.write(name, content)
    result = runner.invoke(
        app, ["ingest", "-w", str(store.folder / "ws"), "--events", str(path), "--json"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}: ") and needle in lines[0]


def test_bad_mapping_exits_2(runner: CliRunner, store: Store) -> None:
    mapping = store.write("m.yaml", "events:\n  columns: {shopper: customer}\n")
    result = runner.invoke(
        app,
        [
            "ingest",
            "-w",
            str(store.folder / "ws"),
            "--events",
            str(store.write("e.csv", EVENTS)),
            "--mapping",
            str(mapping),
        ],
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {mapping}: ")
    assert "unknown canonical column" in lines[0]


def test_ingest_without_files_is_a_usage_error(runner: CliRunner, store: Store) -> None:
    result = runner.invoke(app, ["ingest", "-w", str(store.folder / "ws")])
    assert result.exit_code == 2
    assert "--events" in result.output


@pytest.mark.skipif(not SEAMLINE.exists(), reason="console script not installed")
def test_real_process_error_is_one_line(store: Store) -> None:
    # a long path must not be wrapped over several lines by the terminal renderer
    deep = store.folder / ("a-rather-long-folder-name-" * 4) / "events.csv"
    proc = subprocess.run(
        [str(SEAMLINE), "ingest", "-w", str(store.folder / "ws"), "--events", str(deep)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == f"error: {deep}: file not found"


@pytest.mark.skipif(not SEAMLINE.exists(), reason="console script not installed")
def test_real_process_json_is_parseable(store: Store) -> None:
    path = store.write("events.csv", EVENTS)
    proc = subprocess.run(
        [str(SEAMLINE), "ingest", "-w", str(store.folder / "ws"), "--events", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    assert {"accepted", "rejected", "rejected_by_reason", "duplicates"} <= set(s)
    assert s["accepted"] == 3


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_a_non_utf8_file_exits_2_and_stores_nothing_of_the_call(
    runner: CliRunner, store: Store
) -> None:
    ws = store.folder / "ws"
    items = store.write("items.csv", "item_id,domain,title\ni1,fashion,Shirt\n")
    users = store.write("users.csv", "user_id,city\nu1,Málaga\n".encode("latin-1"))
    result = runner.invoke(
        app, ["ingest", "-w", str(ws), "--items", str(items), "--users", str(users)]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {users}: line 2: not valid utf-8")
    assert store.count("items") == 0


def test_encoding_option_keeps_accented_titles(runner: CliRunner, store: Store) -> None:
    ws = store.folder / "ws"
    items = store.write(
        "items.csv", "item_id,domain,title\ni1,fashion,Crème brûlée\n".encode("latin-1")
    )
    s = _ingest_json(runner, ws, "--items", str(items), "--encoding", "latin-1")
    assert s["accepted"] == 1
    assert store.query("SELECT title FROM items") == [("Crème brûlée",)]


def test_quality_json_is_strict_after_huge_values(runner: CliRunner, store: Store) -> None:
    ws = store.folder / "ws"
    text = EVENTS.replace(",49\n", ",1e308\n")
    s = _ingest_json(runner, ws, "--events", str(store.write("events.csv", text)))
    assert s["rejected_by_reason"].get("out_of_range") == 1
    result = runner.invoke(app, ["quality", "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    q = _strict(result.stdout)
    assert isinstance(q, dict) and q["rejected_by_reason"]["out_of_range"] == 1


def test_json_output_never_holds_nan_or_infinity() -> None:
    from seamline.cli.common import strict_json

    data = {"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5], "c": (2.0,)}
    assert _strict(strict_json(data)) == {"a": None, "b": [None, None, 1.5], "c": [2.0]}
