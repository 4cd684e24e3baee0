"""Ranker fields for (user, item) candidates, assembled from `Interactions` in bulk.

Sparse: user, item, the item's category, brand (or provider), domain and price band
(quintiles of the catalogue's prices), the user's categorical features (demographics,
`segment`), context (`hour`, `weekday` from a candidate `timestamp`, and `channel`) when
the candidates carry them. Multi-valued: the categories of the user's last `RECENT` items.
Dense: days since the user's last event, the share of the user's events in the
candidate's domain (cross-domain share), the user's and the item's event counts (log),
the user's numeric features, and any numeric column of the candidates (a retrieval
score, say).

Per-user and per-item summaries are a `FeatureSnapshot`, computed once per dataset
(cached on it) and saved beside a served ranker, so scoring a few hundred candidates for
one user is a handful of array lookups and no read of the events.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.data.idmap import IdMap
from seamline.errors import DataError
from seamline.recommend.rank.base import PAIR_KEYS
from seamline.recommend.rank.fields import SEP

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions

RECENT = 3
PRICE_BANDS = 5
CACHE_KEY = "rank_snapshot"
Obj = npt.NDArray[np.object_]
Floats = npt.NDArray[np.float64]
TEXT = ("item_category", "item_brand", "item_domain", "price_band", "recent_cats")
NUMBERS = ("user_events", "item_events", "last_age", "item_dom", "dom_counts")


@dataclass(frozen=True)
class FeatureSnapshot:
    """What the fields read about users and items, as arrays in id-map order."""

    users: IdMap
    items: IdMap
    item_category: Obj
    item_brand: Obj
    item_domain: Obj
    price_band: Obj
    recent_cats: Obj  # per user: the categories of the latest items, latest first
    user_events: Floats
    item_events: Floats
    last_age: Floats  # per user: days from the last event to the data's end
    item_dom: npt.NDArray[np.int64]  # per item: index into `domains`, -1 when none
    dom_counts: Floats  # users x domains: event counts
    domains: list[str]
    user_features: pd.DataFrame | None

    @classmethod
    def from_interactions(cls, data: Interactions) -> FeatureSnapshot:
        """The snapshot of `data` (computed once, cached on it)."""
        cached = data._cache.get(CACHE_KEY)
        if isinstance(cached, FeatureSnapshot):
            return cached
        nu, ni = data.n_users, data.n_items
        u, i = data.user, data.item
        last_age = np.full(nu, np.nan)
        if len(u):
            np.fmin.at(last_age, u, data.age_days)
        domains = sorted({str(d) for d in data.item_domain if d is not None})
        item_dom = pd.Index(domains).get_indexer(pd.Index(data.item_domain.astype(object)))
        dom_counts = np.zeros((nu, max(len(domains), 1)))
        ok = item_dom[i] >= 0
        np.add.at(dom_counts, (u[ok], item_dom[i][ok]), 1.0)
        rank = data.recency_rank()
        keep = rank < RECENT
        recent = pd.DataFrame({"u": u[keep], "r": rank[keep],
                               "c": data.item_category[i[keep]].astype(object)})  # fmt: skip
        recent = recent.dropna().sort_values(["u", "r"])
        joined = recent.groupby("u")["c"].agg(lambda s: SEP.join(map(str, s)))
        recent_cats = np.full(nu, None, dtype=object)
        recent_cats[joined.index.to_numpy()] = joined.to_numpy()
        snap = cls(
            users=data.users, items=data.items,
            item_category=data.item_category.astype(object),
            item_brand=data.item_brand.astype(object),
            item_domain=data.item_domain.astype(object),
            price_band=_price_bands(data.item_price), recent_cats=recent_cats,
            user_events=np.bincount(u, minlength=nu).astype(np.float64),
            item_events=np.bincount(i, minlength=ni).astype(np.float64),
            last_age=last_age, item_dom=item_dom.astype(np.int64), dom_counts=dom_counts,
            domains=domains, user_features=data.user_features,
        )  # fmt: skip
        data._cache[CACHE_KEY] = snap
        return snap

    # ------------------------------------------------------------------ files
    def save(self, folder: Path) -> None:
        """`snapshot.json` (ids, text fields, user features) and `snapshot.npz` (numbers)."""
        folder.mkdir(parents=True, exist_ok=True)
        text = {k: [None if v is None else str(v) for v in getattr(self, k)] for k in TEXT}
        uf = None if self.user_features is None else self.user_features.to_json(orient="split")
        doc = {"users": self.users.ids, "items": self.items.ids, "domains": self.domains,
               "text": text, "user_features": uf}  # fmt: skip
        (folder / "snapshot.json").write_text(json.dumps(doc))
        np.savez(folder / "snapshot.npz", **{k: getattr(self, k) for k in NUMBERS})

    @classmethod
    def load(cls, folder: Path) -> FeatureSnapshot:
        doc = json.loads((folder / "snapshot.json").read_text())
        with np.load(folder / "snapshot.npz", allow_pickle=False) as z:
            nums = {k: z[k] for k in NUMBERS}
        text = {k: np.array(v, dtype=object) for k, v in doc["text"].items()}
        uf = doc["user_features"]
        frame = None if uf is None else pd.read_json(io.StringIO(uf), orient="split")
        if frame is not None:
            frame.index = frame.index.astype(str)
        return cls(users=IdMap(doc["users"]), items=IdMap(doc["items"]),
                   domains=list(doc["domains"]), user_features=frame, **text, **nums)  # fmt: skip


def _price_bands(price: Floats) -> Obj:
    finite = price[np.isfinite(price)]
    if not len(finite):
        return np.full(len(price), None, dtype=object)
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, PRICE_BANDS + 1)[1:-1]))
    band = np.searchsorted(edges, price, side="right").astype(object)
    band[~np.isfinite(price)] = None
    return band


def pair_fields(
    candidates: pd.DataFrame, source: Interactions | FeatureSnapshot
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """(frame of field columns, {"sparse": [...], "multi": [...], "dense": [...]})."""
    missing = [c for c in PAIR_KEYS if c not in candidates.columns]
    if missing:
        raise DataError(f"candidates lack column {missing[0]!r}; they need {', '.join(PAIR_KEYS)}")
    s = source if isinstance(source, FeatureSnapshot) else FeatureSnapshot.from_interactions(source)
    c = candidates.reset_index(drop=True)
    uid = c["user_id"].astype(str).to_numpy(dtype=object)
    iid = c["item_id"].astype(str).to_numpy(dtype=object)
    ui, ii = s.users.positions(uid), s.items.positions(iid)
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
    f["category"] = per_item(s.item_category, None)
    f["brand"] = per_item(s.item_brand, None)
    f["domain"] = per_item(s.item_domain, None)
    f["price_band"] = per_item(s.price_band, None)
    sparse = ["user", "item", "category", "brand", "domain", "price_band"]
    dense = ["days_since_last", "domain_share", "user_events", "item_events"]
    f["recent_categories"] = per_user(s.recent_cats, None)
    f["days_since_last"] = np.log1p(per_user(s.last_age, np.nan))
    dom = per_item(s.item_dom, -1)
    share = np.full(len(c), np.nan)
    ok = known_u & (dom >= 0)
    share[ok] = s.dom_counts[ui[ok], dom[ok]] / np.maximum(s.dom_counts[ui[ok]].sum(1), 1.0)
    f["domain_share"] = share
    f["user_events"] = np.log1p(per_user(s.user_events, 0.0))
    f["item_events"] = np.log1p(per_item(s.item_events, 0.0))
    if s.user_features is not None:
        uf = s.user_features.reindex(pd.Index(uid))
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
