"""Recommenders behind one API (`base.Recommender`): MostPopular, user-based CF, item KNN,
ALS and BPR (through `implicit`) and EASE, each with one validated config (`config`).
`registry.make(name)` builds one and `registry.load_model(path)` reads a saved one
(`persist`); `candidates.Catalog` selects what may be recommended; `store` keeps fitted
models in the workspace and `fallback` gives them the segment popularity for unknown users;
`rank` holds the `Ranker` protocol of second-stage models."""

from seamline.recommend.base import Recommendation, Recommender

__all__ = ["Recommendation", "Recommender"]
