"""The experiments section: each experiment's arms, SRM check, lifts with their intervals
(an interval plot per metric), chance to win, guardrails and KPIs per arm."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from seamline.data.store import store_exists
from seamline.errors import SeamlineError
from seamline.report import charts
from seamline.report.sections import EMPTY, Section, finite, render_fragment

if TYPE_CHECKING:
    from seamline.data.store import Store

SECTION_ID = "experiments"
SECTION_TITLE = "Experiments"
KPI_COLUMNS = (
    ("users", "Users", "num"),
    ("active_users", "Active", "num"),
    ("ctr", "CTR", "pct"),
    ("conversion", "Conversion (active)", "pct"),
    ("revenue", "Revenue", "money"),
    ("arpu", "ARPU (active)", "money"),
    ("revenue_per_user", "Revenue / user", "money"),
    ("offer_cost", "Offer cost", "money"),
    ("incremental_revenue", "Incremental revenue", "money"),
    ("incremental_roi", "Incremental ROI", "num"),
    ("d1_retention", "D1 retention", "pct"),
    ("d7_retention", "D7 retention", "pct"),
    ("completion", "Course completion", "pct"),
)


def interval_chart(results: Sequence[Mapping[str, Any]], *, label: str = "lifts") -> Markup:
    """One panel per metric: each arm's estimate with its interval, and the zero line."""
    metrics = list(dict.fromkeys(str(r["metric"]) for r in results))
    rows_per = {m: [r for r in results if r["metric"] == m] for m in metrics}
    height = 0.5 + sum(0.45 + 0.32 * len(v) for v in rows_per.values())
    with charts._figure(7.0, max(height, 1.4)) as fig:
        axes = fig.subplots(max(len(metrics), 1), 1, squeeze=False)[:, 0]
        for i, (ax, m) in enumerate(zip(axes, metrics, strict=False)):
            rows = rows_per[m]
            ys = list(range(len(rows)))
            for y, r in zip(ys, rows, strict=True):
                est, lo, hi = (_num(r.get(k)) for k in ("estimate", "ci_low", "ci_high"))
                if math.isnan(est):
                    ax.text(0, y, f"no estimate: {r.get('reason') or 'n/a'}", va="center")
                    continue
                win = lo > 0 or hi < 0
                color = charts.PALETTE[i % len(charts.PALETTE)] if win else "#7d8590"
                ax.errorbar(
                    [est], [y], xerr=[[est - lo], [hi - est]], fmt="o", color=color, capsize=3
                )
            ax.axvline(0, color="#1f2328", linewidth=0.8)
            ax.set_yticks(ys, [charts.short(r["arm"]) for r in rows])
            ax.set_ylim(-0.7, len(rows) - 0.3)
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            relative = bool(rows and rows[0].get("relative"))
            ax.set_title(f"{m} ({'relative lift' if relative else 'difference'})", loc="left")
        return charts.to_svg(fig, label)


def _num(v: Any) -> float:
    try:
        return math.nan if v is None else float(v)
    except (TypeError, ValueError):
        return math.nan


def analysis_html(report: Mapping[str, Any], *, title: str | None = None) -> str:
    """An analysis (the dict of `Analysis.to_dict` or `experiment_report`) as a fragment."""
    results = list(report.get("results", []))
    rows = []
    for r in results:
        rows.append(
            {
                **r,
                **{k: _sig(r.get(k)) for k in ("control_mean", "treatment_mean", "abs_lift")},
                "p_value": _p(r.get("p_value")),
                "p_value_adjusted": _p(r.get("p_value_adjusted")),
                "interval": _interval(r),
                "guard": ("failed" if r.get("guardrail_failed") else "ok")
                if r.get("guardrail")
                else "",
                "note": r.get("reason") or "",
            }
        )
    kpis = report.get("kpis") or {}
    kpi_rows = [{"group": g, **v} for g, v in kpis.items()]
    return render_fragment(
        "experiments.html.j2",
        title=title,
        arms=[{"arm": a, "units": n} for a, n in (report.get("arms") or {}).items()],
        srm_p=report.get("srm_p_value"),
        srm_flagged=bool(report.get("srm_flagged")),
        settings=report.get("settings") or {},
        rows=rows,
        chart=interval_chart(results) if results else None,
        kpi_rows=kpi_rows,
        kpi_columns=[{"key": k, "label": lab, "fmt": f} for k, lab, f in KPI_COLUMNS],
        segments=[
            {
                **r,
                **{k: _sig(r.get(k)) for k in ("abs_lift", "ci_low", "ci_high")},
                "p_value": _p(r.get("p_value")),
            }
            for r in report.get("segments") or []
        ],
        experiment=report.get("experiment"),
    )


def _sig(v: Any) -> str:
    x = finite(_num(v))
    return EMPTY if x is None else f"{x:.4g}"


def _p(v: Any) -> str:
    x = finite(_num(v))
    if x is None:
        return EMPTY
    return "< 0.0001" if x < 1e-4 else f"{x:.4f}"


def _interval(r: Mapping[str, Any]) -> str:
    lo, hi = _num(r.get("ci_low")), _num(r.get("ci_high"))
    if math.isnan(lo):
        return "—"
    if r.get("relative"):
        return f"[{lo:+.1%}, {hi:+.1%}]"
    return f"[{lo:+.4g}, {hi:+.4g}]"


def analysis_section(report: Mapping[str, Any], *, title: str = SECTION_TITLE) -> Section:
    return Section(SECTION_ID, title, analysis_html(report))


def experiments_section(workspace: Store) -> Section | None:
    """Every experiment stored in the workspace, analysed with its recorded settings;
    None when there is none."""
    from seamline.experiments.report import analysis_settings, experiment_report
    from seamline.experiments.store import exposed_designs

    if not store_exists(workspace):
        return None
    found = exposed_designs(workspace)
    if not found:
        return None
    parts = []
    for name, config in found:
        settings = analysis_settings(config.get("extra", {}))
        try:
            report = experiment_report(workspace, name, **settings)
        except SeamlineError as e:  # one broken experiment must not hide the others
            parts.append(render_fragment("experiments_error.html.j2", name=name, error=str(e)))
            continue
        parts.append(analysis_html(report, title=str(name)))
    return Section(SECTION_ID, SECTION_TITLE, "\n".join(parts))
