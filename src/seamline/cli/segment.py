"""`seamline features` and `seamline segment`: parse, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import (
    EngineOpt,
    JsonOpt,
    MasterOpt,
    WorkspaceOpt,
    bars,
    emit,
    engine_config,
    one_line_errors,
    out,
)
from seamline.workspace import DEFAULT_WORKSPACE, Workspace


def _features_table(r: dict[str, Any]) -> None:
    fams: dict[str, int] = {}
    for c in r["columns"]:
        fams[c["family"]] = fams.get(c["family"], 0) + 1
    out.print(
        f"user_features v{r['version']}: {r['users']:,} users x {len(r['columns'])} columns "
        f"in {r['seconds']:.1f}s (as of {r['as_of']})"
    )
    t = Table(title="feature families")
    t.add_column("family")
    t.add_column("columns", justify="right")
    t.add_column("seconds", justify="right")
    for fam, n in fams.items():
        t.add_row(fam, str(n), f"{r['family_seconds'].get(fam, 0):.2f}")
    out.print(t)


def _segments_table(r: dict[str, Any]) -> None:
    st = r["stability"]
    out.print(
        f"{r['method']}: k={r['k']} ({r['k_selection']}), silhouette {r['silhouette']:.3f}, "
        f"Calinski-Harabasz {r['calinski_harabasz']:,.0f}, Davies-Bouldin "
        f"{r['davies_bouldin']:.3f}"
        + (f", bootstrap ARI {st['ari_mean']:.3f}" if st.get("rounds") else "")
    )
    t = Table(title=f"segments of {r['users']:,} users (run {r['run_id']})")
    for c in ("id", "size", "share", "name", "名称", "description"):
        t.add_column(c, justify="right" if c in ("id", "size", "share") else "left")
    for s in r["segments"]:
        p = s["profile"]
        t.add_row(
            str(s["id"]), f"{s['size']:,}", f"{p['share']:.0%}", s["name_en"], s["name_zh"],
            p["description_en"],
        )  # fmt: skip
    out.print(t)
    if r.get("out"):
        out.print(f"assignment -> {r['out']}")


app = typer.Typer()


@app.command()
@one_line_errors
def features(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    families: Annotated[
        str | None, typer.Option(help="Comma-separated feature families (default: all).")
    ] = None,
    utc_offset: Annotated[
        float, typer.Option(help="Hours to add to UTC for time-of-day features.")
    ] = 0.0,
    embedding_dim: Annotated[int, typer.Option(help="Text embedding size (0: none).")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    engine: EngineOpt = "duckdb",
    master: MasterOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute user features (RFM, preferences, habits, willingness to pay, engagement,
    cross-domain affinity, interest embedding) into a new user_features version."""
    from seamline.features import FeatureConfig, build_features

    kw: dict[str, Any] = {
        "utc_offset_hours": utc_offset, "embedding_dim": embedding_dim, "seed": seed,
    }  # fmt: skip
    if families:
        kw["families"] = tuple(f.strip() for f in families.split(",") if f.strip())
    cfg = FeatureConfig(**kw)
    eng = engine_config(engine, master)
    with bars(as_json) as progress:
        run = build_features(Workspace(workspace), cfg, progress, engine=eng)
    emit(run.to_dict(), as_json, _features_table)


@app.command()
@one_line_errors
def segment(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    method: Annotated[str, typer.Option(help="kmeans or hierarchical.")] = "kmeans",
    k: Annotated[str, typer.Option("--k", help="Number of segments, or 'auto'.")] = "auto",
    k_min: Annotated[int, typer.Option(help="Smallest k tried by auto.")] = 2,
    k_max: Annotated[int, typer.Option(help="Largest k tried by auto.")] = 10,
    feature_set: Annotated[
        str,
        typer.Option(
            "--features",
            help="Preset (behaviour, spend, all) or comma-separated columns / patterns.",
        ),
    ] = "behaviour",
    scaling: Annotated[str, typer.Option(help="standard, robust, minmax or none.")] = ("standard"),
    output: Annotated[
        Path | None, typer.Option("--out", help="CSV file for user_id,segment.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Segment users (computing features first if the workspace has none), name the
    segments in English and Chinese, and optionally write the assignment CSV."""
    from seamline.features import FeatureConfig, build_features, feature_columns
    from seamline.segments import SegmentConfig, export_assignment, run_segmentation

    feats: str | tuple[str, ...] = feature_set
    if "," in feature_set or feature_set not in ("behaviour", "spend", "all"):
        feats = tuple(c.strip() for c in feature_set.split(",") if c.strip())
    cfg = SegmentConfig(
        method=method, k=k, k_min=k_min, k_max=k_max, features=feats, scaling=scaling,
        seed=seed,
    )  # fmt: skip
    ws = Workspace(workspace)
    with bars(as_json) as progress:
        built = None
        if not feature_columns(ws):
            built = build_features(ws, FeatureConfig(seed=seed), progress).version
        result = run_segmentation(ws, cfg, progress)
    result["features_built"] = built is not None
    if output is not None:
        result["out"] = str(export_assignment(ws, output, result["run_id"]))
    emit(result, as_json, _segments_table)
