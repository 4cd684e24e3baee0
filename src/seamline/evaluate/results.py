"""What an evaluation returns: one row per model and the run around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelResult:
    model: str
    params: dict[str, Any]
    metrics: dict[str, float]
    tuning: list[dict[str, Any]] = field(default_factory=list)
    fit_s: float = 0.0
    eval_s: float = 0.0
    error: str | None = None


@dataclass
class EvaluationResult:
    split: str
    k: int
    domain: str | None
    split_stats: dict[str, Any]
    results: list[ModelResult]
    run_id: int | None = None
    seconds: float = 0.0

    def best(self) -> ModelResult | None:
        ok = [r for r in self.results if r.error is None]
        return max(ok, key=lambda r: r.metrics[f"ndcg@{self.k}"]) if ok else None

    def to_dict(self) -> dict[str, Any]:
        """{split, k, domain, split_stats, results: [{model, <metric>@k, ..., params}]}."""
        rows = []
        for r in self.results:
            row: dict[str, Any] = {"model": r.model, **r.metrics, "params": r.params}
            row.update(fit_s=r.fit_s, eval_s=r.eval_s)
            if r.tuning:
                row["tuning"] = r.tuning
            if r.error:
                row["error"] = r.error
            rows.append(row)
        return {
            "split": self.split,
            "k": self.k,
            "domain": self.domain,
            "run_id": self.run_id,
            "split_stats": self.split_stats,
            "seconds": self.seconds,
            "results": rows,
        }
