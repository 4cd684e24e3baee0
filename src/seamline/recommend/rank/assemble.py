"""Ranker fields for (user, item) candidates, assembled from `Interactions` in bulk.

Sparse: user, item, the item's category, brand (or provider), domain and price band
(quintiles of the catalogue's prices), the user's categorical features (demographics,
`segment`), context (`hour`, `weekday` from a candidate `timestamp`, and `channel`) when
the candidates carry them. Multi-valued: the categories of the user's last `RECENT` items.
Dense: days since the user's last event, the share of the user's events in the
candidate's domain (cross-domain share), the user's and the item's event counts (log),
the user's numeric features, and any numeric column of the candidates (a retrieval
score, say).

Per-user and per-item summaries are computed once per dataset (cached on it), so scoring
a few hundred candidates for one user is a handful of array lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from seamline.errors import DataError
from seamline.recommend.rank.base import PAIR_KEYS
from seamline.recommend.rank.fields import SEP

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions

RECENT = 3
PRICE_BANDS = 5
CACHE_KEY = "rank_summaries"


def _summaries(data: Interactions) -> dict[str, Any]:
    """Per-user and per-item arrays the fields read (cached on the dataset)."""
    cache = data._cache
    if CACHE_KEY in cache:
        out: dict[str, Any] = cache[CACHE_KEY]
        return out
    nu, ni = data.n_users, data.n_items
    u, i = data.user, data.item
    user_events = np.bincount(u, minlength=nu).astype(np.float64)
    item_events = np.bincount(i, minlength=ni).astype(np.float64)
    last_age = np.full(nu, np.nan)
    if len(u):
        np.fmin.at(last_age, u, data.age_days)
    domains = sorted({str(d) for d in data.item_domain if d is not None})
    dom_index = pd.Index(domains)
    item_dom = dom_index.get_indexer(pd.Index(data.item_domain.astype(object)))
    dom_counts = np.zeros((nu, max(len(domains), 1)))
    ok = item_dom[i] >= 0
    np.add.at(dom_counts, (u[ok], item_dom[i][ok]), 1.0)
    # the categories of each user's latest items, latest first, `|`-joined
    rank = data.recency_rank()
    keep = rank < RECENT
    cats = pd.Series(data.item_category[i[keep]], dtype=object)
    recent = pd.DataFrame({"u": u[keep], "r": rank[keep], "c": cats.to_numpy()})
    recent = recent.dropna().sort_values(["u", "r"])
    joined = recent.groupby("u")["c"].agg(lambda s: SEP.join(map(str, s)))
    recent_cats = np.full(nu, None, dtype=object)
    recent_cats[joined.index.to_numpy()] = joined.to_numpy()
    price = data.item_price
    finite = price[np.isfinite(price)]
    if len(finite):
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, PRICE_BANDS + 1)[1:-1]))
        band = np.searchsorted(edges, price, side="right").astype(object)
        band[~np.isfinite(price)] = None
    else:
        band = np.full(ni, None, dtype=object)
    out = {
        "user_events": user_events, "item_events": item_events, "last_age": last_age,
        "domains": dom_index, "item_dom": item_dom, "dom_counts": dom_counts,
        "recent_cats": recent_cats, "price_band": band,
    }  # fmt: skip
    cache[CACHE_KEY] = out
    return out


def pair_fields(
    candidates: pd.DataFrame, data: Interactions
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """(frame of field columns, {"sparse": [...], "multi": [...], "dense": [...]})."""
    missing = [c for c in PAIR_KEYS if c not in candidates.columns]
    if missing:
        raise DataError(f"candidates lack column {missing[0]!r}; they need {', '.join(PAIR_KEYS)}")
    c = candidates.reset_index(drop=True)
    s = _summaries(data)
    uid = c["user_id"].astype(str).to_numpy(dtype=object)
    iid = c["item_id"].astype(str).to_numpy(dtype=object)
    ui, ii = data.users.positions(uid), data.items.positions(iid)
    known_u, known_i = ui >= 0, ii >= 0

    def per_user(values: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full(len(c), fill, dtype=values.dtype)
        out[known_u] = values[ui[known_u]]
        return out

    def per_item(values: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full(len(c), fill, dtype=values.dtype)
        out[known_i] = values[ii[known_i]]
        return out

    f: dict[str, Any] = {"user": uid, "item": iid}
    f["category"] = per_item(data.item_category.astype(object), None)
    f["brand"] = per_item(data.item_brand.astype(object), None)
    f["domain"] = per_item(data.item_domain.astype(object), None)
    f["price_band"] = per_item(s["price_band"], None)
    sparse = ["user", "item", "category", "brand", "domain", "price_band"]
    dense = ["days_since_last", "domain_share", "user_events", "item_events"]
    f["recent_categories"] = per_user(s["recent_cats"], None)
    f["days_since_last"] = np.log1p(per_user(s["last_age"], np.nan))
    dom = per_item(s["item_dom"], -1)
    counts = s["dom_counts"]
    share = np.full(len(c), np.nan)
    ok = known_u & (dom >= 0)
    share[ok] = counts[ui[ok], dom[ok]] / np.maximum(counts[ui[ok]].sum(1), 1.0)
    f["domain_share"] = share
    f["user_events"] = np.log1p(per_user(s["user_events"], 0.0))
    f["item_events"] = np.log1p(per_item(s["item_events"], 0.0))
    if data.user_features is not None:
        uf = data.user_features.reindex(pd.Index(uid))
        for col in uf.columns:
            name = f"user_{col}"
            numeric = pd.api.types.is_numeric_dtype(uf[col])
            f[name] = uf[col].to_numpy(dtype=np.float64 if numeric else object)
            (dense if numeric else sparse).append(name)
    if "timestamp" in c.columns:
        ts = pd.to_datetime(c["timestamp"], errors="coerce", utc=True)
        f["hour"], f["weekday"] = ts.dt.hour.to_numpy(), ts.dt.weekday.to_numpy()
        sparse += ["hour", "weekday"]
    if "channel" in c.columns:
        f["channel"] = c["channel"].to_numpy(dtype=object)
        sparse.append("channel")
    for col in c.columns:
        if col in (*PAIR_KEYS, "timestamp", "channel") or col in f:
            continue
        if pd.api.types.is_numeric_dtype(c[col]):
            f[col] = c[col].to_numpy(dtype=np.float64)
            dense.append(col)
    frame = pd.DataFrame(f)
    return frame, {"sparse": sparse, "multi": ["recent_categories"], "dense": dense}
