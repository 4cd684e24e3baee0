"""`analyze_table`: a CSV of per-unit rows analysed by name (metrics, ratios, CUPED), the
wiring `seamline ab analyze --data` uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seamline.errors import ConfigError, DataError
from seamline.experiments import analyze_table
from seamline.experiments.analyze import MetricSpec, analyze


@pytest.fixture
def units_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    n = 400
    arm = np.where(rng.random(n) < 0.5, "control", "treat")
    pre = rng.gamma(2.0, 5.0, n)
    spend = pre * 0.8 + rng.normal(0, 2, n) + (arm == "treat") * 1.5
    views = rng.integers(1, 20, n)
    clicks = rng.binomial(views, np.where(arm == "treat", 0.25, 0.2))
    bought = (rng.random(n) < np.where(arm == "treat", 0.3, 0.2)).astype(int)
    seg = np.where(rng.random(n) < 0.5, "new", "old")
    lines = ["user,arm,bought,spend,pre,clicks,views,seg"]
    lines += [
        f"u{i},{arm[i]},{'TRUE' if bought[i] else 'FALSE'},{spend[i]:.4f},{pre[i]:.4f},"
        f"{clicks[i]},{views[i]},{seg[i]}"
        for i in range(n)
    ]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_same_analysis_as_wiring_the_specs_by_hand(units_csv: Path) -> None:
    got = analyze_table(
        units_csv,
        "arm",
        ["bought", "spend"],
        control="control",
        ratios={"ctr": "clicks/views"},
        covariates={"spend": "pre"},
        guardrails=["bought"],
        segment_col="seg",
        alpha=0.1,
    ).to_dict()
    # By hand, as the CLI used to: read the columns, alias the ratio's numerator.
    import pandas as pd

    frame = pd.read_csv(units_csv)
    cols = {c: frame[c].astype(float).to_numpy() for c in ("spend", "pre", "clicks", "views")}
    cols["bought"] = frame["bought"].astype(float).to_numpy()
    cols["ctr"], cols["ctr__den"] = cols["clicks"], cols["views"]
    specs = [
        MetricSpec("bought", guardrail=True),
        MetricSpec("spend", covariate="pre"),
        MetricSpec("ctr", kind="ratio", denominator="ctr__den"),
    ]
    want = analyze(
        frame["arm"].to_numpy(), cols, specs, control="control", alpha=0.1,
        tuning=len(frame), segment=frame["seg"].to_numpy(),
    ).to_dict()  # fmt: skip
    assert got == want
    assert [r["metric"] for r in got["results"]] == ["bought", "spend", "ctr"]
    assert {r["test"] for r in got["results"]} >= {"cuped", "ratio"}


def test_ratio_as_a_pair_of_columns(units_csv: Path) -> None:
    a = analyze_table(units_csv, "arm", control="control", ratios={"ctr": "clicks/views"})
    b = analyze_table(units_csv, "arm", control="control", ratios={"ctr": ("clicks", "views")})
    assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({}, ConfigError, "at least one metric or ratio"),
        ({"metrics": ["spend"], "covariates": {"bought": "pre"}}, ConfigError, "not analysed"),
        ({"ratios": {"ctr": "clicks"}}, ConfigError, "ratio 'ctr'.*NUMERATOR/DENOMINATOR"),
        ({"ratios": {"ctr": "clicks/nope"}}, DataError, "no column 'nope'"),
    ],
)
def test_bad_wiring_is_named(
    units_csv: Path, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        analyze_table(units_csv, "arm", control="control", **kwargs)  # type: ignore[arg-type]
