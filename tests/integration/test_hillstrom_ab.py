"""The Hillstrom e-mail test: the published arm rates and their significance reproduced
from the raw data through `seamline ab analyze` and through the dataset adapter."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.data.datasets import FOLDERS, SourceTables
from seamline.experiments.analyze import analyze

pytestmark = pytest.mark.integration

# Published (MineThatData, 2008): Mens / Womens / No E-Mail.
VISIT = {"Mens E-Mail": 0.1828, "Womens E-Mail": 0.1514, "No E-Mail": 0.1062}
CONVERSION = {"Mens E-Mail": 0.0125, "Womens E-Mail": 0.0088, "No E-Mail": 0.0057}
SPEND = {"Mens E-Mail": 1.42, "Womens E-Mail": 1.08, "No E-Mail": 0.65}


def _hillstrom_csv() -> Path:
    """The raw file, found as the integration conftest finds datasets (skip when absent)."""
    env = os.environ.get("SEAMLINE_SHARED_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"
    path = root / FOLDERS["hillstrom"] / "hillstrom_email_2008.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: set SEAMLINE_SHARED_DATA to the public datasets folder")
    return path


def _rate(r: dict, arm: str) -> float:
    return r["control_mean"] if arm == "No E-Mail" else r["treatment_mean"]


def test_published_rates_and_significance_via_the_cli() -> None:
    csv = _hillstrom_csv()
    result = CliRunner().invoke(
        app,
        ["ab", "analyze", "--data", str(csv), "--arm-col", "segment", "--control", "No E-Mail",
         "--metric", "visit", "--metric", "conversion", "--metric", "spend", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["srm_p_value"] > 0.5  # a clean randomisation
    rows = {(r["metric"], r["arm"]): r for r in out["results"]}
    for metric, published, places in ((("visit", VISIT, 4)), ("conversion", CONVERSION, 4),
                                      ("spend", SPEND, 2)):  # fmt: skip
        for arm in ("Mens E-Mail", "Womens E-Mail"):
            r = rows[(metric, arm)]
            assert round(_rate(r, arm), places) == published[arm]
            assert round(_rate(r, "No E-Mail"), places) == published["No E-Mail"]
            # Both e-mails beat no e-mail on every metric, significantly.
            assert r["ci_low"] > 0 and r["p_value"] < 0.01 and r["chance_to_win"] > 0.99
        assert rows[(metric, "Mens E-Mail")]["kind"] == ("mean" if metric == "spend" else "binary")
    # Mens beats Womens on visits and conversion too (the study's headline).
    assert (
        rows[("visit", "Mens E-Mail")]["treatment_mean"]
        > rows[("visit", "Womens E-Mail")]["treatment_mean"]
    )


def test_published_rates_from_the_adapter_tables(
    load_source: Callable[[str], SourceTables],
) -> None:
    src = load_source("hillstrom")
    users = src.users.to_pydict()
    events = src.events.to_pydict()
    index = {u: i for i, u in enumerate(users["user_id"])}
    visit = np.zeros(len(index))
    conv = np.zeros(len(index))
    for u, t in zip(events["user_id"], events["event_type"], strict=True):
        if t == "visit":
            visit[index[u]] = 1
        elif t == "purchase":
            conv[index[u]] = 1
    a = analyze(users["arm"], {"visit": visit, "conversion": conv}, ["visit", "conversion"],
                control="No E-Mail", correction="holm")  # fmt: skip
    for r in a.results:
        published = VISIT if r["metric"] == "visit" else CONVERSION
        assert round(r["treatment_mean"], 4) == published[r["arm"]]
        assert round(r["control_mean"], 4) == published["No E-Mail"]
        assert r["p_value_adjusted"] < 0.001
