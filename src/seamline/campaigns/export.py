"""A plan's audience for a partner: who gets which offer, through the k-anonymity gate
(`privacy.export.export_people`): partner-keyed ids, generalised age, gender and city,
every (offer, age, gender, city) class at least k users; held-out users are not sent."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.campaigns import store
from seamline.privacy.export import export_people

if TYPE_CHECKING:
    from seamline.pii.keyring import KeyRing
    from seamline.workspace import Workspace


def export_plan(
    ws: Workspace,
    out: str | Path,
    plan: int | str | None = None,
    *,
    k: int = 10,
    partner: str = "partner",
    max_suppression: float = 0.05,
    keyring: KeyRing | None = None,
) -> dict[str, Any]:
    """Write the plan's campaign-arm users with their offer, k-anonymous; returns the
    export's summary (what the `.privacy.json` beside the file holds)."""
    plan_id = store.resolve_plan(ws, plan)
    frame = store.allocations(ws, plan_id)
    frame = frame.loc[frame["arm"] == "campaign", ["user_id", "offer_id"]]
    with ws.connect(read_only=True) as con:
        con.register("_plan_users", frame)
        try:
            people = con.execute(
                "SELECT p.user_id, p.offer_id, u.age, u.age_band, u.gender, u.city "
                "FROM _plan_users p LEFT JOIN users u USING (user_id) ORDER BY p.user_id"
            ).df()
        finally:
            con.unregister("_plan_users")
    summary = export_people(
        ws, people, out, what=f"campaign plan {plan_id}", fixed=("offer_id",), k=k,
        partner=partner, keyring=keyring, max_suppression=max_suppression,
    )  # fmt: skip
    return summary.to_dict()
