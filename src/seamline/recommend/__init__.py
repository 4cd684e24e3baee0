"""Recommenders behind one API (`base.Recommender`): MostPopular, user-based CF, item KNN,
ALS and BPR (through `implicit`) and EASE; `registry.make(name)` builds one, `store` saves
fitted models in the workspace."""

from seamline.recommend.base import Recommendation, Recommender

__all__ = ["Recommendation", "Recommender"]
