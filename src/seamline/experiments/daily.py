"""Per-day outcomes of an experiment's exposed users: the read function campaign curves
use, so no other stage writes SQL against the exposures table."""

from __future__ import annotations

from typing import Any

from seamline.data.columns import CONVERSION_SQL
from seamline.data.store import Store
from seamline.experiments.assignment import ExperimentConfig


def daily_arm_revenue(ws: Store, cfg: ExperimentConfig) -> list[tuple[str, str, float, float]]:
    """(day, arm, revenue, coupon value) per UTC day of the experiment's window and arm:
    revenue of conversions, and the value paid on events that carry a coupon."""
    where = ["x.experiment = ?"]
    params: list[Any] = [cfg.name]
    if cfg.start:
        where.append("e.timestamp >= CAST(? AS TIMESTAMPTZ)")
        params.append(cfg.start)
    if cfg.end:
        where.append("e.timestamp < CAST(? AS TIMESTAMPTZ)")
        params.append(cfg.end)
    with ws.connect(read_only=True) as con:
        found = con.execute(
            "SELECT CAST(date_trunc('day', e.timestamp) AS DATE)::VARCHAR AS day, x.arm, "
            f"coalesce(sum(e.value) FILTER (WHERE e.event_type IN {CONVERSION_SQL}), 0), "
            "coalesce(sum(e.value) FILTER (WHERE e.coupon_id IS NOT NULL), 0) "
            "FROM events e JOIN exposures x USING (user_id) "
            f"WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY day",
            params,
        ).fetchall()
    return [(str(d), str(a), float(v), float(c)) for d, a, v, c in found]
