"""Interactions as models see them: dense ids, a weighted user x item matrix, item side info.

Events become (user, item) weights as an `InteractionsConfig` says (`seamline.data.prep`:
event-type weights, time decay, aggregation of repeated pairs). Item side info (domain,
category, brand, price, title) travels as arrays so a fitted model filters and explains
without a database query. Optional user and item feature frames (indexed by id, in the id
maps' order) are there for models that read features, such as rankers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from seamline.data.columns import DOMAINS
from seamline.data.idmap import IdMap, first_positions
from seamline.data.prep import (
    DEFAULT_EVENT_WEIGHTS,
    UNLISTED_WEIGHT,
    InteractionsConfig,
)
from seamline.errors import ConfigError, DataError

if TYPE_CHECKING:
    from seamline.data.store import WorkspaceHandle as Workspace

__all__ = [
    "DEFAULT_EVENT_WEIGHTS", "SIDE_TEXT", "IdMap", "Interactions", "InteractionsConfig",
]  # fmt: skip

log = logging.getLogger(__name__)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

SIDE_TEXT = ("domain", "category", "brand", "title")


@dataclass(frozen=True, eq=False)
class Interactions:
    """Events reduced to dense ids; `matrix()` is the weighted users x items CSR.

    Per event: `user`, `item` (dense indices), `weight` (event-type weight) and `age_days`
    (days before the latest event, 0 when there is no timestamp). Item side info is one
    array per field, aligned with `items`.
    """

    users: IdMap
    items: IdMap
    user: Ints
    item: Ints
    weight: Floats
    age_days: Floats
    seq: Ints  # chronological position of each event (ties keep table order)
    item_domain: npt.NDArray[np.object_]
    item_category: npt.NDArray[np.object_]
    item_brand: npt.NDArray[np.object_]
    item_title: npt.NDArray[np.object_]
    item_price: Floats
    config: InteractionsConfig = field(default_factory=InteractionsConfig)
    user_features: pd.DataFrame | None = None  # indexed by user id, rows in `users` order
    item_features: pd.DataFrame | None = None  # indexed by item id, rows in `items` order
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_events(self) -> int:
        return len(self.user)

    @property
    def half_life_days(self) -> float | None:
        return self.config.half_life_days

    @property
    def event_weights(self) -> dict[str, float]:
        return self.config.weights()

    @property
    def aggregate(self) -> str:
        return self.config.aggregate

    def decayed_weight(self, half_life_days: float | None = None) -> Floats:
        """Per-event weight after time decay (`half_life_days`, default the dataset's)."""
        h = (
            self.half_life_days
            if half_life_days is None
            else InteractionsConfig(half_life_days=half_life_days).half_life_days
        )
        if h is None:
            return self.weight
        return self.weight * np.power(0.5, self.age_days / h)

    def matrix(self) -> sp.csr_matrix:
        """Users x items, float32, summed (decayed) event weights; cached."""
        if "X" not in self._cache:
            self._cache["X"] = self._pairs(self.decayed_weight())
        out: sp.csr_matrix = self._cache["X"]
        return out

    def recency_rank(self) -> Ints:
        """Per event: how many of the same user's events come after it (0 = latest)."""
        if "rank" not in self._cache:
            n = self.n_events
            order = np.lexsort((-self.seq, self.user))  # by user, latest first
            starts = np.r_[0, np.flatnonzero(np.diff(self.user[order])) + 1]
            group_start = np.repeat(starts, np.diff(np.r_[starts, n]))
            rank = np.empty(n, dtype=np.int64)
            rank[order] = np.arange(n) - group_start
            self._cache["rank"] = rank
        out: Ints = self._cache["rank"]
        return out

    def history_matrix(self, recent_half_life: float | None) -> sp.csr_matrix:
        """Like `matrix()`, with each event also weighted ``0.5 ** (r / recent_half_life)``
        where r counts the user's later events: a user's latest items speak loudest."""
        if recent_half_life is None:
            return self.matrix()
        w = self.decayed_weight() * np.power(0.5, self.recency_rank() / float(recent_half_life))
        return self._pairs(w)

    def _pairs(self, w: Floats) -> sp.csr_matrix:
        """Per-event weights -> users x items CSR, repeated pairs combined by `aggregate`."""
        user, item = self.user, self.item
        if self.aggregate in ("max", "binary") and len(w):
            key = user * self.n_items + item
            order = np.lexsort((-w, key))  # each pair's strongest event first
            ks = key[order]
            first = order[np.r_[True, ks[1:] != ks[:-1]]]
            user, item, w = user[first], item[first], w[first]
        X = sp.csr_matrix(
            (w.astype(np.float32), (user, item)),
            shape=(self.n_users, self.n_items),
            dtype=np.float32,
        )
        X.sum_duplicates()
        X.sort_indices()
        return X

    def side_info(self) -> dict[str, np.ndarray]:
        return {
            "domain": self.item_domain,
            "category": self.item_category,
            "brand": self.item_brand,
            "title": self.item_title,
            "price": self.item_price,
        }

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        users: IdMap | None = None,
        items: IdMap | None = None,
        *,
        config: InteractionsConfig | None = None,
        event_weights: Mapping[str, float] | None = None,
        half_life_days: float | None = None,
        aggregate: str | None = None,
        item_info: pd.DataFrame | None = None,
        user_features: pd.DataFrame | None = None,
        now: Any = None,
    ) -> Interactions:
        """Build from a table with canonical event columns.

        Needs `user_id` and `item_id`; uses `event_type` (weights), `timestamp` (decay)
        and `domain` when present. Given `users` / `items` fix the index order and must
        cover every id in the table (an unknown id is a DataError naming its row).
        `item_info` (canonical item columns) supplies side info; otherwise the domain of
        each item's first event is used, and is also the `item_features` frame.
        `config` says how events become weights; `event_weights`, `half_life_days` and
        `aggregate`, when given, replace its fields. `user_features` (a `user_id` column or
        index) becomes the `user_features` frame.
        """
        cfg = _prep_config(config, event_weights, half_life_days, aggregate)
        weights, aggregate = cfg.weights(), cfg.aggregate
        for col in ("user_id", "item_id"):
            if col not in df.columns:
                raise DataError(
                    f"interactions table lacks required column {col!r}; "
                    f"has: {', '.join(map(str, df.columns))}"
                )
        uid = df["user_id"].astype(str).to_numpy(dtype=object)
        iid = df["item_id"].astype(str).to_numpy(dtype=object)
        users = users if users is not None else IdMap(pd.unique(pd.Series(uid, dtype=object)))
        items = items if items is not None else IdMap(pd.unique(pd.Series(iid, dtype=object)))
        u, i = users.positions(uid), items.positions(iid)
        for name, idx, ids in (("user_id", u, uid), ("item_id", i, iid)):
            bad = np.flatnonzero(idx < 0)
            if len(bad):
                raise DataError(
                    f"interactions row {int(bad[0])}: {name} {ids[bad[0]]!r} is not in the "
                    f"given id map ({len(bad)} rows like it)"
                )
        n = len(df)
        if "event_type" in df.columns:
            et = df["event_type"].astype(str)
            w: Floats = np.array(et.map(weights).to_numpy(dtype=np.float64, na_value=np.nan))
            unlisted = np.isnan(w)
            if unlisted.any():
                log.info(
                    "event types %s have no weight; counted with %.1f",
                    sorted(set(et[unlisted])),
                    UNLISTED_WEIGHT,
                )
                w[unlisted] = UNLISTED_WEIGHT
        else:
            w = np.ones(n, dtype=np.float64)
        if aggregate == "binary":
            w = np.ones(n, dtype=np.float64)  # presence only: every event type counts as one
        age = np.zeros(n, dtype=np.float64)
        seq = np.arange(n, dtype=np.int64)
        if "timestamp" in df.columns and n:
            ts = pd.to_datetime(df["timestamp"], utc=True)
            if ts.isna().any():
                row = int(np.flatnonzero(ts.isna().to_numpy())[0])
                raise DataError(f"interactions row {row}: timestamp is missing or not a time")
            secs = (ts - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
            ref = secs.max() if now is None else pd.Timestamp(now).timestamp()
            age = np.maximum(ref - secs, 0.0) / 86400.0
            seq = np.empty(n, dtype=np.int64)
            seq[np.argsort(secs, kind="stable")] = np.arange(n)
        # Side info: from item_info when given, else the domain of each item's first event.
        nI = len(items)
        side: dict[str, npt.NDArray[np.object_]] = {
            k: np.full(nI, "", dtype=object) for k in SIDE_TEXT
        }
        price = np.full(nI, np.nan, dtype=np.float64)
        if "domain" in df.columns and n:
            dom = df["domain"].astype(str).to_numpy(dtype=object)
            first = first_positions(i, nI)
            has = first >= 0
            side["domain"][has] = dom[first[has]]
            clash = dom != side["domain"][i]
            if clash.any():
                # one id in two domains is one item to the models: say so rather than split it
                log.warning(
                    "%d events name an item_id already seen in another domain (e.g. %r); "
                    "each item keeps the domain of its first event",
                    int(clash.sum()),
                    iid[int(np.flatnonzero(clash)[0])],
                )
        if item_info is not None and len(item_info):
            info = item_info.drop_duplicates("item_id", keep="first")
            pos = items.indices(info["item_id"])
            ok = pos >= 0
            for k in SIDE_TEXT:
                if k in info.columns:
                    vals = info[k].to_numpy(dtype=object)[ok]
                    side[k][pos[ok]] = np.array(
                        ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                         for v in vals],
                        dtype=object,
                    )  # fmt: skip
            if "price" in info.columns:
                price[pos[ok]] = pd.to_numeric(info["price"], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )[ok]
        return cls(
            users=users,
            items=items,
            user=u,
            item=i,
            weight=w,
            age_days=age,
            seq=seq,
            item_domain=side["domain"],
            item_category=side["category"],
            item_brand=side["brand"],
            item_title=side["title"],
            item_price=price,
            config=cfg,
            item_features=None if item_info is None else _item_frame(items, side, price),
            user_features=None if user_features is None else _aligned(user_features, users),
        )

    @classmethod
    def from_workspace(
        cls,
        ws: Workspace,
        domain: str | None = None,
        event_weights: Mapping[str, float] | None = None,
        half_life_days: float | None = None,
        aggregate: str | None = None,
        *,
        config: InteractionsConfig | None = None,
        user_features: pd.DataFrame | None = None,
    ) -> Interactions:
        """The workspace's events (only those of `domain` when given) and item side info.

        The catalog is every item with at least one event; users are every user with one.
        The items table's side info becomes `item_features`; `user_features` (e.g. the
        features stage's table) is aligned to the users.
        """
        if domain is not None and domain not in DOMAINS:
            raise ConfigError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
        where = "" if domain is None else "WHERE domain = ?"
        params: list[Any] = [] if domain is None else [domain]
        in_catalog = ""
        if config is not None and config.exclude_orphan_items:
            in_catalog = (" AND " if where else "WHERE ") + (
                "EXISTS (SELECT 1 FROM items i "
                "WHERE i.item_id = events.item_id AND i.domain = events.domain)"
            )
        with ws.connect(read_only=True) as con:
            df = con.execute(
                "SELECT user_id, item_id, domain, event_type, timestamp FROM events "
                f"{where}{in_catalog} ORDER BY timestamp, ingest_id, rowid",
                params,
            ).df()
            info = con.execute(
                "SELECT item_id, domain, category, brand, title, price FROM items "
                f"{where} ORDER BY item_id, domain",
                params,
            ).df()
        if df.empty:
            raise DataError(
                f"workspace {ws.path} holds no events"
                + ("" if domain is None else f" in domain {domain!r}")
                + ": ingest events first (seamline ingest --events FILE or --dataset NAME)"
            )
        return cls.from_frame(
            df,
            config=config,
            event_weights=event_weights,
            half_life_days=half_life_days,
            aggregate=aggregate,
            item_info=info,
            user_features=user_features,
        )

    def with_features(
        self,
        user_features: pd.DataFrame | None = None,
        item_features: pd.DataFrame | None = None,
    ) -> Interactions:
        """A copy with feature frames (a `user_id` / `item_id` column or index) aligned to
        the id maps: one row per user / item in index order, missing ids as NaN rows."""
        return replace(
            self,
            user_features=self.user_features
            if user_features is None
            else _aligned(user_features, self.users, "user_id"),
            item_features=self.item_features
            if item_features is None
            else _aligned(item_features, self.items, "item_id"),
            _cache={},
        )


def _prep_config(
    config: InteractionsConfig | None,
    event_weights: Mapping[str, float] | None,
    half_life_days: float | None,
    aggregate: str | None,
) -> InteractionsConfig:
    cfg = config if config is not None else InteractionsConfig()
    given = {
        k: v
        for k, v in (
            ("event_weights", event_weights),
            ("half_life_days", half_life_days),
            ("aggregate", aggregate),
        )
        if v is not None
    }
    return cfg.replace(**given) if given else cfg


def _aligned(frame: pd.DataFrame, ids: IdMap, key: str = "user_id") -> pd.DataFrame:
    """`frame` indexed by `key` (its column, else its index) with one row per id of `ids`."""
    if key in frame.columns:
        frame = frame.drop_duplicates(key, keep="first").set_index(key)
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    out = frame.reindex(pd.Index(ids.ids, name=key))
    return out


def _item_frame(
    items: IdMap, side: Mapping[str, npt.NDArray[np.object_]], price: Floats
) -> pd.DataFrame:
    cols: dict[str, Any] = {k: side[k] for k in SIDE_TEXT}
    cols["price"] = price
    return pd.DataFrame(cols, index=pd.Index(items.ids, name="item_id"))
