"""`seamline ab`: design, create/assign/list, and analyze a CSV of per-user rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.experiments.aggregates import MeanAgg, ProportionAgg
from seamline.experiments.power import sample_size_proportions
from seamline.experiments.sequential import group_sequential_bounds
from seamline.experiments.tests import welch_test, ztest_proportions

FIELDS = {
    "metric", "arm", "n_control", "n_treatment", "control_mean", "treatment_mean", "abs_lift",
    "rel_lift", "ci_low", "ci_high", "p_value", "chance_to_win",
}  # fmt: skip


def _invoke(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _units_csv(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    arm = rng.choice(["ctl", "new"], 2000)
    bought = rng.random(2000) < np.where(arm == "new", 0.2, 0.15)
    spend = bought * rng.gamma(2, 30, 2000)
    words = np.where(bought, "TRUE", "FALSE")
    lines = ["user,group,bought,spend"]
    rows = zip(arm, words, spend, strict=True)
    lines += [f"u{i},{a},{w},{s:.2f}" for i, (a, w, s) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n")
    return arm, bought.astype(float), np.round(spend, 2)


def test_analyze_csv_prints_the_documented_json(tmp_path: Path) -> None:
    arm, bought, spend = _units_csv(tmp_path / "u.csv")
    out = _invoke("ab", "analyze", "--data", str(tmp_path / "u.csv"), "--arm-col", "group",
                  "--control", "ctl", "--metric", "bought", "--metric", "spend",
                  "--json")  # fmt: skip
    assert 0 <= out["srm_p_value"] <= 1
    rows = {r["metric"]: r for r in out["results"]}
    assert set(rows) == {"bought", "spend"} and all(set(r) >= FIELDS for r in rows.values())
    c, t = arm == "ctl", arm == "new"
    z = ztest_proportions(ProportionAgg.of(bought[c]), ProportionAgg.of(bought[t]))
    w = welch_test(MeanAgg.of(spend[c]), MeanAgg.of(spend[t]))
    b, s = rows["bought"], rows["spend"]
    assert (b["n_control"], b["n_treatment"]) == (int(c.sum()), int(t.sum()))
    assert b["abs_lift"] == z.abs_lift and b["ci_low"] == z.ci_low and b["p_value"] == z.p_value
    assert abs(s["ci_high"] - w.ci_high) < 1e-9 and abs(s["p_value"] - w.p_value) < 1e-9
    assert b["chance_to_win"] > 0.95


def test_analyze_flags_and_html_report(tmp_path: Path) -> None:
    _units_csv(tmp_path / "u.csv")
    html = tmp_path / "ab.html"
    out = _invoke("ab", "analyze", "--data", str(tmp_path / "u.csv"), "--arm-col", "group",
                  "--control", "ctl", "--metric", "bought", "--relative", "--sequential",
                  "--correction", "holm", "--report", str(html), "--json")  # fmt: skip
    (row,) = out["results"]
    assert out["settings"]["method"] == "sequential" and row["relative"]
    assert row["ci_low"] < row["estimate"] == row["rel_lift"] < row["ci_high"]
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "bought" in text


def test_analyze_reports_bad_values_in_one_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("group,y\nctl,1\nnew,maybe\n")
    result = CliRunner().invoke(app, ["ab", "analyze", "--data", str(f), "--arm-col", "group",
                                      "--control", "ctl", "--metric", "y", "--json"])  # fmt: skip
    assert result.exit_code == 2
    assert "line 3, column 'y': 'maybe' is not a number" in result.output


def test_design_sample_size_and_mde() -> None:
    out = _invoke("ab", "design", "--baseline", "0.1", "--mde", "0.1", "--relative",
                  "--daily-users", "2000", "--json")  # fmt: skip
    ref = sample_size_proportions(0.1, 0.1, relative=True, daily_units=2000)
    assert out["n_control"] == ref.n_control and out["days"] == ref.days
    mde = _invoke("ab", "design", "--baseline", "0.1", "--n-per-arm", str(ref.n_control),
                  "--json")  # fmt: skip
    assert abs(mde["mde"] - 0.01) < 1e-4


def test_create_assign_list(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    _invoke("ab", "create", "--workspace", ws, "--name", "hero", "--arms", "a:1,b:3", "--json")
    got = _invoke("ab", "assign", "--workspace", ws, "--experiment", "hero", "x1", "x2", "--json")
    again = _invoke("ab", "assign", "--workspace", ws, "--experiment", "hero", "x2", "--json")
    assert again[0]["arm"] == got[1]["arm"] in ("a", "b")
    (listed,) = _invoke("ab", "list", "--workspace", ws, "--json")
    assert listed["name"] == "hero" and sum(listed["exposures"].values()) == 2
    assert listed["arms"] == {"a": 0.25, "b": 0.75}


def test_assign_outside_the_window_is_refused_and_records_nothing(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    _invoke("ab", "create", "--workspace", ws, "--name", "past", "--arms", "a:1,b:1",
            "--start", "2025-01-01", "--end", "2025-02-01", "--json")  # fmt: skip
    res = CliRunner().invoke(app, ["ab", "assign", "--workspace", ws, "--experiment", "past", "x1"])
    assert res.exit_code == 2
    assert "ended" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    (listed,) = _invoke("ab", "list", "--workspace", ws, "--json")
    assert sum(listed["exposures"].values()) == 0


def test_analyze_group_sequential_look(tmp_path: Path) -> None:
    _units_csv(tmp_path / "u.csv")
    out = _invoke("ab", "analyze", "--data", str(tmp_path / "u.csv"), "--arm-col", "group",
                  "--control", "ctl", "--metric", "spend", "--looks", "5",
                  "--planned-n", "4000", "--json")  # fmt: skip
    (row,) = out["results"]
    # 2,000 of 4,000 planned units: the third of five equally spaced looks.
    bound = group_sequential_bounds([0.2, 0.4, 0.6, 0.8, 1.0])[2]
    assert out["settings"]["bound"] == bound and row["test"] == "welch+group-sequential"
    assert abs((row["ci_high"] - row["ci_low"]) - 2 * bound * row["se"]) < 1e-9
