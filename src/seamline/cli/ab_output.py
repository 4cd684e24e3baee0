"""What `seamline ab` prints: the analysis and KPI tables, and the standalone HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from seamline.cli.common import out


def fmt_g(v: Any, fmt: str = ".4g") -> str:
    return "—" if v is None else format(v, fmt)


def fmt_p(v: Any) -> str:
    if v is None:
        return "—"
    return "< 0.0001" if v < 1e-4 else f"{v:.4f}"


def fmt_kpi(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}" if abs(v) >= 100 else f"{v:.4g}"


def analysis_table(r: dict[str, Any]) -> None:
    arms = ", ".join(f"{a} {n:,}" for a, n in r["arms"].items())
    srm = r["srm_p_value"]
    flag = " [red]SAMPLE-RATIO MISMATCH[/red]" if r.get("srm_flagged") else ""
    out.print(f"units: {arms}; SRM p = {fmt_g(srm, '.3g')}{flag}")
    s = r["settings"]
    scale = "relative lift" if s["relative"] else "difference"
    t = Table(title=f"{s['method']} analysis, {scale}, alpha {s['alpha']}")
    for c in ("metric", "arm", "control", "treatment", "lift", "interval", "p", "p adj", "P(win)"):
        t.add_column(c, justify="left" if c in ("metric", "arm", "interval") else "right")
    for x in r["results"]:
        lift = x["rel_lift"] if s["relative"] else x["abs_lift"]
        if x["ci_low"] is None:
            interval = f"n/a: {x['reason']}"
        else:
            interval = f"[{x['ci_low']:+.4g}, {x['ci_high']:+.4g}]"
        name = x["metric"] + (" (guardrail FAILED)" if x.get("guardrail_failed") else "")
        t.add_row(
            name,
            x["arm"],
            fmt_g(x["control_mean"]),
            fmt_g(x["treatment_mean"]),
            fmt_g(lift, "+.4g") if lift is not None else "—",
            interval,
            fmt_p(x["p_value"]),
            fmt_p(x.get("p_value_adjusted")),
            fmt_g(x["chance_to_win"], ".1%") if x["chance_to_win"] is not None else "—",
        )
    out.print(t)
    if r.get("segments"):
        seg = Table(title="by segment")
        for c in ("segment", "metric", "arm", "n", "lift", "interval", "p"):
            seg.add_column(c, justify="right" if c in ("n", "lift", "p") else "left")
        for x in r["segments"]:
            lift = x["rel_lift"] if s["relative"] else x["abs_lift"]
            ok = x["ci_low"] is not None
            seg.add_row(
                x["segment"],
                x["metric"],
                x["arm"],
                f"{x['n_control']:,} / {x['n_treatment']:,}",
                fmt_g(lift, "+.4g") if lift is not None else "—",
                f"[{x['ci_low']:+.4g}, {x['ci_high']:+.4g}]" if ok else f"n/a: {x['reason']}",
                fmt_p(x["p_value"]),
            )
        out.print(seg)
    if r.get("report"):
        out.print(f"report: {r['report']}")


def write_report(r: dict[str, Any], path: Path, title: str) -> str:
    from seamline.report import render_report
    from seamline.report.experiments import analysis_section

    html = render_report([analysis_section(r, title=title)], title=f"Experiment: {title}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return str(path.resolve())
