"""`seamline campaign`: plan a campaign from a spec, show a plan, simulate it on a synthetic
world, export it for a partner."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, bars, emit, err, one_line_errors, out
from seamline.cli.privacy import KeyFileOpt
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

campaign = typer.Typer(
    no_args_is_help=True,
    help="Campaign plans: audience, offers under a budget, holdout, messages.",
)
PlanOpt = Annotated[
    str | None, typer.Option("--plan", help="Plan id or name (default: the newest).")
]
TOTALS = (
    "users", "budget", "spend", "expected_incremental_profit", "holdout_users", "languages",
)  # fmt: skip


def _plan_json(plan: dict[str, Any]) -> dict[str, Any]:
    t = plan["summary"]["totals"]
    return {
        "plan_id": plan["plan_id"],
        "name": plan["name"],
        "experiment": plan["experiment"],
        **{k: t[k] for k in TOTALS},
        **{k: v for k, v in t.items() if k not in TOTALS},
        "offers": plan["summary"]["offers"],
        "model": {k: v for k, v in plan["summary"]["model"].items() if k != "qini_curve"},
        "audience_steps": plan["summary"]["audience_steps"],
        "power": plan["summary"].get("power", {}),
        "results": plan.get("results", {}),
    }


def _render(data: dict[str, Any]) -> None:
    out.print(
        f"plan {data['plan_id']} ({data['name']}): {data['users']:,} users, "
        f"{data['holdout_users']:,} held out (experiment {data['experiment']}); spend "
        f"{data['spend']:,.2f} of {data['budget']:,.2f}; expected incremental profit "
        f"{data['expected_incremental_profit']:,.2f}; languages {', '.join(data['languages'])}"
    )
    t = Table(title="offers")
    for c in ("offer", "campaign users", "held out", "expected cost"):
        t.add_column(c, justify="left" if c == "offer" else "right")
    for oid, o in data["offers"].items():
        t.add_row(oid, f"{o['users']:,}", f"{o['holdout']:,}", f"{o['expected_cost']:,.2f}")
    out.print(t)
    power = data.get("power") or {}
    if power.get("mde_conversions") is not None:
        out.print(
            f"holdout detects {power['mde_conversions']:,.1f} incremental conversions "
            f"(alpha {power['alpha']}, power {power['power']:.0%}); predicted "
            f"{power['predicted_conversions']:,.1f}"
        )
    if power.get("warning"):
        err.print(f"warning: {power['warning']}")
    measured = data.get("results", {}).get("measured")
    if measured:
        out.print(
            f"measured: incremental conversions {measured['incremental_conversions']:+.2f} "
            f"(predicted {measured['predicted_incremental_conversions']:.2f}), profit "
            f"{measured['incremental_profit']:+,.2f} (predicted "
            f"{measured['predicted_incremental_profit']:,.2f})"
        )


@campaign.command("plan")
@one_line_errors
def plan_cmd(
    spec: Annotated[Path, typer.Argument(help="Campaign spec (YAML).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    as_json: JsonOpt = False,
) -> None:
    """Plan a campaign: audience, uplift per user and offer, allocation under the budget,
    a randomised holdout (an experiment) and a message per user."""
    from seamline.campaigns.plan import plan_campaign
    from seamline.campaigns.spec import load_spec

    loaded = load_spec(spec)
    with bars(as_json) as progress:
        plan = plan_campaign(Workspace(workspace), loaded, progress=progress)
    emit(_plan_json(plan), as_json, _render)


@campaign.command("show")
@one_line_errors
def show_cmd(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    plan: PlanOpt = None,
    previews: Annotated[bool, typer.Option(help="Also print the message previews.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a stored plan (and its simulated and measured results)."""
    from seamline.campaigns import store

    got = store.get_plan(Workspace(workspace), plan)
    data = _plan_json(got)
    if previews:
        data["previews"] = got["summary"]["previews"]

    def render(d: dict[str, Any]) -> None:
        _render(d)
        for p in d.get("previews", []):
            out.print(f"[bold]{p['offer_id']} {p['channel']} {p['language']}[/bold]: "
                      f"{p['title']} {p['body']}", highlight=False)  # fmt: skip

    emit(data, as_json, render)


@campaign.command("simulate")
@one_line_errors
def simulate_cmd(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    plan: PlanOpt = None,
    world: Annotated[
        Path | None,
        typer.Option(help="The synthetic world's folder (default: <workspace>/synthetic)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate users' responses to a plan from a synthetic world's truth, add them to the
    event store and measure the plan's holdout experiment."""
    from seamline.campaigns.simulate import measure_plan, simulate_plan

    ws = Workspace(workspace)
    drawn = simulate_plan(ws, world or ws.path / "synthetic", plan)
    measured = measure_plan(ws, plan)

    def render(d: dict[str, Any]) -> None:
        s, m = d["simulation"], d["measured"]
        out.print(
            f"simulated {s['events']} purchases ({s['buyers_campaign']} campaign, "
            f"{s['buyers_control']} control); measured incremental conversions "
            f"{m['incremental_conversions']:+.2f} [{m['incremental_conversions_ci'][0]:+.2f}, "
            f"{m['incremental_conversions_ci'][1]:+.2f}] vs predicted "
            f"{m['predicted_incremental_conversions']:.2f} (true "
            f"{m['true_incremental_conversions']}); profit {m['incremental_profit']:+,.2f} vs "
            f"predicted {m['predicted_incremental_profit']:,.2f}"
        )

    emit({"simulation": drawn, "measured": measured}, as_json, render)


@campaign.command("export")
@one_line_errors
def export_cmd(
    out_file: Annotated[Path, typer.Argument(help="CSV to write.", metavar="OUT.csv")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    plan: PlanOpt = None,
    k: Annotated[int, typer.Option("--k-anonymity", help="Smallest class size.")] = 10,
    partner: Annotated[str, typer.Option(help="Partner name (keys its ids).")] = "partner",
    key_file: KeyFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a plan's campaign-arm audience for a partner through the k-anonymity gate:
    partner-keyed ids, generalised age, gender and city, the offer."""
    from seamline.campaigns.export import export_plan
    from seamline.pii.keyring import KeyRing

    ring = KeyRing.load(key_file)
    summary = export_plan(Workspace(workspace), out_file, plan, k=k, partner=partner, keyring=ring)
    emit(
        summary,
        as_json,
        lambda s: out.print(
            f"{s['rows']:,} rows -> {s['path']} (k = {s['k']}, smallest class "
            f"{s['min_class_size']}, {s['suppressed_users']} users suppressed)"
        ),
    )


app = typer.Typer()
app.add_typer(campaign, name="campaign")
