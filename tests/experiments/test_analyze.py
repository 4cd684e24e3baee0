"""Per-unit rows to an analysis: kinds, CSV parsing, breakdowns, guardrails, corrections."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from seamline.errors import ConfigError, DataError
from seamline.experiments.aggregates import ColumnSums, JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.analyze import MetricSpec, analyze, read_units_csv
from seamline.experiments.compare import analyze_sums
from seamline.experiments.corrections import adjust
from seamline.experiments.sequential import group_sequential_bounds
from seamline.experiments.tests import ratio_test, welch_test, ztest_proportions


@pytest.fixture
def units() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    n = 3000
    arm = rng.choice(["control", "b", "c"], n)
    conv = (rng.random(n) < np.where(arm == "b", 0.14, 0.10)).astype(float)
    revenue = conv * rng.gamma(2, 20, n)
    views = rng.poisson(6, n) + 1.0
    clicks = rng.binomial(views.astype(int), 0.2).astype(float)
    seg = rng.choice(["new", "returning"], n)
    return arm, {"conv": conv, "revenue": revenue, "views": views, "clicks": clicks, "seg": seg}


def test_each_kind_uses_its_test(units: tuple[np.ndarray, dict[str, np.ndarray]]) -> None:
    arm, cols = units
    specs = [MetricSpec("conv"), MetricSpec("revenue"),
             MetricSpec("clicks", kind="ratio", denominator="views")]  # fmt: skip
    a = analyze(arm, cols, specs, control="control")
    got = {(r["metric"], r["arm"]): r for r in a.results}
    c, b = arm == "control", arm == "b"
    z = ztest_proportions(ProportionAgg.of(cols["conv"][c]), ProportionAgg.of(cols["conv"][b]))
    w = welch_test(MeanAgg.of(cols["revenue"][c]), MeanAgg.of(cols["revenue"][b]))
    r = ratio_test(
        JointAgg.of(cols["clicks"][c], cols["views"][c]),
        JointAgg.of(cols["clicks"][b], cols["views"][b]),
    )
    for key, ref, test in ((("conv", "b"), z, "ztest"), (("revenue", "b"), w, "welch"),
                           (("clicks", "b"), r, "ratio")):  # fmt: skip
        row = got[key]
        assert row["test"] == test
        # Same aggregates, summed in another order: equal to rounding.
        assert (row["ci_low"], row["ci_high"], row["p_value"]) == pytest.approx(
            (ref.ci_low, ref.ci_high, ref.p_value), rel=1e-9, abs=1e-12
        )
        assert row["n_control"] == int(c.sum()) and row["n_treatment"] == int(b.sum())
    assert a.arms["control"] == int(c.sum()) and next(iter(a.arms)) == "control"
    assert got[("conv", "b")]["significant"] and got[("conv", "b")]["chance_to_win"] > 0.99


def test_corrections_and_segments(units: tuple[np.ndarray, dict[str, np.ndarray]]) -> None:
    arm, cols = units
    a = analyze(arm, cols, ["conv", "revenue"], control="control", correction="holm",
                segment=cols["seg"])  # fmt: skip
    assert [r["p_value_adjusted"] for r in a.results] == adjust(
        [r["p_value"] for r in a.results], "holm"
    )
    assert {r["segment"] for r in a.segments} == {"new", "returning"}
    new = [r for r in a.segments if r["segment"] == "new" and r["metric"] == "conv"]
    assert sum(r["n_treatment"] for r in new) == int(
        ((cols["seg"] == "new") & (arm != "control")).sum()
    )


def test_guardrail_fails_only_on_significant_harm() -> None:
    rng = np.random.default_rng(9)
    arm = np.repeat(["control", "t"], 4000)
    latency = np.r_[rng.normal(100, 10, 4000), rng.normal(103, 10, 4000)]
    bounce = np.r_[rng.random(4000) < 0.3, rng.random(4000) < 0.3].astype(float)
    specs = [MetricSpec("latency", inverse=True, guardrail=True),
             MetricSpec("bounce", inverse=True, guardrail=True)]  # fmt: skip
    a = analyze(arm, {"latency": latency, "bounce": bounce}, specs, control="control")
    by = {r["metric"]: r for r in a.results}
    assert by["latency"]["guardrail_failed"] and by["latency"]["chance_to_win"] < 0.01
    assert not by["bounce"]["guardrail_failed"]


def test_srm_uses_designed_weights() -> None:
    arm = np.array(["control"] * 700 + ["t"] * 300)
    y = np.arange(1000) % 2
    assert analyze(arm, {"y": y}, ["y"], control="control").srm.flagged
    ok = analyze(arm, {"y": y}, ["y"], control="control", weights={"control": 7, "t": 3})
    assert not ok.srm.flagged


def test_bad_input_is_named() -> None:
    arm = np.array(["a", "b", "a"])
    with pytest.raises(DataError, match="control arm 'z' not found"):
        analyze(arm, {"y": [1, 0, 1]}, ["y"], control="z")
    with pytest.raises(ConfigError, match="no column 'x'"):
        analyze(arm, {"y": [1, 0, 1]}, ["x"], control="a")
    with pytest.raises(DataError, match="missing or non-finite"):
        analyze(arm, {"y": [1, math.nan, 1]}, ["y"], control="a")
    with pytest.raises(DataError, match="outside the design"):
        analyze(arm, {"y": [1, 0, 1]}, ["y"], control="a", arms_order=["a", "c"])


def test_empty_treatment_arm_gives_nan_not_a_crash() -> None:
    a = analyze(np.array(["a", "a", "a"]), {"y": [1.0, 2.0, 4.0]}, ["y"], control="a",
                arms_order=["a", "b"])  # fmt: skip
    (row,) = a.results
    assert row["n_treatment"] == 0 and math.isnan(row["p_value"]) and "fewer than" in row["reason"]
    assert a.to_dict()["results"][0]["p_value"] is None  # JSON-ready


def test_csv_rows_parse_booleans_and_numbers(tmp_path: Path) -> None:
    f = tmp_path / "units.csv"
    f.write_text("user,arm,bought,spend\nu1,A,TRUE,10.5\nu2,B,false,0\nu3,B,1,3\n")
    u = read_units_csv(f, "arm", ["bought", "spend"])
    assert u.arm.tolist() == ["A", "B", "B"]
    assert u.columns["bought"].tolist() == [1.0, 0.0, 1.0]
    assert u.columns["spend"].tolist() == [10.5, 0.0, 3.0]


@pytest.mark.parametrize(
    "body, message",
    [
        ("arm,y\nA,1\nB,oops\n", "line 3, column 'y': 'oops' is not a number"),
        ("arm,y\nA,1\nB,\n", "line 3, column 'y': is empty"),
        ("arm,y\n,1\nB,0\n", "line 2, column 'arm': the arm is empty"),
        ("arm,z\nA,1\n", "no column 'y'"),
    ],
)
def test_csv_errors_name_line_and_column(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "u.csv"
    f.write_text(body)
    with pytest.raises(DataError, match=message):
        read_units_csv(f, "arm", ["y"])


def test_group_sequential_look_uses_its_planned_bound(
    units: tuple[np.ndarray, dict[str, np.ndarray]],
) -> None:
    arm, cols = units
    n = arm.size
    # Halfway through a 4-look plan: this is look 2.
    a = analyze(arm, cols, ["revenue"], control="control", method="group-sequential",
                looks=4, planned_n=2 * n)  # fmt: skip
    bound = group_sequential_bounds([0.25, 0.5, 0.75, 1.0])[1]
    row = a.results[0]
    assert a.settings["bound"] == pytest.approx(bound)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * bound * row["se"])
    assert row["significant_at"] == pytest.approx(2 * stats.norm.sf(bound))
    with pytest.raises(ConfigError, match="looks"):
        analyze(arm, cols, ["revenue"], control="control", method="group-sequential")


def test_sums_per_arm_give_the_same_analysis_as_rows(
    units: tuple[np.ndarray, dict[str, np.ndarray]],
) -> None:
    # What a GROUP BY returns per arm (and segment): n with sums, squares, cross products.
    arm, cols = units
    pre = cols["revenue"] * 0.5 + np.random.default_rng(5).gamma(2, 10, arm.size)
    columns = {**cols, "pre_revenue": pre}
    specs = [MetricSpec("conv", kind="binary"), MetricSpec("revenue", covariate="pre_revenue",
             kind="mean"), MetricSpec("clicks", kind="ratio", denominator="views")]  # fmt: skip

    def sums(mask: np.ndarray) -> ColumnSums:
        s: dict[str, float] = {}
        for c in ("conv", "revenue", "pre_revenue", "clicks", "views"):
            s[c] = float(columns[c][mask].sum())
            s[ColumnSums.key(c, c)] = float((columns[c][mask] ** 2).sum())
        s[ColumnSums.key("revenue", "pre_revenue")] = float((cols["revenue"] * pre)[mask].sum())
        s[ColumnSums.key("clicks", "views")] = float((cols["clicks"] * cols["views"])[mask].sum())
        return ColumnSums(int(mask.sum()), s)

    names = ["control", "b", "c"]
    by_arm = {a: sums(arm == a) for a in names}
    seg = cols["seg"]
    by_seg = {v: {a: sums((arm == a) & (seg == v)) for a in names} for v in ("new", "returning")}
    opts: dict[str, Any] = dict(control="control", correction="holm", relative=True)
    rows = analyze(arm, columns, specs, segment=seg, **opts).to_dict()
    agg = analyze_sums(by_arm, specs, segments=by_seg, **opts).to_dict()
    assert agg["arms"] == rows["arms"] and agg["srm_p_value"] == pytest.approx(rows["srm_p_value"])
    for got, want in zip(agg["results"] + agg["segments"], rows["results"] + rows["segments"],
                         strict=True):  # fmt: skip
        assert got["test"] == want["test"]
        assert got.get("p_value_adjusted") == pytest.approx(want.get("p_value_adjusted"))
        for k in ("estimate", "ci_low", "ci_high", "p_value"):
            assert got[k] == pytest.approx(want[k], rel=1e-9), k


def test_sums_need_an_explicit_kind() -> None:
    cell = ColumnSums(10, {"y": 3.0, "y*y": 3.0})
    with pytest.raises(ConfigError, match="give its kind"):
        analyze_sums({"a": cell, "b": cell}, [MetricSpec("y")], control="a")
    with pytest.raises(DataError, match="outside the design"):
        analyze_sums({"a": cell, "x": cell}, [MetricSpec("y", kind="binary")], control="a",
                     arms_order=["a", "b"])  # fmt: skip
