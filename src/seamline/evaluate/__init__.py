"""Offline evaluation of recommenders: temporal splits, top-k metrics, a tuning runner."""

from seamline.evaluate.metrics import RankingMetrics, evaluate_ranking, top_k
from seamline.evaluate.splits import Split, make_split

__all__ = ["RankingMetrics", "Split", "evaluate_ranking", "make_split", "top_k"]
