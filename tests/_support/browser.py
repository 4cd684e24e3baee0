"""A dashboard page signed in with a key, collecting console and page errors."""

from __future__ import annotations

from typing import Any


def signed_in(browser: Any, url: str, key: str) -> tuple[Any, Any]:
    """(context, page) on `url`/dashboard/ signed in with `key`, on the overview; console
    errors and warnings and page errors are collected in `page.problems`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.problems = problems
    pg.goto(url + "/dashboard/")
    pg.fill("#api-key", key)
    pg.click("#login-go")
    pg.wait_for_selector('#main[aria-busy="false"][data-page="overview"]')
    return context, pg
