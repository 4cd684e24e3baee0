"""Every export satisfies the k it claims, and k-anonymisation itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seamline.errors import ConfigError, DataError
from seamline.pii import patterns as pii
from seamline.pii.keyring import KeyRing
from seamline.privacy.export import QUASI_IDENTIFIERS, export
from seamline.privacy.forget import audit_log
from seamline.privacy.kanon import anonymise, satisfies_k
from seamline.workspace import Workspace

RING = KeyRing((b"partner-test-key-0123456789",))


def _classes_ok(frame: pd.DataFrame, cols: list[str], k: int, count: str | None) -> bool:
    """An independent check: the smallest class over `cols` holds >= k people."""
    if count:
        sizes = frame.fillna("NA").groupby(cols)[count].sum()
    else:
        sizes = frame.fillna("NA").groupby(cols).size()
    return bool(sizes.min() >= k)


@pytest.mark.parametrize("k", [2, 5, 20])
@pytest.mark.parametrize("what", ["segments", "audience", "kpis"])
def test_every_export_satisfies_its_k(
    ws_copy: Workspace, tmp_path: Path, what: str, k: int
) -> None:
    out = tmp_path / f"{what}.csv"
    s = export(ws_copy, what, out, k=k, keyring=RING)  # type: ignore[arg-type]
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    meta = json.loads(Path(str(out) + ".privacy.json").read_text())
    assert meta["k"] == k and meta["satisfies_k"] and meta["min_class_size"] >= k
    assert len(frame) == s.rows > 0
    if what == "kpis":
        assert (frame["users"].astype(int) >= k).all()
    else:
        frame_n = frame.assign(users=frame["users"].astype(int)) if what == "segments" else frame
        cols = ["segment", *QUASI_IDENTIFIERS]
        assert _classes_ok(frame_n, cols, k, "users" if what == "segments" else None)
    # No raw workspace id, and no PII, in what leaves.
    with ws_copy.connect() as con:
        ids = {r[0] for r in con.execute("SELECT user_id FROM users").fetchall()}
    text = out.read_text()
    assert not any(f",{u}," in text or text.startswith(f"{u},") for u in ids)
    assert not pii.find(text)


def test_audience_ids_are_partner_specific(ws_copy: Workspace, tmp_path: Path) -> None:
    a = export(ws_copy, "audience", tmp_path / "a.csv", k=5, partner="brand-a", keyring=RING)
    b = export(ws_copy, "audience", tmp_path / "b.csv", k=5, partner="brand-b", keyring=RING)
    ida = set(pd.read_csv(a.path)["partner_id"])
    idb = set(pd.read_csv(b.path)["partner_id"])
    assert ida and not ida & idb
    with ws_copy.connect() as con:
        audit = con.execute("SELECT action FROM privacy_audit").fetchall()
    assert [r[0] for r in audit] == ["export", "export"]


def test_bad_export_requests(ws_copy: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="segments, audience, kpis"):
        export(ws_copy, "users", tmp_path / "x.csv")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=">= 2"):
        export(ws_copy, "segments", tmp_path / "x.csv", k=1)


@settings(deadline=None, max_examples=40)  # pandas group-bys: time varies with machine load
@given(
    n=st.integers(20, 300),
    k=st.integers(2, 15),
    seed=st.integers(0, 10_000),
)
def test_anonymise_always_meets_k(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.integers(16, 80, n).astype(float),
            "gender": rng.choice(["f", "m", None], n),
            "city": rng.choice(["bj", "sh", "gz", "sz", "cd", "xa", "wh", "hz"], n),
            "segment": rng.integers(0, 3, n),
        }
    )
    df.loc[rng.random(n) < 0.1, "age"] = np.nan
    r = anonymise(df, ["age", "gender", "city"], k, fixed=["segment"])
    cols = ["age", "gender", "city", "segment"]
    assert satisfies_k(r.frame, cols, k)
    assert len(r.frame) + r.suppressed == n
    assert r.frame.empty or _classes_ok(r.frame, cols, k, None)


def test_generalisation_prefers_keeping_detail_when_data_allow() -> None:
    df = pd.DataFrame(
        {"age": [30.0] * 50 + [41.0] * 50, "gender": ["f"] * 100, "city": ["bj"] * 100}
    )
    r = anonymise(df, ["age", "gender", "city"], 10)
    assert r.levels == {"age": 0, "gender": 0, "city": 0} and r.suppressed == 0


@pytest.mark.parametrize("what", ["segments", "audience", "kpis"])
def test_unmeetable_k_fails_and_writes_nothing(
    ws_copy: Workspace, tmp_path: Path, what: str
) -> None:
    out = tmp_path / "out" / f"{what}.csv"
    with pytest.raises(DataError, match=r"k=10000 cannot be met within the 5% suppression cap"):
        export(ws_copy, what, out, k=10_000, keyring=RING)  # type: ignore[arg-type]
    assert not out.parent.exists()  # not even an empty file
    assert audit_log(ws_copy) == []  # nothing was exported


def test_suppression_over_the_cap_fails(ws_copy: Workspace, tmp_path: Path) -> None:
    with ws_copy.connect() as con:
        sizes = [
            int(r[0])
            for r in con.execute(
                "SELECT count(*) FROM segments WHERE run_id = (SELECT max(run_id) FROM segments) "
                "GROUP BY segment"
            ).fetchall()
        ]
    smallest, n = min(sizes), sum(sizes)
    assert smallest / n > 0.05  # so k = smallest + 1 must suppress more than 5%
    k = smallest + 1
    with pytest.raises(DataError, match=r"\(\d+ of \d+ users would be suppressed\)"):
        export(ws_copy, "segments", tmp_path / "a.csv", k=k)
    assert not (tmp_path / "a.csv").exists()
    s = export(ws_copy, "segments", tmp_path / "b.csv", k=k, max_suppression=0.5)
    assert s.suppressed_users >= smallest and s.rows > 0


def test_unknown_segment_fails_and_writes_nothing(ws_copy: Workspace, tmp_path: Path) -> None:
    for what in ("segments", "audience", "kpis"):
        with pytest.raises(ConfigError, match=r"no segment 999 in the latest segmentation"):
            export(ws_copy, what, tmp_path / "out" / "x.csv", segments=[0, 999], keyring=RING)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()
