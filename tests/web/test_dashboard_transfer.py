"""The user page of a learner with no fashion history shows fashion recommendations from
the transfer model, each explained by the courses that carried the interest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _support.browser import signed_in
from _support.server import ServerProcess, demo_workspace
from seamline.api.keys import KeyStore
from seamline.recommend.store import fit_models
from seamline.workspace import Workspace


@pytest.fixture(scope="module")
def cold_learner(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, str, str, set[str]]]:
    root = tmp_path_factory.mktemp("dash-transfer")
    ws = Workspace(demo_workspace(root, n_users=300, seed=7))
    fit_models(ws, ["transfer"])  # the default stays EASE
    with ws.connect(read_only=True) as con:
        user = con.execute(
            """SELECT user_id FROM events GROUP BY user_id
               HAVING count(*) FILTER (WHERE domain = 'fashion') = 0
                  AND count(DISTINCT item_id) FILTER (WHERE domain = 'knowledge') >= 3
               ORDER BY user_id LIMIT 1"""
        ).fetchone()[0]
        titles = {
            r[0] or r[1]
            for r in con.execute(
                """SELECT DISTINCT i.title, e.item_id FROM events e
                   LEFT JOIN items i USING (item_id) WHERE e.user_id = ?""",
                [user],
            ).fetchall()
        }
    _, key = KeyStore(ws.path).create(["read"], name="dashboard")
    with ServerProcess(ws.path, log_file=root / "server.log") as srv:
        yield srv, key, str(user), titles


def test_user_page_shows_transfer_recommendations_for_a_cold_learner(
    browser: Any, cold_learner: tuple[ServerProcess, str, str, set[str]]
) -> None:
    srv, key, user, course_titles = cold_learner
    context, page = signed_in(browser, srv.url, key)
    try:
        page.evaluate(f"location.hash = '#/users/{user}'")
        page.wait_for_selector('#main[aria-busy="false"] #user-title')
        page.wait_for_selector(".recs .rec-col:nth-child(2) .rec-list")
        assert page.locator(".recs .rec-col h3").all_inner_texts() == [
            "knowledge (ease)",
            "fashion (transfer)",
        ]
        fashion = page.locator(".recs .rec-col").nth(1)
        assert fashion.locator(".transfer-note").count() == 1
        assert fashion.locator(".rec").count() == 8
        because = fashion.locator(".because").all_inner_texts()
        assert because, "no recommendation names the courses behind it"
        for line in because:
            named = line.removeprefix("because: ").split(", ")
            assert set(named) <= course_titles, (named, course_titles)
        assert page.problems == []
    finally:
        context.close()
