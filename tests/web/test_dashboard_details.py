"""Dashboard details: a late answer never overwrites the page opened since, conversion
figures name their denominators, and ingest batches show file names grouped by day."""

from __future__ import annotations

from typing import Any

from test_dashboard import open_page


def test_a_late_answer_does_not_overwrite_the_page_opened_since(page: Any) -> None:
    held: list[Any] = []
    page.route("**/v1/campaigns", lambda route: held.append(route))
    page.evaluate("location.hash = '#/campaigns'")
    while not held:  # the campaigns request is out, and held
        page.wait_for_timeout(50)
    open_page(page, "overview")
    assert "KPIs by domain" in page.locator("#main").inner_text()
    with page.expect_response("**/v1/campaigns"):
        held[0].continue_()
    page.wait_for_timeout(300)  # let the late answer reach the page code
    main = page.locator("#main")
    assert main.get_attribute("data-page") == "overview"
    assert "KPIs by domain" in main.inner_text()
    assert "Coupons redeemed" not in main.inner_text()
    assert page.problems == []


def test_campaign_conversions_name_their_denominators(page: Any) -> None:
    open_page(page, "campaigns")
    text = page.locator("#main").inner_text()
    assert "conversion of exposed users" in text
    assert "conversion of active users" in text
    assert "conversion (of exposed users)" in text  # the uplift table's metric
    headers = page.locator("#main th").all_inner_texts()
    assert "conversion" not in headers  # no unlabelled figure left
    assert page.problems == []


def test_ingest_batches_show_file_names_by_source_and_day(page: Any, served: Any) -> None:
    srv, _ = served
    open_page(page, "quality")
    table = page.locator("#main table.batches")
    sources = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert {"events.csv", "items.csv", "users.csv", "feed-sample"} <= set(sources)
    assert not any("/" in s for s in sources)
    assert str(srv.workspace.parent) not in page.locator("#main").inner_text()
    assert "of" in page.locator("#main .pager").inner_text()
    assert page.problems == []
