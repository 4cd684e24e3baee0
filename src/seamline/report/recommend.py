"""The recommendation section: offline quality of each model and example recommendations.

Quality comes from the stored evaluation runs (`seamline.evaluate.runner`); examples come
from the workspace's default fitted model (`seamline.recommend.store`), a few users per
domain, each recommended item with the history items that explain it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from seamline.data.store import store_exists
from seamline.errors import SeamlineError
from seamline.report.sections import Section, render_fragment

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)

SECTION_ID = "recommendations"
SECTION_TITLE = "Recommendations"
METRICS = ("ndcg", "recall", "precision", "f1", "map", "hit_rate", "coverage", "novelty")
LABELS = {
    "ndcg": "NDCG",
    "recall": "Recall",
    "precision": "Precision",
    "f1": "F1",
    "map": "MAP",
    "hit_rate": "HitRate",
    "coverage": "Coverage",
    "novelty": "Novelty",
    "diversity": "Diversity",
}
EXAMPLE_USERS = 2
EXAMPLE_K = 5


def _quality_tables(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tables = []
    for run in runs:
        k = run["k"]
        rows = []
        ok = [r for r in run["results"] if "error" not in r and f"ndcg@{k}" in r]
        best = max(ok, key=lambda r: r[f"ndcg@{k}"])["model"] if ok else None
        for r in run["results"]:
            cells = []
            for m in METRICS:
                v = r.get(f"{m}@{k}")
                se = r.get(f"{m}@{k}_se")
                cells.append(
                    "—" if v is None else f"{v:.4f}" + (f" ± {1.96 * se:.4f}" if se else "")
                )
            rows.append(
                {
                    "model": r["model"],
                    "best": r["model"] == best,
                    "cells": cells,
                    "error": r.get("error"),
                    "params": ", ".join(f"{a}={b}" for a, b in (r.get("params") or {}).items()),
                    "fit_s": r.get("fit_s"),
                }
            )
        s = run["split_stats"]
        tables.append(
            {
                "title": (
                    ("Temporal leave-last-one-out" if run["split"] == "loo" else "Global temporal")
                    + (f", {run['domain']} items" if run["domain"] else ", all domains")
                    + f", k = {k}"
                ),
                "headers": [f"{LABELS[m]}@{k}" for m in METRICS],
                "rows": rows,
                "note": (
                    f"{s.get('test_users', 0):,} test users, {s.get('train_pairs', 0):,} train "
                    f"(user, item) pairs, {s.get('cold_test_items', 0):,} held-out items "
                    "never seen in train."
                ),
            }
        )
    return tables


def _titles(ws: Store) -> dict[str, str]:
    with ws.connect(read_only=True) as con:
        rows = con.execute("SELECT item_id, title FROM items WHERE title IS NOT NULL").fetchall()
    return {str(i): str(t) for i, t in rows}


def _examples(ws: Store) -> tuple[str | None, list[dict[str, Any]]]:
    """(model name, per-domain examples) from the default fitted model, if any."""
    from seamline.recommend.store import load_model

    try:
        model = load_model(ws)
    except (SeamlineError, FileNotFoundError) as e:
        log.info("no fitted model for the report's examples: %s", e)
        return None, []
    with ws.connect(read_only=True) as con:
        picks = con.execute(
            "SELECT domain, user_id FROM ("
            "  SELECT domain, user_id, row_number() OVER (PARTITION BY domain "
            "    ORDER BY count(DISTINCT item_id) DESC, user_id) AS n "
            "  FROM events GROUP BY domain, user_id) "
            "WHERE n <= ? ORDER BY domain, n",
            [EXAMPLE_USERS],
        ).fetchall()
    titles = _titles(ws)

    def label(item: str) -> str:
        return f"{titles[item]} ({item})" if item in titles else item

    examples = []
    for domain, user in picks:
        try:
            recs = model.recommend([str(user)], k=EXAMPLE_K, domain=domain)[0]
        except SeamlineError as e:
            log.info("no example for %s in %s: %s", user, domain, e)
            continue
        examples.append(
            {
                "domain": domain,
                "user": str(user),
                "items": [
                    {
                        "item": label(r.item_id),
                        "score": f"{r.score:.3f}",
                        "because": ", ".join(label(b) for b in r.because[:3]) or "—",
                    }
                    for r in recs
                ],
            }
        )
    return str(getattr(model, "name", type(model).__name__)), examples


def _ranker(ws: Store) -> dict[str, Any] | None:
    """The trained ranker's held-out CTR metrics and reliability chart, if one is trained."""
    from seamline.recommend.rank.store import ranker_info
    from seamline.report.charts import reliability_chart

    info = ranker_info(ws)
    if info is None:
        return None
    m = info.get("metrics") or {}
    bins = [b for b in (m.get("calibration") or {}).get("bins", []) if b["count"]]
    chart = (
        reliability_chart([b["predicted"] for b in bins], [b["observed"] for b in bins])
        if bins
        else None
    )
    return {"info": info, "metrics": m, "bins": bins, "chart": chart}


def recommend_section(ws: Store) -> Section | None:
    """The section, or None when the workspace has neither evaluations nor a fitted model."""
    from seamline.evaluate.runner import latest_results

    if not store_exists(ws):
        return None
    runs = latest_results(ws)
    model_name, examples = _examples(ws)
    ranker = _ranker(ws)
    if not runs and not examples and ranker is None:
        return None
    html = render_fragment(
        "recommend.html.j2",
        tables=_quality_tables(runs),
        model_name=model_name,
        examples=examples,
        ranker=ranker,
    )
    return Section(SECTION_ID, SECTION_TITLE, html)
