"""The command-line interface of privacy and fairness, as the issue states it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.workspace import Workspace

runner = CliRunner()

ITEMS = (
    "item_id,domain,title,description\n"
    "k1,knowledge,Finance basics,Ask li.na@example.com for slides\n"
    "k2,knowledge,Style 101,Call 139 1234 5678\n"
    "k3,knowledge,Wardrobe,Capsule wardrobe in 30 looks\n"
    "k4,knowledge,Careers,身份证 11010519491231002X\n"
)


def _run(*args: str) -> dict:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_ingest_pii_policies(tmp_path: Path) -> None:
    f = tmp_path / "items.csv"
    f.write_text(ITEMS)
    s = _run(
        "ingest", "-w", str(tmp_path / "a"), "--items", str(f), "--pii-policy", "reject", "--json"
    )
    assert s["rejected_by_reason"] == {"pii_email": 1, "pii_id_number": 1, "pii_phone": 1}
    s = _run(
        "ingest", "-w", str(tmp_path / "b"), "--items", str(f), "--pii-policy", "drop", "--json"
    )
    assert s["accepted"] == 4 and s["pii_masked"] == {"email": 1, "id_number": 1, "phone": 1}
    bad = runner.invoke(
        app, ["ingest", "-w", str(tmp_path / "c"), "--items", str(f), "--pii-policy", "mask"]
    )
    assert bad.exit_code == 2 and "reject, hash, drop, allow" in bad.output


def test_forget_and_export_commands(ws_copy: Workspace, tmp_path: Path, planted: str) -> None:
    w = str(ws_copy.path)
    removed = _run("forget", "--workspace", w, "--user", planted, "--json")
    assert removed["events"] == 5 and removed["users"] == 1
    assert removed["total"] == sum(v for k, v in removed.items() if k != "total")
    # Erasure is idempotent (issue 16): a repeat exits 0 with nothing removed; an id the
    # workspace never held is still an error.
    assert _run("forget", "--workspace", w, "--user", planted, "--json") == {"total": 0}
    typo = runner.invoke(app, ["forget", "--workspace", w, "--user", planted + "x"])
    assert typo.exit_code == 2 and "no table holds user" in typo.output
    out = tmp_path / "segments.csv"
    s = _run(
        "export",
        "--workspace",
        w,
        "--what",
        "segments",
        "--k-anonymity",
        "7",
        "--out",
        str(out),
        "--json",
    )
    frame = pd.read_csv(out)
    assert s["k"] == 7 and (frame["users"] >= 7).all() and len(frame) == s["rows"]
    log = _run("privacy", "log", "-w", w, "--json")
    assert [e["action"] for e in log] == ["forget", "forget", "export"]
    assert [e["detail"].get("repeat") for e in log[:2]] == [False, True]
    assert planted not in json.dumps(log)


def test_budget_and_release_commands(ws_copy: Workspace) -> None:
    w = str(ws_copy.path)
    _run("privacy", "budget", "-w", w, "--total", "0.5", "--json")
    r = _run("privacy", "release", "-w", w, "--measure", "count", "--epsilon", "0.5", "--json")
    assert r["budget_left"] == 0 and r["groups"]
    refused = runner.invoke(
        app, ["privacy", "release", "-w", w, "--measure", "count", "--epsilon", "0.1"]
    )
    assert refused.exit_code == 2 and "privacy budget spent" in refused.output


def test_keygen_pseudonymise_rotate(ws_copy: Workspace, tmp_path: Path, planted: str) -> None:
    key = tmp_path / "id.key"
    assert runner.invoke(app, ["privacy", "keygen", "--out", str(key)]).exit_code == 0
    w = str(ws_copy.path)
    first = _run("privacy", "pseudonymise", "-w", w, "--key-file", str(key), "--json")
    assert first["events"] > 0
    assert runner.invoke(app, ["privacy", "keygen", "--out", str(key), "--append"]).exit_code == 0
    second = _run("privacy", "rotate", "-w", w, "--key-file", str(key), "--json")
    assert second["events"] == first["events"]
    removed = _run("forget", "-w", w, "--user", planted, "--key-file", str(key), "--json")
    assert removed["events"] == 5


def test_fairness_command(ws_copy: Workspace) -> None:
    r = _run("fairness", "-w", str(ws_copy.path), "--model", "mostpop", "--json")
    assert r["rerank"]["brand_disparity_after"] <= r["rerank"]["brand_disparity_before"]


def test_export_that_cannot_keep_its_promise_exits_2(ws_copy: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out" / "x.csv"
    w = str(ws_copy.path)
    base = ["export", "--workspace", w, "--what", "segments", "--out", str(out)]
    r = runner.invoke(app, [*base, "--k-anonymity", "10000"])
    assert r.exit_code == 2 and "cannot be met within the 5% suppression cap" in r.output
    r = runner.invoke(app, [*base, "--segment", "999"])
    assert r.exit_code == 2 and "no segment 999" in r.output
    assert not out.parent.exists()
