"""The campaigns section: the newest plan's audience, offers, predicted against measured
incremental conversions and profit, the Qini curve of its uplift model, the expected
profit and ROI against the budget, and its message previews."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from seamline.campaigns import store as plans
from seamline.data.store import store_exists
from seamline.report import charts
from seamline.report.sections import Section, render_fragment

if TYPE_CHECKING:
    from seamline.data.store import Store

SECTION_ID = "campaigns"
SECTION_TITLE = "Campaigns"


def qini_chart(points: Sequence[Sequence[float]]) -> Markup:
    """The model's Qini curve against random targeting."""
    with charts._figure(6.0, 2.6) as fig:
        ax = fig.subplots()
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        ax.plot(xs, ys, color=charts.PALETTE[0], label="model")
        ax.plot([0, 1], [0, ys[-1] if ys else 0], color="#7d8590", linestyle="--", label="random")
        ax.set_xlabel("share of users targeted, by predicted uplift")
        ax.set_ylabel("incremental outcomes")
        ax.legend(loc="upper left")
        return charts.to_svg(fig, "Qini curve")


def roi_chart(curve: Sequence[Mapping[str, float]], budget: float) -> Markup:
    """Expected incremental profit (left) and ROI (right) as the budget grows."""
    with charts._figure(6.0, 2.6) as fig:
        left, right = fig.subplots(1, 2)
        xs = [c["budget"] for c in curve]
        left.plot(xs, [c["profit"] for c in curve], marker="o", color=charts.PALETTE[0])
        left.set_title("expected incremental profit", loc="left")
        right.plot(xs, [c["roi"] for c in curve], marker="o", color=charts.PALETTE[1])
        right.set_title("ROI (profit / spend)", loc="left")
        for ax in (left, right):
            ax.axvline(budget, color="#7d8590", linestyle="--", linewidth=0.8)
            ax.set_xlabel("budget")
        return charts.to_svg(fig, "ROI against budget")


def _comparison(summary: Mapping[str, Any], measured: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not measured:
        return []
    t = summary["totals"]

    def ci(v: Any) -> str:
        return f"[{v[0]:,.2f}, {v[1]:,.2f}]" if v else ""

    return [
        {
            "what": "conversions",
            "predicted": t["expected_incremental_conversions"],
            "predicted_ci": ci(t.get("expected_incremental_conversions_ci")),
            "measured": measured.get("incremental_conversions"),
            "measured_ci": ci(measured.get("incremental_conversions_ci")),
            "truth": measured.get("true_incremental_conversions"),
        },
        {
            "what": "profit (CNY)",
            "predicted": t["expected_incremental_profit"],
            "predicted_ci": ci(t.get("expected_incremental_profit_ci")),
            "measured": measured.get("incremental_profit"),
            "measured_ci": ci(measured.get("incremental_profit_ci")),
            "truth": measured.get("true_incremental_profit"),
        },
    ]


def campaigns_section(workspace: Store) -> Section | None:
    """The newest plan of the workspace; None when there is none."""
    if not store_exists(workspace) or not plans.list_plans(workspace):
        return None
    plan = plans.get_plan(workspace)
    summary, spec = plan["summary"], plan["spec"]
    t = summary["totals"]
    kinds = {o["id"]: o["kind"] for o in spec["offers"]}
    headline = [
        {"key": "users", "label": "Planned users", "value": t["users"], "note": ""},
        {"key": "holdout", "label": "Held out", "value": t["holdout_users"],
         "note": f"{spec['holdout_share']:.0%} at random"},
        {"key": "spend", "label": "Expected spend (CNY)", "value": t["spend"],
         "note": f"budget {t['budget']:,.0f}"},
        {"key": "profit", "label": "Expected incremental profit",
         "value": t["expected_incremental_profit"], "note": "CNY"},
        {"key": "roi", "label": "Expected ROI", "value": t["roi"], "note": "profit / spend"},
    ]  # fmt: skip
    model = summary["model"]
    html = render_fragment(
        "campaigns.html.j2",
        headline=headline,
        plan=plan,
        spec=spec,
        model=model,
        comparison=_comparison(summary, plan["results"].get("measured", {})),
        power=summary.get("power"),
        cuped=plan["results"].get("measured", {}).get("variance_note"),
        steps=summary["audience_steps"],
        offers=[{"offer": k, "kind": kinds.get(k, ""), **v} for k, v in summary["offers"].items()],
        qini_chart=qini_chart(model["qini_curve"]) if model.get("qini_curve") else None,
        roi_chart=roi_chart(summary["roi_curve"], t["budget"]) if summary["roi_curve"] else None,
        previews=summary["previews"],
    )
    return Section(SECTION_ID, SECTION_TITLE, html)
