"""The marketing overview: the store's activity with the headline KPIs (conversion, ARPU,
ROI ...) overall and per domain, as the experiments' KPI definitions compute them."""

from __future__ import annotations

from typing import Any

from seamline.data.browse import activity, plain
from seamline.data.store import Store
from seamline.experiments.kpis import compute_kpis


def overview(ws: Store, *, days: int = 120) -> dict[str, Any]:
    """Totals, KPIs overall (`all`) and per domain, and daily activity over the last `days`."""
    act = activity(ws, days=days)
    domains = act.pop("domains")
    kpis: dict[str, Any] = {}
    with ws.connect(read_only=True) as con:
        if act["events"]:
            kpis["all"] = compute_kpis(con).get("all", {})
        for d in domains:
            kpis[d] = compute_kpis(con, domain=d).get("all", {})
    return {**act, "kpis": plain(kpis)}
