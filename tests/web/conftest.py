"""The dashboard in a real headless Chromium (Debian's package) driven by Playwright,
against the real service started in a child process on a small seeded workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _support.browser import signed_in
from _support.server import ServerProcess, demo_workspace
from seamline.api.keys import KeyStore
from seamline.workspace import Workspace

CHROMIUM = os.environ.get("SEAMLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    root = tmp_path_factory.mktemp("dash")
    # Screenshots for docs/ may use a bigger world (SEAMLINE_DEMO_USERS); tests keep it small.
    ws = demo_workspace(root, n_users=int(os.environ.get("SEAMLINE_DEMO_USERS", "300")), seed=7)
    # A few bad records, as a real feed has, so the quality page has rejects to chart.
    bad = [
        {
            "user_id": "U0000001",
            "item_id": "F000001",
            "domain": "shoes",
            "event_type": "view",
            "timestamp": "2026-09-01T00:00:00Z",
        },
        {
            "user_id": "U0000002",
            "item_id": "F000002",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-13-01",
        },
        {
            "user_id": "U0000003",
            "item_id": "F000003",
            "domain": "fashion",
            "event_type": "like",
            "timestamp": "2026-09-01T00:00:00Z",
        },
        {
            "item_id": "F000004",
            "domain": "fashion",
            "event_type": "view",
            "timestamp": "2026-09-01T00:00:00Z",
        },
    ]
    Workspace(ws).ingest_rows(bad, "feed-sample")
    _, key = KeyStore(ws).create(["read"], name="dashboard")
    with ServerProcess(ws, log_file=root / "server.log") as srv:
        yield srv, key


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, served: tuple[ServerProcess, str]) -> Iterator[Any]:
    """A signed-in page; console errors and page errors are collected in `page.problems`."""
    srv, key = served
    context, pg = signed_in(browser, srv.url, key)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: docs/ when SEAMLINE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("SEAMLINE_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs"
    return tmp_path_factory.mktemp("shots")
