"""Every dashboard page loads without console errors, charts render, user search works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# page -> (least number of SVG charts it must draw on the demo workspace, text it shows)
PAGES = {
    "overview": (2, "KPIs by domain"),
    "quality": (3, "Ingests"),
    "segments": (2, "Profiles"),
    "users": (0, "User explorer"),
    "campaigns": (5, "SEAMLINE-SEP20"),
    "experiments": (1, "coupon-sep2026"),
}


def open_page(page: Any, name: str, suffix: str = "") -> None:
    page.evaluate(f"location.hash = '#/{name}{suffix}'")
    page.wait_for_selector(f'#main[aria-busy="false"][data-page="{name}"]')


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_errors_and_draws_its_charts(page: Any, name: str, shots: Path) -> None:
    open_page(page, name)
    least, text = PAGES[name]
    main = page.locator("#main")
    assert text in main.inner_text()
    assert page.locator("#main .error").count() == 0
    charts = page.locator("#main figure.chart svg")
    assert charts.count() >= least
    for i in range(charts.count()):  # a rendered chart has marks, not an empty frame
        marks = charts.nth(i).locator("rect.bar, path.line, g.interval")
        assert marks.count() > 0, f"chart {i} on {name} drew nothing"
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 60
    page.screenshot(path=str(shots / f"dashboard-{name}.png"), full_page=True)
    assert page.problems == []


def test_user_search_and_user_page(page: Any, shots: Path) -> None:
    open_page(page, "users")
    page.fill("#user-search", "U000001")
    page.click("#user-search-go")
    page.wait_for_selector('#user-results[data-q="U000001"] a.user-link')
    found = page.locator("#user-results a.user-link").all_inner_texts()
    assert found and all(u.startswith("U000001") for u in found)
    # Pick a user with history in both domains (the result line says "2 domains").
    both = page.locator("#user-results li", has_text="2 domains").first
    user = both.locator("a.user-link").inner_text()
    both.locator("a.user-link").click()
    page.wait_for_selector('#main[aria-busy="false"] #user-title')
    assert page.locator("#user-title").inner_text() == f"User {user}"
    histories = page.locator(".history h3").all_inner_texts()
    assert {"fashion", "knowledge"} <= set(histories)
    assert page.locator(".history table tbody tr").count() > 1
    # Recommendations in both domains, each with the history items that explain it.
    page.wait_for_selector(".recs .rec-col:nth-child(2) .rec-list")
    assert page.locator(".recs .rec-col h3").all_inner_texts() == [
        "knowledge (ease)",
        "fashion (ease)",
    ]
    assert page.locator(".recs .rec").count() >= 10
    assert page.locator(".recs .because").count() > 0
    page.screenshot(path=str(shots / "dashboard-user.png"), full_page=True)
    assert page.problems == []


def test_search_with_no_match_says_so(page: Any) -> None:
    open_page(page, "users")
    page.fill("#user-search", "NO-SUCH-USER")
    page.click("#user-search-go")
    page.wait_for_selector('#user-results[data-q="NO-SUCH-USER"] li.empty')
    assert page.problems == []


def test_a_wrong_key_is_refused(browser: Any, served: Any) -> None:
    srv, _ = served
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(srv.url + "/dashboard/")
    pg.fill("#api-key", "sl_000000000000_wrong")
    pg.click("#login-go")
    pg.wait_for_selector("#login .error")
    assert "refused" in pg.locator("#login .error").inner_text()
    context.close()


def test_api_docs_page_renders_from_vendored_files(browser: Any, served: Any) -> None:
    srv, _ = served
    context = browser.new_context()
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    requested: list[str] = []
    pg.on("request", lambda r: requested.append(r.url))
    pg.goto(srv.url + "/docs")
    pg.wait_for_selector(".opblock-summary-path")
    paths = pg.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/events" in paths
    assert any("/recommendations" in p for p in paths)
    assert problems == []
    assert all(u.startswith(srv.url) or u.startswith("data:") for u in requested), requested
    context.close()
