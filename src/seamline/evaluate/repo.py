"""Evaluation results in the workspace: `evaluation_runs` (one row per run) and
`evaluation_results` (one row per model of a run); `latest_results` is how the report and
other stages read them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from seamline.data import schema
from seamline.evaluate.results import EvaluationResult

if TYPE_CHECKING:
    from seamline.data.store import Store

TABLES = ("evaluation_runs", "evaluation_results")  # declared in data.schema


def save_result(ws: Store, result: EvaluationResult) -> int:
    """Store a result in `evaluation_runs` / `evaluation_results`; returns its run id."""
    with ws.connect() as con:
        schema.ensure(con, *TABLES)
        row = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM evaluation_runs").fetchone()
        run_id = int(row[0]) if row else 1
        con.execute(
            "INSERT INTO evaluation_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                run_id, datetime.now(UTC), result.split, result.k, result.domain,
                json.dumps(result.split_stats), result.seconds,
            ],
        )  # fmt: skip
        for r in result.results:
            d = asdict(r)
            con.execute(
                "INSERT INTO evaluation_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, r.model, json.dumps(d["params"], default=str),
                    json.dumps({**d["metrics"], **({"error": r.error} if r.error else {})}),
                    json.dumps(d["tuning"], default=str), r.fit_s, r.eval_s,
                ],
            )  # fmt: skip
    return run_id


def latest_results(ws: Store) -> list[dict[str, Any]]:
    """The most recent stored run per (split, k, domain), newest first, as dicts."""
    with ws.connect(read_only=True) as con:
        if not schema.has_table(con, "evaluation_runs"):
            return []
        runs = con.execute(
            "SELECT run_id, split, k, domain, split_stats, created_at FROM ("
            "  SELECT *, row_number() OVER (PARTITION BY split, k, domain "
            "    ORDER BY run_id DESC) AS n FROM evaluation_runs) WHERE n = 1 "
            "ORDER BY run_id DESC"
        ).fetchall()
        out = []
        for run_id, split, k, domain, stats, created in runs:
            rows = con.execute(
                "SELECT model, params, metrics, fit_s, eval_s FROM evaluation_results "
                "WHERE run_id = ? ORDER BY rowid",
                [run_id],
            ).fetchall()
            out.append(
                {
                    "run_id": run_id, "split": split, "k": k, "domain": domain,
                    "split_stats": json.loads(stats), "created_at": created,
                    "results": [
                        {"model": m, "params": json.loads(p), **json.loads(mt),
                         "fit_s": f, "eval_s": e}
                        for m, p, mt, f, e in rows
                    ],
                }
            )  # fmt: skip
    return out
