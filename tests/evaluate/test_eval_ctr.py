"""CTR evaluation: AUC, logloss, calibration, and `seamline evaluate-ctr` on ml-100k files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.errors import DataError
from seamline.evaluate.ctr import auc, calibration, ctr_metrics, logloss
from seamline.evaluate.ctr_task import movielens_ctr


def test_auc_and_logloss_match_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500).astype(float)
    p = np.round(np.clip(0.3 * y + rng.uniform(size=500) * 0.7, 0, 1), 1)  # many ties
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    p[0] = 0.0  # clipped like scikit-learn / the peer benchmark
    assert logloss(y, p) == pytest.approx(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7)), rel=1e-9)
    with pytest.raises(DataError, match="both positive and negative"):
        auc(np.ones(3), [0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="probabilities in"):
        logloss([0, 1], [0.5, 1.5])


def test_reliability_table() -> None:
    y = np.array([0, 0, 1, 1, 1, 0, 1, 1])
    p = np.array([0.05, 0.15, 0.15, 0.55, 0.95, 0.95, 1.0, 0.95])
    c = calibration(y, p, bins=10)
    assert c.count == [1, 2, 0, 0, 0, 1, 0, 0, 0, 4]  # p = 1.0 falls in the last bin
    assert c.predicted[1] == pytest.approx(0.15) and c.observed[1] == 0.5
    assert c.predicted[2] is None and c.observed[9] == 0.75
    gaps = 1 * 0.05 + 2 * 0.35 + 1 * 0.45 + 4 * abs(0.9625 - 0.75)
    assert c.ece == pytest.approx(gaps / 8)
    m = ctr_metrics(y, p, bins=4)
    assert len(m["calibration"]["bins"]) == 4 and m["positive_rate"] == 0.625


def _ml100k(folder: Path, n_users: int = 40, n_items: int = 30, n: int = 1500) -> Path:
    """ml-100k-shaped files whose ratings depend on the user's gender and the genre."""
    rng = np.random.default_rng(5)
    folder.mkdir()
    genders = ["M" if u % 2 else "F" for u in range(n_users)]
    (folder / "u.user").write_text("".join(
        f"{u + 1}|{18 + u % 40}|{genders[u]}|{['writer', 'artist'][u % 3 == 0]}|0{u:04d}\n"
        for u in range(n_users)))  # fmt: skip
    lines = []
    for i in range(n_items):
        flags = ["0"] * 19
        flags[1 + i % 3] = "1"
        lines.append(f"{i + 1}|Movie {i} (1995)|01-Jan-1995||http://x|" + "|".join(flags) + "\n")
    (folder / "u.item").write_text("".join(lines), encoding="latin-1")
    u, i = rng.integers(0, n_users, n), rng.integers(0, n_items, n)
    good = (np.array(genders)[u] == "M") == (i % 3 == 0)
    rating = np.where(good, rng.integers(4, 6, n), rng.integers(1, 4, n))
    (folder / "u.data").write_text(
        "".join(
            f"{a + 1}\t{b + 1}\t{r}\t{881250949 + k}\n"
            for k, (a, b, r) in enumerate(zip(u, i, rating, strict=True))
        )
    )
    return folder


def test_movielens_task_follows_the_peer_protocol(tmp_path: Path) -> None:
    task = movielens_ctr(_ml100k(tmp_path / "ml"))
    assert len(task.train) == 1200 and len(task.test) == 300
    perm = np.random.RandomState(42).permutation(1500)
    assert (task.train == perm[:1200]).all()
    f = task.frame
    assert task.sparse == ["user", "item", "gender", "age_bucket", "occupation"]
    assert f.loc[0, "genres"] in {"Action", "Adventure", "Animation"}
    assert set(f["age_bucket"]) <= set(range(7))
    assert (task.labels == (f["rating"] >= 4)).all()


def test_evaluate_ctr_cli_json(tmp_path: Path) -> None:
    folder = _ml100k(tmp_path / "ml")
    res = CliRunner().invoke(
        app, ["evaluate-ctr", "--dataset", "movielens-100k", str(folder), "--model", "deepfm",
              "--epochs", "2", "--device", "cpu", "--threads", "1", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model"] == "deepfm" and 1 <= out["epochs"] <= 2
    assert out["auc"] > 0.7 and out["logloss"] < out["prior_logloss"]
    assert out["train_seconds"] > 0 and len(out["calibration"]["bins"]) == 10
    table = CliRunner().invoke(
        app, ["evaluate-ctr", str(folder), "--model", "lr", "--epochs", "1", "--threads", "1"]
    )
    assert table.exit_code == 0 and "calibration" in table.stdout


def test_evaluate_ctr_cli_errors(tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["evaluate-ctr", "--dataset", "hillstrom", str(tmp_path)])
    assert bad.exit_code == 2 and "no CTR task for dataset 'hillstrom'" in bad.stderr
    res = CliRunner().invoke(app, ["evaluate-ctr", str(tmp_path / "absent")])
    assert res.exit_code == 2 and "not found" in res.stderr
