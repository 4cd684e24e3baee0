"""What a plan learns from: a past randomised campaign (an experiment with exposures) and
per-user behaviour features as of a moment.

Features are counted in SQL over the `LOOKBACK_DAYS` before a moment, so the model is
trained on the behaviour before the past campaign and scores users on the behaviour before
the new one (the same columns, no outcome leaking into them). The outcome is a purchase or
enrolment in the goal's domain inside the past campaign's window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.data.columns import CONVERSION_TYPES
from seamline.errors import DataError
from seamline.experiments.assignment import HOLDOUT, ExperimentConfig
from seamline.experiments.store import exposed_designs, exposure_groups

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import Store

LOOKBACK_DAYS = 120
RECENT_DAYS = 30
DOMAINS = ("knowledge", "fashion")
PLAN_PREFIX = "campaign-"  # experiments that measure plans are not learned from


def feature_sql() -> str:
    """Per-user features over [as_of - LOOKBACK_DAYS, as_of) for users in `_who`; two
    parameters: as_of, as_of (the window's end, used twice)."""
    buy = "(" + ", ".join(f"'{t}'" for t in CONVERSION_TYPES) + ")"
    cols = []
    for d in DOMAINS:
        in_d = f"e.domain = '{d}'"
        recent = f"e.timestamp >= w.hi - INTERVAL {RECENT_DAYS} DAY"
        cols += [
            f"count(*) FILTER (WHERE {in_d} AND e.event_type = 'view') AS {d}_views",
            f"count(*) FILTER (WHERE {in_d} AND e.event_type = 'click') AS {d}_clicks",
            f"count(*) FILTER (WHERE {in_d} AND e.event_type = 'cart') AS {d}_carts",
            f"count(*) FILTER (WHERE {in_d} AND e.event_type IN {buy}) AS {d}_buys",
            f"coalesce(sum(e.value) FILTER (WHERE {in_d} AND e.event_type IN {buy}), 0)"
            f" AS {d}_spend",
            f"count(*) FILTER (WHERE {in_d} AND {recent}) AS {d}_recent_events",
            f"count(*) FILTER (WHERE {in_d} AND {recent} AND e.event_type IN "
            f"('click', 'cart')) AS {d}_recent_intent",
            f"avg(i.price) FILTER (WHERE {in_d}) AS {d}_price_seen",
        ]
    cols += [
        "count(DISTINCT CAST(e.timestamp AS DATE)) AS active_days",
        "date_diff('day', max(e.timestamp), any_value(w.hi)) AS days_since_active",
    ]
    body = ",\n       ".join(cols)
    return f"""
WITH w AS (SELECT CAST(? AS TIMESTAMPTZ) AS hi),
ev AS (
    SELECT e.* FROM events e JOIN _who USING (user_id), w
    WHERE e.timestamp < w.hi AND e.timestamp >= w.hi - INTERVAL {LOOKBACK_DAYS} DAY)
SELECT e.user_id,
       {body}
FROM ev e CROSS JOIN w
LEFT JOIN items i ON i.item_id = e.item_id AND i.domain = e.domain
GROUP BY e.user_id"""


def behaviour_features(
    con: duckdb.DuckDBPyConnection, user_ids: list[str], as_of: datetime
) -> pd.DataFrame:
    """One row per user of `user_ids` (in that order), zeros for users without events."""
    who = pd.DataFrame({"user_id": pd.Series(user_ids, dtype="string")})
    con.register("_who", who)
    try:
        frame = con.execute(feature_sql(), [as_of]).df()
    finally:
        con.unregister("_who")
    out = who.merge(frame, on="user_id", how="left").set_index("user_id")
    # A price never seen falls back to the median user's, not to 0 (a price of 0 is a signal).
    for d in DOMAINS:
        col = f"{d}_price_seen"
        out[col] = out[col].astype("float64").fillna(out[col].median()).fillna(0.0)
    out["days_since_active"] = out["days_since_active"].astype("float64").fillna(LOOKBACK_DAYS)
    return out.fillna(0).astype("float64")


@dataclass(frozen=True)
class History:
    """A past randomised campaign as training rows: features, treatment 0/1, outcome."""

    experiment: str
    treatment_arm: str
    features: pd.DataFrame
    treatment: np.ndarray
    outcome: np.ndarray
    days: float  # the past campaign's window length
    strength: float | None  # its discount share, when the design records one


def past_campaign(ws: Store, name: str | None, before: datetime) -> tuple[str, dict[str, Any]]:
    """The experiment to learn from: `name`, or the newest exposed one that ended before
    `before` and is not itself a plan's holdout."""
    designs = exposed_designs(ws)
    if name is not None:
        for n, cfg in designs:
            if n == name:
                return n, cfg
        known = ", ".join(n for n, _ in designs) or "none"
        raise DataError(f"learn_from: no experiment {name!r} with exposures; known: {known}")
    for n, cfg in reversed(designs):
        end = cfg.get("end")
        if n.startswith(PLAN_PREFIX) or not end or not cfg.get("start"):
            continue
        if datetime.fromisoformat(str(end).replace("Z", "+00:00")) <= before:
            return n, cfg
    raise DataError(
        "no past randomised campaign to learn from: record one as an experiment with "
        "exposures and a window (seamline ab create / import) or name it in learn_from"
    )


def load_history(ws: Store, name: str | None, domain: str, before: datetime) -> History:
    """Training rows from the past campaign: one per exposed user of control or its first
    treatment arm, features as of its start, outcome = bought in `domain` in its window."""
    exp, cfg = past_campaign(ws, name, before)
    arms = [a["name"] for a in cfg["arms"]]
    control = cfg.get("control") or arms[0]
    treated = next(a for a in arms if a != control)
    start = datetime.fromisoformat(str(cfg["start"]).replace("Z", "+00:00"))
    end = datetime.fromisoformat(str(cfg["end"]).replace("Z", "+00:00"))
    exposures = exposure_groups(ExperimentConfig.from_dict(cfg))
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT x.user_id, x.grp = ? AS t, EXISTS (SELECT 1 FROM events e "
            "WHERE e.user_id = x.user_id AND e.domain = ? AND e.event_type IN "
            f"({', '.join('?' for _ in CONVERSION_TYPES)}) AND e.timestamp >= ? "
            f"AND e.timestamp < ?) AS y FROM {exposures} x "
            "WHERE x.grp IN (?, ?) AND x.grp <> ? ORDER BY x.user_id",
            [treated, domain, *CONVERSION_TYPES, start, end, control, treated, HOLDOUT],
        ).fetchall()
        if not rows:
            raise DataError(f"experiment {exp!r} has no exposures in {control!r}/{treated!r}")
        users = [str(r[0]) for r in rows]
        features = behaviour_features(con, users, start)
    discount = (cfg.get("extra") or {}).get("discount")
    return History(
        experiment=exp,
        treatment_arm=treated,
        features=features,
        treatment=np.array([bool(r[1]) for r in rows], dtype=np.int64),
        outcome=np.array([bool(r[2]) for r in rows], dtype=np.float64),
        days=(end - start).total_seconds() / 86400,
        strength=float(discount) if discount else None,
    )
