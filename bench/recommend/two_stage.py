"""Two stages against retrieval alone: NDCG@10 / HitRate@10 in one run per dataset.

    nice -n 10 .venv/bin/python bench/recommend/two_stage.py [--datasets synthetic,ml-100k]
        [--candidates 300] [--retriever ease] [--threads 1]

Protocol (temporal leave-last-one-out over distinct (user, item) pairs, users with >= 3):
- the last pair of each user is the test item, the one before it the ranker's label;
- stage 1 for the ranker's training data: the retriever fitted without both, its top
  `--candidates` per user labelled 1 where they hold the label item (negatives are the
  other candidates: what the ranker must learn to push down);
- the ranker (DeepFM over user, item, category, brand, domain, price band, the user's
  features, recent categories, recency, cross-domain share, retrieval rank and score)
  is trained on those with early stopping;
- test: the retriever refitted without the test items only, its candidates re-ranked by
  the ranker; both lists are scored against the test item.
Prints a markdown table (paste it into two_stage.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seamline.data.dataset import IdMap, Interactions
from seamline.data.datasets import load_dataset
from seamline.recommend.rank.registry import make_ranker
from seamline.recommend.rank.two_stage import rerank, retrieve
from seamline.recommend.registry import make

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
RETRIEVERS = {"ease": {"l2": 500.0, "recent_half_life": 5.0}, "als": {}, "transition": {}}
K = 10


def synthetic(n_users: int = 2000) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from seamline.data.synthetic import generate_world

    with tempfile.TemporaryDirectory() as tmp:
        generate_world(n_users, 7, tmp)
        ev, items, users = (
            pd.read_csv(Path(tmp) / f"{t}.csv") for t in ("events", "items", "users")
        )
    users = users[["user_id", "gender", "age", "age_band", "city", "occupation"]]
    return ev, items, users


def movielens() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    src = load_dataset("movielens-100k", SHARED / "ml-100k")
    assert src.events is not None and src.items is not None and src.users is not None
    ev = src.events.to_pandas()
    items = src.items.to_pandas()[["item_id", "domain", "title", "category"]]
    users = src.users.to_pandas()[["user_id", "gender", "age", "occupation"]]
    return ev, items, users


def hm() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    src = load_dataset("hm-fashion", SHARED / "hm-fashion")
    assert src.events is not None and src.items is not None and src.users is not None
    ev = src.events.to_pandas()
    items = src.items.to_pandas()
    items = items[[c for c in ("item_id", "domain", "title", "category", "brand", "price")
                   if c in items.columns]]  # fmt: skip
    users = src.users.to_pandas()[["user_id", "age", "club_member_status",
                                   "fashion_news_frequency"]]  # fmt: skip
    return ev, items, users


def split(ev: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train events, label pair per user, test pair per user) over distinct pairs."""
    ev = ev.copy()
    ev["user_id"], ev["item_id"] = ev["user_id"].astype(str), ev["item_id"].astype(str)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"], utc=True)
    ev = ev.sort_values("timestamp", kind="stable").reset_index(drop=True)
    first = ev.drop_duplicates(["user_id", "item_id"])  # each pair at its first event
    n = first.groupby("user_id")["item_id"].transform("size")
    first = first[n >= 3]
    pos = first.groupby("user_id").cumcount(ascending=False)  # 0 = the user's last new item
    test, label = first[pos == 0], first[pos == 1]
    return ev[ev["user_id"].isin(first["user_id"])], label, test


def without(ev: pd.DataFrame, *held: pd.DataFrame) -> pd.DataFrame:
    keys = pd.MultiIndex.from_frame(ev[["user_id", "item_id"]])
    drop = np.zeros(len(ev), dtype=bool)
    for h in held:
        drop |= keys.isin(pd.MultiIndex.from_frame(h[["user_id", "item_id"]]))
    return ev[~drop]


def ndcg_hit(lists: pd.DataFrame, truth: pd.DataFrame, order_col: str) -> tuple[float, float]:
    # log_rank: lower is better; rank_score: higher is better
    top = lists.sort_values(["user_id", order_col], ascending=[True, order_col == "log_rank"])
    top = top.groupby("user_id", sort=False).head(K)
    top = top.assign(pos=top.groupby("user_id", sort=False).cumcount())
    hits = top.merge(truth[["user_id", "item_id"]], on=["user_id", "item_id"])
    gain = pd.Series(1.0 / np.log2(hits["pos"].to_numpy() + 2.0), index=hits["user_id"])
    n = truth["user_id"].nunique()
    return float(gain.sum() / n), float(len(hits) / n)


def run(name: str, tables: tuple[pd.DataFrame, ...], a: argparse.Namespace) -> dict[str, Any]:
    ev, items, users = tables
    ev, label, test = split(ev)
    umap = IdMap(pd.unique(ev["user_id"]))
    imap = IdMap(pd.unique(ev["item_id"].astype(str)))
    items = items.assign(item_id=items["item_id"].astype(str))
    users = users.assign(user_id=users["user_id"].astype(str))
    cols = [c for c in ("user_id", "item_id", "event_type", "timestamp", "domain") if c in ev]

    def data(frame: pd.DataFrame) -> Interactions:
        return Interactions.from_frame(frame[cols], umap, imap, item_info=items,
                                       user_features=users)  # fmt: skip

    params = RETRIEVERS[a.retriever]
    t = time.perf_counter()
    d_val = data(without(ev, label, test))
    r1 = make(a.retriever, **params).fit(d_val)
    c1 = retrieve(r1, list(label["user_id"]), a.candidates)
    y1 = c1.merge(label[["user_id", "item_id"]].assign(y=1.0), how="left")["y"].fillna(0.0)
    ranker = make_ranker(a.ranker, device="cpu", threads=a.threads, max_epochs=a.epochs)
    ranker.fit(c1, y1.to_numpy(), d_val)
    train_s = time.perf_counter() - t
    d_test = data(without(ev, test))
    r2 = make(a.retriever, **params).fit(d_test)
    c2 = retrieve(r2, list(test["user_id"]), a.candidates)
    t = time.perf_counter()
    ranked = rerank(ranker, c2, d_test, a.candidates)
    rank_s = time.perf_counter() - t
    base = ndcg_hit(c2, test, "log_rank")
    two = ndcg_hit(ranked, test, "rank_score")
    recall = float(c2.merge(test[["user_id", "item_id"]]).shape[0] / len(test))
    return {
        "dataset": name, "users": len(test), "items": len(imap), "candidates": a.candidates,
        "recall_at_candidates": recall, "label_positives": int(y1.sum()),
        "retrieval": base, "reranked": two, "ranker_epochs": ranker.log.epochs,
        "train_s": train_s, "rerank_s": rank_s,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="synthetic,ml-100k")
    ap.add_argument("--retriever", default="ease", choices=list(RETRIEVERS))
    ap.add_argument("--ranker", default="deepfm")
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    loaders = {"synthetic": synthetic, "ml-100k": movielens, "hm": hm}
    print(f"retriever {a.retriever}, ranker {a.ranker}, {a.candidates} candidates, "
          f"{a.threads} thread(s)\n")  # fmt: skip
    print(
        "| dataset | users | recall@cand | NDCG@10 retrieval | NDCG@10 re-ranked | "
        "HR@10 retrieval | HR@10 re-ranked | ranker train s | re-rank s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in a.datasets.split(","):
        r = run(name, loaders[name](), a)
        print(
            f"| {name} | {r['users']} | {r['recall_at_candidates']:.3f} | "
            f"{r['retrieval'][0]:.4f} | {r['reranked'][0]:.4f} | {r['retrieval'][1]:.4f} | "
            f"{r['reranked'][1]:.4f} | {r['train_s']:.1f} | {r['rerank_s']:.2f} |",
            flush=True,
        )
        print(r, file=sys.stderr)


if __name__ == "__main__":
    main()
