"""A plan's audience for a partner (the brand that sends the messages): one row per user of
the campaign arm with a partner-specific keyed id, the offer, channel and language, and
generalised age, gender and city, through the privacy export gate (k-anonymity over offer,
channel, language and the quasi-identifiers; suppression cap; no PII; audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from seamline.privacy.export import QUASI_IDENTIFIERS, ExportSummary, age_source, finish_export
from seamline.privacy.kanon import anonymise

if TYPE_CHECKING:
    from seamline.data.store import Store
    from seamline.pii.keyring import KeyRing

FIXED = ("offer_id", "channel", "language")


def export_plan(
    ws: Store,
    plan: int | str | None,
    out: str | Path,
    *,
    k: int = 10,
    partner: str = "partner",
    keyring: KeyRing | None = None,
    max_suppression: float = 0.05,
) -> ExportSummary:
    """Write the plan's campaign-arm audience to `out` (CSV) for `partner`, k-anonymous; the
    holdout never leaves the workspace (it must not be contacted)."""
    from seamline.campaigns import store
    from seamline.pii.keyring import KeyRing

    plan_id = store.resolve_plan(ws, plan)
    with ws.connect() as con:
        people = con.execute(
            "SELECT a.user_id, a.offer_id, a.channel, a.language, u.age, u.age_band, u.gender, "
            "u.city FROM campaign_allocations a LEFT JOIN users u USING (user_id) "
            "WHERE a.plan_id = ? AND a.arm = 'campaign' ORDER BY a.user_id",
            [plan_id],
        ).df()
        people = age_source(people)
        result = anonymise(
            people, QUASI_IDENTIFIERS, k, fixed=FIXED, max_suppression=max_suppression
        )
        g = result.frame
        ring = keyring or KeyRing.load()
        frame = pd.DataFrame(
            {
                "partner_id": [ring.derive(f"partner:{partner}", u) for u in g["user_id"]],
                **{c: g[c] for c in FIXED},
                **{q: g[q] for q in QUASI_IDENTIFIERS},
            }
        ).sort_values([*FIXED, "partner_id"])
        return finish_export(
            con,
            f"plan {plan_id}",
            Path(out),
            frame,
            [*FIXED, *QUASI_IDENTIFIERS],
            None,
            k=k,
            levels=result.levels,
            suppressed=result.suppressed,
            population=len(people),
            max_suppression=max_suppression,
        )
