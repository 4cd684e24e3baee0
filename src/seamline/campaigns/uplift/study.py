"""An uplift study of a randomised campaign table: check the columns, split 70/30 by arm,
choose a model on validation carves of the 70%, and score every model on the 30%."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from seamline.campaigns.uplift.metrics import score_uplift
from seamline.campaigns.uplift.models import UpliftModel, clone_model
from seamline.campaigns.uplift.select import default_models, select_model
from seamline.campaigns.uplift.tabular import TabularEncoder
from seamline.errors import DataError


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (or Parquet) campaign table; unreadable files name the file."""
    if not Path(path).is_file():
        raise DataError(f"{path}: no such file")
    try:
        if str(path).endswith(".parquet"):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read as CSV ({str(e).splitlines()[0]})") from None


def campaign_arrays(
    frame: pd.DataFrame,
    *,
    treatment_col: str,
    treatment: str,
    control: str,
    outcome: str,
    exclude: Sequence[str] = (),
    source: str = "data",
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[str]]:
    """The rows of the two arms, their 0/1 treatment, numeric outcome and feature columns
    (every other column except `exclude`). Errors name the source, column and what is
    allowed."""
    cols = list(frame.columns)
    for what, c in (("--treatment-col", treatment_col), ("--outcome", outcome)):
        if c not in cols:
            raise DataError(f"{source}: no column {c!r} ({what}); columns: {', '.join(cols)}")
    unknown = [c for c in exclude if c not in cols]
    if unknown:
        raise DataError(
            f"{source}: --exclude names no column {', '.join(map(repr, unknown))}; "
            f"columns: {', '.join(cols)}"
        )
    if outcome == treatment_col:
        raise DataError(f"{source}: --outcome and --treatment-col are both {outcome!r}")
    arm = frame[treatment_col].astype("string")
    values = sorted(arm.dropna().unique().tolist())
    for what, v in (("--treatment", treatment), ("--control", control)):
        if v not in values:
            raise DataError(
                f"{source}: column {treatment_col!r} has no value {v!r} ({what}); "
                f"values: {', '.join(map(repr, values[:20]))}"
            )
    if treatment == control:
        raise DataError(f"{source}: --treatment and --control are both {treatment!r}")
    keep = (arm == treatment) | (arm == control)
    rows = frame.loc[keep.fillna(False).to_numpy()].reset_index(drop=True)
    y_raw = rows[outcome]
    y_num = pd.to_numeric(y_raw, errors="coerce")
    bad = y_num.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{source}: column {outcome!r} (--outcome) must be numeric (0/1 or an amount); "
            f"{int(bad.sum()):,} rows are not, e.g. {y_raw.iloc[i]!r}"
        )
    t = (rows[treatment_col].astype("string") == treatment).to_numpy().astype(np.int8)
    features = [c for c in cols if c not in {treatment_col, outcome, *exclude}]
    return rows, t, y_num.to_numpy(dtype=np.float64), features


def uplift_study(
    frame: pd.DataFrame,
    *,
    treatment_col: str,
    treatment: str,
    control: str,
    outcome: str,
    exclude: Sequence[str] = (),
    seed: int = 0,
    test_share: float = 0.3,
    folds: int = 5,
    repeats: int = 2,
    n_boot: int = 200,
    models: dict[str, UpliftModel] | None = None,
    source: str = "data",
) -> dict[str, Any]:
    """Train on 1 - `test_share` of the rows, report each model's Qini, AUUC and top-30%
    ratio on the rest, and the model chosen on validation carves of the training part."""
    rows, t, y, features = campaign_arrays(
        frame,
        treatment_col=treatment_col,
        treatment=treatment,
        control=control,
        outcome=outcome,
        exclude=exclude,
        source=source,
    )
    if min(t.sum(), len(t) - t.sum()) < 10:
        raise DataError(
            f"{source}: need at least 10 rows in each arm (treated {int(t.sum())}, "
            f"control {int(len(t) - t.sum())})"
        )
    idx = np.arange(len(rows))
    tr, te = train_test_split(idx, test_size=test_share, random_state=seed, stratify=t)
    enc = TabularEncoder(source=source).fit(rows.iloc[tr], features)
    X_tr, X_te = enc.transform(rows.iloc[tr]), enc.transform(rows.iloc[te])
    candidates = models if models is not None else default_models(seed)
    sel = select_model(candidates, X_tr, t[tr], y[tr], folds=folds, repeats=repeats, seed=seed)
    per_model: dict[str, dict[str, Any]] = {}
    for name, model in candidates.items():
        m = clone_model(model).fit(X_tr, t[tr], y[tr])
        scores = score_uplift(y[te], t[te], m.predict(X_te), n_boot=n_boot, seed=seed)
        per_model[name] = {
            **scores.to_dict(),
            "validation": sel.scores[name],
            "validation_behind": sel.behind[name],
            "validation_se": sel.se[name],
        }
    best = per_model[sel.chosen]
    return {
        "data": source,
        "treatment": treatment,
        "control": control,
        "outcome": outcome,
        "rows": len(rows),
        "train_rows": len(tr),
        "test_rows": len(te),
        "features": features,
        "seed": seed,
        "chosen": sel.chosen,
        "selection": (
            f"{sel.criterion} on {repeats}x{folds} validation carves of the training part; "
            "the simplest model within one standard error of the best"
        ),
        "within_one_se": sel.within,
        **{k: best[k] for k in ("qini", "qini_ci", "auuc", "auuc_ci")},
        "top30_ratio": best["top30_ratio"],
        "top30_ratio_ci": best["top30_ratio_ci"],
        "models": per_model,
    }
