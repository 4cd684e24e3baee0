"""`seamline ab`: design (sample size, MDE), create, assign, analyze, list, kpis, campaign."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.ab_output import analysis_table, fmt_kpi, write_report
from seamline.cli.common import JsonOpt, WorkspaceOpt, emit, one_line_errors, out
from seamline.errors import ConfigError
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

ab = typer.Typer(
    no_args_is_help=True,
    help="A/B experiments: design, assignment, analysis and KPIs.",
)

AlphaOpt = Annotated[float, typer.Option(help="Significance level (two-sided).")]


def _pairs(values: list[str], what: str) -> dict[str, str]:
    """NAME=VALUE options -> dict."""
    got = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise ConfigError(f"{what} {v!r}: expected NAME=VALUE")
        got[name.strip()] = rest.strip()
    return got


def _weights(spec: str | None) -> dict[str, float] | None:
    if not spec:
        return None
    from seamline.experiments.assignment import parse_arms

    return {a.name: a.weight for a in parse_arms(spec)}


@ab.command()
@one_line_errors
def design(
    baseline: Annotated[
        float | None,
        typer.Option(help="Baseline conversion rate (proportion metrics) or mean (--sd given)."),
    ] = None,
    mde: Annotated[
        float | None, typer.Option(help="Minimum detectable effect (absolute unless --relative).")
    ] = None,
    sd: Annotated[
        float | None, typer.Option(help="Per-user standard deviation: makes it a mean metric.")
    ] = None,
    relative: Annotated[bool, typer.Option(help="--mde is relative to the baseline.")] = False,
    alpha: AlphaOpt = 0.05,
    power: Annotated[float, typer.Option(help="Power (1 - type II error).")] = 0.8,
    ratio: Annotated[float, typer.Option(help="Treatment units per control unit.")] = 1.0,
    daily_users: Annotated[
        float | None, typer.Option(help="Eligible users per day (for days needed / MDE).")
    ] = None,
    days: Annotated[float | None, typer.Option(help="Duration in days (gives the MDE).")] = None,
    n_per_arm: Annotated[
        float | None, typer.Option(help="Control units available (gives the MDE).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sample size per arm for an MDE, or the MDE for a given traffic and duration."""
    from seamline.experiments import power as pw

    if baseline is None and sd is None:
        raise ConfigError("give --baseline (a rate) or --sd (and --baseline for a relative MDE)")
    if mde is not None:
        if sd is not None:
            res = pw.sample_size_means(
                sd, mde, baseline=baseline, relative=relative, alpha=alpha, power=power,
                ratio=ratio, daily_units=daily_users,
            )  # fmt: skip
        else:
            assert baseline is not None
            res = pw.sample_size_proportions(
                baseline, mde, relative=relative, alpha=alpha, power=power, ratio=ratio,
                daily_units=daily_users,
            )  # fmt: skip
        data: dict[str, Any] = {"mode": "sample_size", **res.to_dict()}
    else:
        if n_per_arm is None:
            if daily_users is None or days is None:
                raise ConfigError("give --mde, or --n-per-arm, or --daily-users with --days")
            n_per_arm = pw.traffic_units(daily_users, days, share=1 / (1 + ratio))
        if sd is not None:
            effect = pw.mde_means(sd, n_per_arm, alpha=alpha, power=power, ratio=ratio)
        else:
            assert baseline is not None
            effect = pw.mde_proportions(baseline, n_per_arm, alpha=alpha, power=power, ratio=ratio)
        data = {
            "mode": "mde",
            "n_control": n_per_arm,
            "mde": effect,
            "mde_relative": effect / baseline if baseline else None,
            "alpha": alpha,
            "power": power,
        }

    def render(d: dict[str, Any]) -> None:
        if d["mode"] == "sample_size":
            days_txt = f", {d['days']} days of traffic" if d["days"] is not None else ""
            out.print(
                f"{d['n_control']:,} control + {d['n_treatment']:,} treatment = "
                f"{d['total']:,} units{days_txt} (effect {d['effect']:.4g}, alpha "
                f"{d['alpha']}, power {d['power']})"
            )
        else:
            rel = f" ({d['mde_relative']:.2%} relative)" if d["mde_relative"] else ""
            out.print(f"MDE {d['mde']:.4g}{rel} with {d['n_control']:,.0f} control units")

    emit(data, as_json, render)


@ab.command()
@one_line_errors
def create(
    name: Annotated[str, typer.Option(help="Experiment name (also the default hash salt).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    arms: Annotated[
        str, typer.Option(help="Arms and weights, first is control: control:50,treatment:50.")
    ] = "control:50,treatment:50",
    salt: Annotated[str | None, typer.Option(help="Hash salt (default: the name).")] = None,
    layer: Annotated[
        str | None, typer.Option(help="Layer: experiments in one layer never share users.")
    ] = None,
    layer_range: Annotated[
        str, typer.Option(help="Share of the layer's traffic, LOW,HIGH in [0, 1].")
    ] = "0,1",
    holdout: Annotated[float, typer.Option(help="Share of users held out of every arm.")] = 0.0,
    metric: Annotated[
        list[str] | None, typer.Option(help="Metrics: conversion, revenue, orders, ctr, ...")
    ] = None,
    guardrail: Annotated[list[str] | None, typer.Option(help="Guardrail metrics.")] = None,
    start: Annotated[str | None, typer.Option(help="Outcome window start (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option(help="Outcome window end (ISO 8601).")] = None,
    domain: Annotated[str | None, typer.Option(help="Count outcomes in one domain.")] = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing design.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store an experiment's design in the workspace."""
    from seamline.experiments.assignment import ExperimentConfig, parse_arms
    from seamline.experiments.store import create_experiment

    try:
        lo, hi = (float(x) for x in layer_range.split(","))
    except ValueError:
        raise ConfigError(f"--layer-range {layer_range!r}: expected LOW,HIGH") from None
    cfg = ExperimentConfig(
        name=name,
        arms=parse_arms(arms),
        salt=salt,
        layer=layer,
        layer_range=(lo, hi),
        holdout=holdout,
        metrics=tuple(metric or ("conversion", "revenue")),
        guardrails=tuple(guardrail or ()),
        start=start,
        end=end,
        domain=domain,
    )
    saved = create_experiment(Workspace(workspace), cfg, replace=replace)
    emit(saved.to_dict(), as_json, lambda d: out.print(f"experiment {d['name']}: {d['arms']}"))


@ab.command()
@one_line_errors
def assign(
    experiment: Annotated[str, typer.Option(help="Experiment name.")],
    users: Annotated[list[str] | None, typer.Argument(help="User ids.")] = None,
    users_file: Annotated[Path | None, typer.Option(help="File with one user id per line.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    as_json: JsonOpt = False,
) -> None:
    """Assign users (deterministically) and record their exposures; refused outside the
    experiment's window."""
    from seamline.experiments.store import assign_users

    ids = list(users or [])
    if users_file is not None:
        ids += [ln.strip() for ln in users_file.read_text(encoding="utf-8").splitlines()]
        ids = [u for u in ids if u]
    if not ids:
        raise ConfigError("give user ids as arguments or --users-file")
    arms = assign_users(Workspace(workspace), experiment, ids, live=True)
    data = [{"user_id": u, "arm": a} for u, a in zip(ids, arms, strict=True)]

    def render(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            out.print(f"{r['user_id']}\t{r['arm'] or '(not in experiment)'}")

    emit(data, as_json, render)


@ab.command()
@one_line_errors
def analyze(
    data: Annotated[
        Path | None, typer.Option(help="CSV of per-user rows (instead of --experiment).")
    ] = None,
    arm_col: Annotated[str | None, typer.Option(help="Column holding each row's arm.")] = None,
    control: Annotated[str | None, typer.Option(help="Name of the control arm.")] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(help="Metric column (0/1, TRUE/FALSE or numbers); repeat for more."),
    ] = None,
    ratio: Annotated[
        list[str] | None,
        typer.Option(help="Ratio metric NAME=NUMERATOR/DENOMINATOR, e.g. ctr=clicks/views."),
    ] = None,
    cuped: Annotated[
        list[str] | None,
        typer.Option(help="CUPED: METRIC=PRE_PERIOD_COLUMN (CSV); with --experiment: 'all'."),
    ] = None,
    guardrail: Annotated[
        list[str] | None, typer.Option(help="Metric that must not get significantly worse.")
    ] = None,
    inverse: Annotated[list[str] | None, typer.Option(help="Metric where lower is better.")] = None,
    segment_col: Annotated[str | None, typer.Option(help="Break down by this column.")] = None,
    weights: Annotated[
        str | None, typer.Option(help="Designed arm weights for the SRM check: a:1,b:1.")
    ] = None,
    experiment: Annotated[
        str | None, typer.Option(help="Analyse this workspace experiment instead of a CSV.")
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    segment_by: Annotated[
        str | None,
        typer.Option(help="With --experiment: segment, gender, age_band, city or occupation."),
    ] = None,
    relative: Annotated[bool, typer.Option(help="Intervals on the relative lift.")] = False,
    sequential: Annotated[
        bool, typer.Option(help="Always-valid sequential intervals (safe under peeking).")
    ] = False,
    tuning: Annotated[
        float | None, typer.Option(help="Sequential tuning N* (default: the units analysed).")
    ] = None,
    looks: Annotated[
        int | None,
        typer.Option(help="Group-sequential: equally spaced looks planned (with --planned-n)."),
    ] = None,
    planned_n: Annotated[
        int | None, typer.Option(help="Group-sequential: units planned at the last look.")
    ] = None,
    alpha: AlphaOpt = 0.05,
    correction: Annotated[
        str, typer.Option(help="Multiple-testing correction: none, holm or bh.")
    ] = "none",
    unpooled: Annotated[
        bool, typer.Option(help="z-test p-value from the unpooled variance (as the interval).")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Also write a standalone HTML report here.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare each arm with control: lifts, intervals, p-values, chance to win, SRM."""
    from seamline.experiments.analyze import Method

    method: Method = "sequential" if sequential else "fixed"
    if looks is not None or planned_n is not None:
        if sequential:
            raise ConfigError("choose --sequential or --looks/--planned-n, not both")
        method = "group-sequential"
    if (data is None) == (experiment is None):
        raise ConfigError("give either --data FILE.csv or --experiment NAME")
    if experiment is not None:
        from seamline.experiments.report import experiment_report

        result = experiment_report(
            Workspace(workspace),
            experiment,
            metrics=metric or None,
            alpha=alpha,
            relative=relative,
            method=method,
            tuning=tuning,
            correction=correction,
            cuped=bool(cuped),
            segment_by=segment_by,
            looks=looks,
            planned_n=planned_n,
        )
        title = experiment
    else:
        from seamline.experiments.analyze import analyze_table

        assert data is not None
        if not arm_col or not control:
            raise ConfigError("--data needs --arm-col and --control")
        analysis = analyze_table(
            data,
            arm_col,
            list(metric or []),
            control=control,
            ratios=_pairs(list(ratio or []), "--ratio"),
            covariates=_pairs(list(cuped or []), "--cuped"),
            guardrails=guardrail or [],
            inverse=inverse or [],
            segment_col=segment_col,
            weights=_weights(weights),
            alpha=alpha,
            relative=relative,
            method=method,
            tuning=tuning,
            correction=correction,
            pooled=not unpooled,
            looks=looks,
            planned_n=planned_n,
        )
        result = analysis.to_dict()
        title = data.name
    if report is not None:
        result["report"] = write_report(result, report, title)
    emit(result, as_json, analysis_table)


@ab.command("list")
@one_line_errors
def list_(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, as_json: JsonOpt = False) -> None:
    """Experiments in the workspace with their exposures per arm."""
    from seamline.experiments.store import list_experiments

    def render(rows: list[dict[str, Any]]) -> None:
        t = Table(title="experiments")
        for c in ("name", "arms", "layer", "status", "exposures"):
            t.add_column(c)
        for r in rows:
            t.add_row(
                r["name"],
                ", ".join(f"{a} {w:.0%}" for a, w in r["arms"].items()),
                r["layer"] or "",
                r["status"],
                ", ".join(f"{a} {n:,}" for a, n in r["exposures"].items()),
            )
        out.print(t)

    emit(list_experiments(Workspace(workspace)), as_json, render)


@ab.command()
@one_line_errors
def kpis(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    start: Annotated[str | None, typer.Option(help="Window start (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option(help="Window end (ISO 8601).")] = None,
    domain: Annotated[str | None, typer.Option(help="knowledge, fashion or other.")] = None,
    offer_cost: Annotated[float | None, typer.Option(help="Total offer cost, for ROI.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """CTR, conversion, revenue, ARPU, ROI, D1/D7 retention, course completion."""
    from seamline.experiments.analyze import json_ready
    from seamline.experiments.kpis import compute_kpis

    with Workspace(workspace).connect(read_only=True) as con:
        res = compute_kpis(con, start=start, end=end, domain=domain, offer_cost=offer_cost)
    clean = json_ready(res)

    def render(d: dict[str, Any]) -> None:
        for group, k in d.items():
            out.print(
                f"[bold]{group}[/bold]: " + ", ".join(f"{m} {fmt_kpi(v)}" for m, v in k.items())
            )

    emit(clean, as_json, render)


@ab.command()
@one_line_errors
def campaign(
    world: Annotated[Path, typer.Argument(help="A synthetic world folder (seamline synth).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    as_json: JsonOpt = False,
) -> None:
    """Record the synthetic world's coupon campaign as an experiment and analyse it."""
    from seamline.experiments.campaign_log import analyze_synthetic_campaign

    emit(analyze_synthetic_campaign(Workspace(workspace), world), as_json, analysis_table)


app = typer.Typer()
app.add_typer(ab, name="ab")
