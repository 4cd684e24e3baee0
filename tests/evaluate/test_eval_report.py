"""The recommendation section of the report."""

from __future__ import annotations

from pathlib import Path

from _support.reference import reference_fit
from seamline.evaluate.runner import evaluate
from seamline.pipeline import write_report
from seamline.report.recommend import recommend_section
from seamline.workspace import Workspace


def test_no_section_without_results(tmp_path: Path) -> None:
    assert recommend_section(Workspace(tmp_path / "none")) is None


def test_section_shows_the_quality_table(synth_ws: Workspace) -> None:
    res = evaluate(synth_ws, ["mostpop", "ease"], fit=reference_fit, tune=False)
    evaluate(synth_ws, ["mostpop"], fit=reference_fit, domain="knowledge", tune=False)
    section = recommend_section(synth_ws)
    assert section is not None
    assert "Temporal leave-last-one-out, all domains, k = 10" in section.html
    assert "Temporal leave-last-one-out, knowledge items, k = 10" in section.html
    best = res.best()
    assert best is not None
    assert f"<strong>{best.model}</strong>" in section.html
    assert f"{best.metrics['ndcg@10']:.4f}" in section.html
    html = write_report(synth_ws).read_text(encoding="utf-8")
    assert '<section id="recommendations">' in html


def test_section_shows_examples_per_domain(synth_ws: Workspace) -> None:
    from seamline.evaluate.runner import fit_best

    res = evaluate(synth_ws, ["mostpop", "itemknn"], tune=False)
    fitted = fit_best(synth_ws, res)
    assert fitted is not None and fitted["name"] == res.best().model  # type: ignore[union-attr]
    section = recommend_section(synth_ws)
    assert section is not None
    for domain in ("fashion", "knowledge"):
        assert f"<caption>{domain} · user" in section.html
    assert "Because the user had" in section.html
