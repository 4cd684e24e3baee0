"""The privacy and fairness sections of the report.

Privacy: how ids are stored, the PII policy and what it caught, the DP budget and its
ledger, and the audit log (erasures and exports, by digest). Fairness: the latest fairness
audit (`seamline fairness`). Neither shows a raw id or any PII.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from seamline.data import store
from seamline.data.schema import has_table
from seamline.data.store import store_exists
from seamline.privacy import repo as privacy_repo
from seamline.report.sections import Section, render_fragment

if TYPE_CHECKING:
    from seamline.data.store import Store


def privacy_section(ws: Store) -> Section | None:
    """Always present once the workspace holds events: "ids are raw" is itself a finding."""
    from seamline.pii.policy import META_KEY, META_PII, PiiPolicy
    from seamline.privacy.dp import DEFAULT_TOTAL_EPSILON, META_TOTAL, MICRO, micro_budget

    if not store_exists(ws):
        return None
    with ws.connect(read_only=True) as con:
        if not has_table(con, "events") or not store.count(con, "events"):
            return None
        meta = privacy_repo.settings(con)
        pii_rows = privacy_repo.pii_rejects(con)
        ledger = [
            {"spent_at": r["spent_at"], "query": r["query"], "epsilon": r["epsilon"]}
            for r in privacy_repo.ledger(con)
        ]
        audit_rows = privacy_repo.audit_log(con, newest_first=True, limit=50)
    # The same rounding `dp.release` enforces (whole micro-epsilons), not float sums.
    micro_total, micro_spent = micro_budget(
        float(meta.get(META_TOTAL, DEFAULT_TOTAL_EPSILON)), (r["epsilon"] for r in ledger)
    )
    total, spent = micro_total / MICRO, micro_spent / MICRO
    fp = meta.get(META_KEY)
    ids = (
        f"keyed pseudonyms (HMAC-SHA256, key fingerprint {fp[:8]}…)"
        if fp
        else "raw (not pseudonymised: `seamline privacy pseudonymise`)"
    )
    policy = "none (free text not scanned)"
    if META_PII in meta:
        p = PiiPolicy.from_json(meta[META_PII])
        rules = ", ".join(f"{c}={a}" for c, a in p.columns.items())
        policy = p.default + (f" ({rules})" if rules else "")
    audit = []
    for row in audit_rows:
        at, action, subject, d = row["logged_at"], row["action"], row["subject"], row["detail"]
        if action == "forget":
            removed = d.get("rows_removed", {})
            summary = ", ".join(f"{t} {v}" for t, v in removed.items()) or "repeat: none left"
        else:
            summary = (
                f"{d.get('rows')} rows, k={d.get('k')}, {d.get('suppressed_users')} suppressed"
            )
        audit.append({"logged_at": at, "action": action, "subject": subject, "summary": summary})
    headline = [
        {
            "key": "pseudonymised",
            "value": "yes" if fp else "no",
            "label": "Ids pseudonymised",
            "note": None,
        },
        {
            "key": "pii",
            "value": sum(r["rows"] for r in pii_rows),
            "label": "Rows rejected for PII",
            "note": None,
        },
        {
            "key": "epsilon_left",
            "value": round(total - spent, 6),
            "label": "Epsilon left",
            "note": None,
        },
        {
            "key": "erasures",
            "value": sum(1 for a in audit if a["action"] == "forget"),
            "label": "Erasures",
            "note": None,
        },
        {
            "key": "exports",
            "value": sum(1 for a in audit if a["action"] == "export"),
            "label": "k-anonymous exports",
            "note": None,
        },
    ]
    html = render_fragment(
        "privacy.html.j2",
        headline=headline,
        ids=ids,
        policy=policy,
        budget={"total": total, "spent": spent},
        pii_rows=pii_rows,
        ledger=ledger,
        audit=audit,
    )
    return Section(id="privacy", title="Privacy", html=Markup(html))


def fairness_section(ws: Store) -> Section | None:
    from seamline.fairness.audit import latest_audit

    if not store_exists(ws):
        return None
    run = latest_audit(ws)
    if run is None:
        return None
    rr = run["rerank"]
    headline = [
        {
            "key": "brand_disparity",
            "value": round(run["exposure"]["brand"]["disparity"], 3),
            "label": "Brand exposure disparity",
            "note": None,
        },
        {
            "key": "domain_disparity",
            "value": round(run["exposure"]["domain"]["disparity"], 3),
            "label": "Domain exposure disparity",
            "note": None,
        },
        {
            "key": "rerank_disparity",
            "value": round(rr["brand_disparity_after"], 3),
            "label": "Brand disparity after re-ranking",
            "note": None,
        },
        {
            "key": "ndcg_cost",
            "value": round(rr["ndcg_cost"], 4),
            "label": f"NDCG@{run['k']} cost of re-ranking",
            "note": f"{rr['ndcg_before']:.4f} → {rr['ndcg_after']:.4f}",
        },
    ]
    groups = []
    for what, key, label in (
        ("quality", "mean", f"NDCG@{run['k']}"),
        ("coupons", "selection_rate", "Coupon rate"),
    ):
        for by, block in run.get(what, {}).items():
            groups.append(
                {
                    "what": label,
                    "by": by,
                    "groups": ", ".join(
                        f"{g}: {v[key]:.3f} (n={int(v['users'])})"
                        for g, v in block["by_group"].items()
                    ),
                    "difference": round(block["difference"], 4),
                    "ratio": round(block["ratio"], 3),
                }
            )
    html = render_fragment(
        "fairness.html.j2", headline=headline, run=run, exposure=run["exposure"], groups=groups
    )
    return Section(id="fairness", title="Fairness", html=Markup(html))
