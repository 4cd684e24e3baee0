"""The campaign-plans page in the real browser: pick a spec, read a plan's audience, its
expected ROI against budget and its message previews in the brand's style, launch it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _support.browser import signed_in
from _support.plans import copy_examples, open_spec, store_example_plan
from _support.server import ServerProcess, demo_workspace
from seamline.api.keys import KeyStore


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str, int]]:
    """A demo workspace with the example specs in its spec folder and one stored plan."""
    root = tmp_path_factory.mktemp("plans")
    # Screenshots for docs/ may use a bigger world (SEAMLINE_DEMO_USERS), whose plan has users.
    ws = demo_workspace(root, n_users=int(os.environ.get("SEAMLINE_DEMO_USERS", "300")), seed=4)
    copy_examples(ws / "campaign_specs")
    (ws / "campaign_specs" / "broken.yaml").write_text("name: [", encoding="utf-8")
    plan_id = store_example_plan(ws)
    _, key = KeyStore(ws).create(["read", "admin"], name="marketer")
    with ServerProcess(ws, log_file=root / "server.log") as srv:
        yield srv, key, plan_id


@pytest.fixture
def marketer(browser: Any, planned: tuple[ServerProcess, str, int]) -> Iterator[Any]:
    srv, key, _ = planned
    context, pg = signed_in(browser, srv.url, key)
    yield pg
    context.close()


def open_plans(page: Any, suffix: str = "") -> None:
    page.evaluate(f"location.hash = '#/plans{suffix}'")
    page.wait_for_selector('#main[aria-busy="false"][data-page="plans"]')


def test_pick_a_spec_and_see_its_yaml(marketer: Any) -> None:
    open_plans(marketer)
    options = marketer.locator("#spec-pick option").all_inner_texts()
    assert "learners-to-fashion · learners-to-fashion.yaml" in options
    assert "broken.yaml (does not load)" in options
    assert "broken.yaml line 1: not valid YAML" in marketer.locator("#main .warn").inner_text()
    marketer.select_option("#spec-pick", label="learners-to-fashion · learners-to-fashion.yaml")
    assert "Sell fashion to knowledge" in marketer.locator("#spec-about").inner_text()
    assert "name: learners-to-fashion" in marketer.locator("#spec-text").input_value()
    # A spec with a bad field is refused before anything is planned, naming the field.
    marketer.fill("#spec-text", "name: x\nbudget: -5\n")
    marketer.click("#plan-go")
    marketer.wait_for_selector("#plan-status.error")
    assert "budget" in marketer.locator("#plan-status").inner_text()
    assert marketer.problems == [] or all("400" in p for p in marketer.problems)


def test_plan_detail_previews_and_launch(
    marketer: Any, planned: tuple[ServerProcess, str, int], shots: Path
) -> None:
    _, _, plan_id = planned
    open_plans(marketer)
    marketer.locator(f'a.plan-link[href="#/plans/{plan_id}"]').click()
    marketer.wait_for_selector('#main[aria-busy="false"] #plan-title')
    assert marketer.locator("#plan-title").inner_text() == f"Plan {plan_id}: learners-to-fashion"
    assert "planned users" in marketer.locator("#plan-cards").inner_text()
    charts = marketer.locator("#plan-detail figure.chart svg")
    assert charts.count() == 2 and charts.first.locator("path.line").count() == 1
    cards = marketer.locator("#plan-previews .preview")
    assert cards.count() == 12
    box = marketer.locator("#plan-previews")
    primary = box.evaluate("e => e.style.getPropertyValue('--brand-primary')")
    assert primary == "#2e2a26"
    assert marketer.locator("#plan-previews img.brand-logo").count() == 1
    # The hostile item title shows as text: no element was made from it.
    assert "<script>alert(1)</script>" in box.inner_text()
    assert box.locator("script").count() == 0
    with marketer.expect_download() as got:
        marketer.click("#preview-download")
    assert got.value.suggested_filename == f"plan-{plan_id}-preview.html"
    saved = Path(got.value.path()).read_text(encoding="utf-8")
    assert saved.startswith("<!doctype html>") and "<script>alert" not in saved
    marketer.click("#launch-go")
    marketer.wait_for_selector("#launch-status.ok")
    assert "Launched" in marketer.locator("#launch-status").inner_text()
    assert marketer.locator("#launch-go").is_disabled()
    open_plans(marketer, f"/{plan_id}")
    marketer.wait_for_selector("#launch-status.ok")
    assert marketer.locator("#launch-go").is_disabled()
    assert marketer.problems == []


def test_plan_a_spec_from_the_page(marketer: Any, shots: Path) -> None:
    open_plans(marketer)
    marketer.select_option("#spec-pick", label="learners-to-fashion · learners-to-fashion.yaml")
    marketer.fill("#spec-text", open_spec(marketer.locator("#spec-text").input_value()))
    before = marketer.locator("a.plan-link").count()
    marketer.click("#plan-go")
    marketer.wait_for_selector('#main[aria-busy="false"] #plan-title')
    title = marketer.locator("#plan-title").inner_text()
    assert title.startswith("Plan ") and title.endswith(": learners-to-fashion")
    assert marketer.locator("a.plan-link").count() == before + 1
    assert "audience" in marketer.locator("#plan-cards").inner_text()
    assert marketer.locator("#plan-detail figure.chart svg path.line").count() == 2
    marketer.screenshot(path=str(shots / "dashboard-plans.png"), full_page=True)
    assert marketer.problems == []
