"""Per-group quality and allocation through fairlearn's MetricFrame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate

from seamline.errors import DataError


def _frame(
    values: npt.ArrayLike, groups: npt.ArrayLike, metrics: Mapping[str, Any], name: str
) -> MetricFrame:
    v = np.asarray(values)
    g = pd.Series(np.asarray(groups, dtype=object), name=name).fillna("(unknown)").astype(str)
    if len(v) != len(g):
        raise DataError(f"{len(v)} values but {len(g)} group labels for {name!r}")
    return MetricFrame(metrics=dict(metrics), y_true=v, y_pred=v, sensitive_features=g)


def _summary(mf: MetricFrame, key: str) -> dict[str, Any]:
    by = mf.by_group
    return {
        "by_group": {str(g): {c: float(by.loc[g, c]) for c in by.columns} for g in by.index},
        "overall": float(mf.overall[key]),
        "difference": float(mf.difference()[key]),
        "ratio": float(mf.ratio()[key]),
    }


def quality_by_group(per_user: npt.ArrayLike, groups: npt.ArrayLike, name: str) -> dict[str, Any]:
    """Mean of a per-user quality metric (e.g. NDCG@k) per group, with the largest gap
    (`difference`) and the smallest/largest ratio (`ratio`)."""
    mf = _frame(
        per_user,
        groups,
        {"mean": lambda yt, yp: float(np.mean(yt)), "users": lambda yt, yp: float(len(yt))},
        name,
    )
    return _summary(mf, "mean")


def selection_by_group(selected: npt.ArrayLike, groups: npt.ArrayLike, name: str) -> dict[str, Any]:
    """Share of each group selected (e.g. given a coupon): demographic parity gap/ratio."""
    sel = np.asarray(selected).astype(int)
    mf = _frame(
        sel,
        groups,
        {
            "selection_rate": lambda yt, yp: float(selection_rate(yt, yp, pos_label=1)),
            "users": lambda yt, yp: float(len(yt)),
        },
        name,
    )
    return _summary(mf, "selection_rate")
