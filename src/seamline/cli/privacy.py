"""`seamline forget`, `seamline export`, `seamline fairness` and `seamline privacy ...`:
parse, call `seamline.privacy` / `seamline.fairness`, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, emit, one_line_errors, out
from seamline.errors import ConfigError
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", help="Id key file (else $SEAMLINE_ID_KEY_FILE / $SEAMLINE_ID_KEY)."),
]


def _ring(key_file: Path | None, required: bool = False) -> Any:
    from seamline.pii.keyring import KeyRing

    if key_file is not None or required:
        return KeyRing.load(key_file)
    try:
        return KeyRing.load()
    except ConfigError:  # no key is fine where a key is optional
        return None


def _rows_table(title: str, rows: dict[str, Any]) -> None:
    t = Table(title=title)
    t.add_column("table")
    t.add_column("rows", justify="right")
    for k, v in rows.items():
        t.add_row(k, f"{v:,}")
    out.print(t)


def _fairness_table(r: dict[str, Any]) -> None:
    out.print(
        f"model {r['model']}, top-{r['k']}, {r['users_evaluated']:,} users (run {r['run_id']})"
    )
    for by in ("brand", "domain"):
        block = r["exposure"][by]
        t = Table(title=f"exposure by {by} (disparity {block['disparity']:.3f})")
        for c in ("group", "exposure", "interactions", "ratio"):
            t.add_column(c, justify="left" if c == "group" else "right")
        for row in block["rows"]:
            t.add_row(
                row["group"],
                f"{row['exposure_share']:.1%}",
                f"{row['interaction_share']:.1%}",
                f"{row['ratio']:.2f}",
            )
        out.print(t)
    rr = r["rerank"]
    out.print(
        f"re-rank (tolerance {r['tolerance']}): brand disparity "
        f"{rr['brand_disparity_before']:.3f} -> {rr['brand_disparity_after']:.3f}, "
        f"NDCG@{r['k']} {rr['ndcg_before']:.4f} -> {rr['ndcg_after']:.4f} "
        f"(cost {rr['ndcg_cost']:.4f})"
    )
    for what, key in (("quality", "mean"), ("coupons", "selection_rate")):
        for by, block in r[what].items():
            groups = ", ".join(f"{g} {v[key]:.3f}" for g, v in block["by_group"].items())
            out.print(f"{what} by {by}: {groups} (gap {block['difference']:.3f})")


app = typer.Typer()


@app.command()
@one_line_errors
def forget(
    user: Annotated[str, typer.Option("--user", help="The user's id (raw, or its pseudonym).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    key_file: KeyFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Erase a user from every table and the DuckDB file (again: 0 rows); models go stale."""
    from seamline.privacy.forget import forget_user

    removed = forget_user(Workspace(workspace), user, keyring=_ring(key_file))
    # Rows per table plus an explicit total, so a repeat reads `{"total": 0}`, not `{}`.
    emit({**removed, "total": sum(removed.values())}, as_json, _removed_table)


def _removed_table(r: dict[str, int]) -> None:
    tables = {k: v for k, v in r.items() if k != "total"}
    if tables:
        _rows_table("rows removed", tables)
    out.print(f"{r['total']:,} rows removed" + ("" if tables else " (already erased)"))


@app.command("export")
@one_line_errors
def export_cmd(
    what: Annotated[str, typer.Option(help="segments, audience or kpis.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    k_anonymity: Annotated[
        int, typer.Option("--k-anonymity", min=2, help="Smallest group size allowed.")
    ] = 10,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    segment: Annotated[
        list[int] | None, typer.Option(help="Only these segments (repeatable).")
    ] = None,
    partner: Annotated[str, typer.Option(help="Partner name (audience ids).")] = "partner",
    max_suppression: Annotated[
        float, typer.Option(help="Share of users that may be suppressed.")
    ] = 0.05,
    key_file: KeyFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a k-anonymous, PII-free export for a partner (plus FILE.privacy.json)."""
    from seamline.privacy.export import export

    s = export(
        Workspace(workspace),
        what,  # type: ignore[arg-type]
        out_file,
        k=k_anonymity,
        segments=segment,
        partner=partner,
        keyring=_ring(key_file, required=what == "audience"),
        max_suppression=max_suppression,
    )
    emit(
        s.to_dict(),
        as_json,
        lambda d: out.print(
            f"{d['rows']:,} rows -> {d['path']} (k={d['k']}, smallest group "
            f"{d['min_class_size']}, {d['suppressed_users']} users suppressed, "
            f"generalisation {d['levels']})"
        ),
    )


@app.command()
@one_line_errors
def fairness(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    model: Annotated[str, typer.Option(help="Registry model to audit.")] = "itemknn",
    k: Annotated[int, typer.Option(min=1, help="List length.")] = 10,
    tolerance: Annotated[
        float, typer.Option(help="Bound on brand exposure disparity for the re-ranker.")
    ] = 0.05,
    max_users: Annotated[int, typer.Option(min=1, help="Users sampled.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Exposure by brand/domain, quality and coupons by group, re-ranking cost."""
    from seamline.fairness.audit import FairnessConfig, fairness_audit

    cfg = FairnessConfig(model=model, k=k, tolerance=tolerance, max_users=max_users, seed=seed)
    emit(fairness_audit(Workspace(workspace), cfg), as_json, _fairness_table)


priv = typer.Typer(no_args_is_help=True, help="Id keys, privacy budget, DP releases, audit log.")
app.add_typer(priv, name="privacy")


@priv.command()
@one_line_errors
def keygen(
    out_file: Annotated[Path, typer.Option("--out", help="Key file to create.")],
    append: Annotated[
        bool, typer.Option(help="Add a new key to an existing ring (for rotation).")
    ] = False,
) -> None:
    """Create an id key file (keep it outside the workspace)."""
    from seamline.pii.keyring import write_key_file

    out.print(f"key written to {write_key_file(out_file, append=append)}")


@priv.command()
@one_line_errors
def pseudonymise(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    key_file: KeyFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace the raw user ids a workspace holds by keyed pseudonyms."""
    from seamline.privacy.rekey import pseudonymise_workspace

    r = pseudonymise_workspace(Workspace(workspace), _ring(key_file, required=True))
    emit(r, as_json, lambda d: _rows_table("rows re-keyed", d))


@priv.command()
@one_line_errors
def rotate(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    key_file: KeyFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-key stored pseudonyms with the newest key of the ring (keygen --append)."""
    from seamline.privacy.rekey import rotate_key

    r = rotate_key(Workspace(workspace), _ring(key_file, required=True))
    emit(r, as_json, lambda d: _rows_table("rows re-keyed", d))


@priv.command()
@one_line_errors
def budget(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    total: Annotated[float | None, typer.Option(help="Set the total epsilon.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show (or set) the workspace's privacy budget."""
    from seamline.privacy import dp

    ws = Workspace(workspace)
    b = dp.set_budget(ws, total) if total is not None else dp.budget(ws)
    data = {**b, "ledger": dp.ledger(ws)}
    emit(
        data,
        as_json,
        lambda d: out.print(
            f"epsilon total {d['total']:g}, spent {d['spent']:g}, left {d['remaining']:g} "
            f"({len(d['ledger'])} releases)"
        ),
    )


@priv.command()
@one_line_errors
def release(
    measure: Annotated[str, typer.Option(help="count, sum or mean.")],
    epsilon: Annotated[float, typer.Option(help="Privacy cost of this release.")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    column: Annotated[str | None, typer.Option(help="Numeric user feature.")] = None,
    by: Annotated[str, typer.Option(help="segment or a users column.")] = "segment",
    lo: Annotated[float | None, typer.Option(help="Clamp each user's value from.")] = None,
    hi: Annotated[float | None, typer.Option(help="Clamp each user's value to.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A differentially private count/sum/mean per group, charged to the budget."""
    from seamline.privacy import dp

    bounds = (lo, hi) if lo is not None and hi is not None else None
    r = dp.release(
        Workspace(workspace),
        measure,  # type: ignore[arg-type]
        epsilon=epsilon,
        column=column,
        by=by,
        bounds=bounds,
    )

    def show(d: dict[str, Any]) -> None:
        t = Table(title=f"DP {d['measure']} by {d['by']} (epsilon {d['epsilon']:g})")
        t.add_column(d["by"])
        t.add_column(d["measure"], justify="right")
        for g in d["groups"]:
            t.add_row(g["group"], f"{g['value']:,.2f}")
        out.print(t)
        out.print(f"noise scale {d['noise_scale']:.3g}; budget left {d['budget_left']:g}")

    emit(r.to_dict(), as_json, show)


@priv.command("log")
@one_line_errors
def audit_log(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, as_json: JsonOpt = False) -> None:
    """The privacy audit log (erasures, exports), without raw ids."""
    from seamline.privacy.forget import audit_log as read_log

    rows = read_log(Workspace(workspace))

    def show(rs: list[dict[str, Any]]) -> None:
        t = Table(title="privacy audit")
        for c in ("logged_at", "action", "subject"):
            t.add_column(c)
        for r in rs:
            t.add_row(str(r["logged_at"]), r["action"], r["subject"])
        out.print(t)

    emit(rows, as_json, show)
