"""`seamline uplift`: uplift models on a randomised campaign table, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, emit, one_line_errors, out

app = typer.Typer()


def _uplift_table(r: dict[str, Any]) -> None:
    out.print(
        f"{r['data']}: {r['treatment']} vs {r['control']} on {r['outcome']}, "
        f"train {r['train_rows']:,} / held out {r['test_rows']:,} rows (seed {r['seed']}); "
        f"chosen on validation: {r['chosen']}",
        highlight=False,
    )
    t = Table(title="held-out scores (95% bootstrap intervals)")
    for c in ("model", "validation", "Qini", "AUUC", "top-30% ratio", "interval"):
        t.add_column(c, justify="left" if c == "model" else "right")
    for name, m in r["models"].items():
        lo, hi = m["top30_ratio_ci"]
        t.add_row(
            name + (" *" if name == r["chosen"] else ""),
            f"{m['validation']:.3f}",
            f"{m['qini']:.3f}",
            f"{m['auuc']:.3f}",
            f"{m['top30_ratio']:.2f}",
            f"[{lo:.2f}, {hi:.2f}]",
        )
    out.print(t)


@app.command()
@one_line_errors
def uplift(
    data: Annotated[Path, typer.Option(help="CSV (or Parquet) of a randomised campaign.")],
    treatment_col: Annotated[str, typer.Option(help="Column naming each row's arm.")],
    treatment: Annotated[str, typer.Option(help="The treated arm's value in that column.")],
    control: Annotated[str, typer.Option(help="The control arm's value in that column.")],
    outcome: Annotated[str, typer.Option(help="Numeric outcome column (0/1 or an amount).")],
    exclude: Annotated[
        str, typer.Option(help="Comma-separated columns that are not features (other outcomes).")
    ] = "",
    seed: Annotated[int, typer.Option(help="Seed of the 70/30 split and every random choice.")] = 0,
    test_share: Annotated[
        float, typer.Option(min=0.05, max=0.9, help="Share of rows held out for scoring.")
    ] = 0.3,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples.")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Train T-learners (gradient boosting, logistic regression), an X-learner and a class
    transformation on 70% of the rows; choose one on validation carves of that 70%; report
    Qini, AUUC and the top-30% ratio of every model on the other 30%. Features: every other
    column, categorical ones one-hot encoded."""
    from seamline.campaigns.uplift import read_table, uplift_study

    frame = read_table(data)
    result = uplift_study(
        frame,
        treatment_col=treatment_col,
        treatment=treatment,
        control=control,
        outcome=outcome,
        exclude=[c.strip() for c in exclude.split(",") if c.strip()],
        seed=seed,
        test_share=test_share,
        n_boot=bootstrap,
        source=str(data),
    )
    emit(result, as_json, _uplift_table)
