"""The report's privacy and fairness sections: present when there is something to say,
and free of raw ids and PII."""

from __future__ import annotations

from seamline.fairness.audit import FairnessConfig, fairness_audit
from seamline.pii import patterns as pii
from seamline.pipeline import write_report
from seamline.privacy import dp
from seamline.privacy.export import export
from seamline.privacy.forget import forget_user
from seamline.report.privacy import fairness_section, privacy_section
from seamline.workspace import Workspace


def test_sections_in_report(ws_copy: Workspace, tmp_path, planted: str) -> None:
    assert fairness_section(ws_copy) is None  # no audit yet
    s = privacy_section(ws_copy)
    assert s is not None and "raw (not pseudonymised" in s.html
    forget_user(ws_copy, planted)
    export(ws_copy, "segments", tmp_path / "s.csv", k=5)
    dp.release(ws_copy, "count", epsilon=0.2)
    fairness_audit(ws_copy, FairnessConfig(model="mostpop"))
    page = write_report(ws_copy).read_text(encoding="utf-8")
    assert 'id="privacy"' in page and 'id="fairness"' in page
    assert "Brand exposure disparity" in page and "count(*) by segment" in page
    assert planted not in page
    with ws_copy.connect() as con:
        ids = [r[0] for r in con.execute("SELECT user_id FROM users LIMIT 200").fetchall()]
    assert not any(f">{u}<" in page for u in ids)
    sec = privacy_section(ws_copy)
    assert sec is not None and not pii.find(sec.html)
