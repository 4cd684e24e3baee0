"""Bundles of a course and fashion items (or the reverse) that go together.

Pairs come from cross-domain co-interest: users who showed interest in an anchor item (a course)
and in a partner item of the other domain (a dress), scored by their lift over independence,
shrunk toward zero while few users support them, plus the share of the anchor's users to whom
the cross-domain recommender already suggests the partner. Each bundle gets a price (list price
less a suggested discount that grows with its audience's price sensitivity and coupon use) and
an expected take-up per segment:

    take_up(s) = co_interest(s) x buy_rate x (1 + elasticity x discount x (1 + sensitivity(s)))

where `co_interest(s)` is the segment's share of co-interested users (smoothed toward the
overall share), `buy_rate` the share of co-interested users who bought a part of the bundle,
and `sensitivity(s)` the segment's mean positive price sensitivity. It is a planning estimate;
the campaign's holdout measures the real take-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field, model_validator

from seamline.config import SeamlineConfig
from seamline.data.columns import CONVERSION_TYPES
from seamline.errors import DataError

if TYPE_CHECKING:
    from seamline.campaigns.offers import Offer
    from seamline.data.store import Store
    from seamline.recommend.base import Recommender

Domain = Literal["knowledge", "fashion"]


class BundleConfig(SeamlineConfig):
    """How bundles are found and priced."""

    what: ClassVar[str] = "bundle config"
    anchor_domain: Domain = "knowledge"
    partner_domain: Domain = "fashion"
    partners: int = Field(default=1, ge=1, le=3, description="partner items per bundle")
    n_bundles: int = Field(default=10, ge=1, le=500)
    min_support: int = Field(default=5, ge=1, description="co-interested users at least")
    shrink: float = Field(default=10.0, ge=0, description="users at which lift counts half")
    rec_weight: float = Field(default=1.0, ge=0, description="weight of the recommender's share")
    max_anchors: int = Field(default=300, ge=1)
    max_partners: int = Field(default=3000, ge=1)
    price_band: tuple[float, float] = Field(
        default=(0.1, 10.0), description="partner price / anchor price allowed"
    )
    discount_base: float = Field(default=0.08, ge=0, le=0.9)
    discount_per_sensitivity: float = Field(default=0.10, ge=0, le=1)
    discount_per_coupon_share: float = Field(default=0.10, ge=0, le=1)
    discount_range: tuple[float, float] = (0.05, 0.30)
    elasticity: float = Field(default=1.5, ge=0, description="take-up gain per unit discount")
    segment_prior: float = Field(default=20.0, ge=0, description="users of smoothing weight")

    @model_validator(mode="after")
    def _consistent(self) -> BundleConfig:
        if self.anchor_domain == self.partner_domain:
            raise ValueError(
                "partner_domain: a bundle crosses domains (differs from anchor_domain)"
            )
        lo, hi = self.price_band
        if not 0 < lo < hi:
            raise ValueError(f"price_band: 0 < low < high, got {self.price_band}")
        dlo, dhi = self.discount_range
        if not 0 <= dlo <= dhi < 1:
            raise ValueError(f"discount_range: 0 <= low <= high < 1, got {self.discount_range}")
        return self


@dataclass(frozen=True)
class Bundle:
    """An anchor item and its partners from the other domain, priced, with its evidence and
    the expected take-up per segment (share of the segment's users who would buy it)."""

    id: str
    items: list[dict[str, Any]]  # the anchor first; each {item_id, title, price, domain}
    list_price: float
    price: float
    discount: float
    support: int  # users interested in the anchor and a partner
    lift: float
    rec_share: float
    score: float
    take_up: dict[str, float] = field(default_factory=dict)
    audience: dict[str, int] = field(default_factory=dict)  # co-interested users per segment

    @property
    def saving(self) -> float:
        return round(self.list_price - self.price, 2)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "saving": self.saving}

    def to_offer(
        self, margin: float = 0.4, contact_cost: float = 0.0, max_users: int | None = None
    ) -> Offer:
        """The bundle as an `Offer` of kind bundle: the saving is its face value, paid on the
        list price (the order value); `margin` is the gross margin rate on that order."""
        from seamline.campaigns.offers import Offer

        return Offer(
            id=self.id,
            kind="bundle",
            face_value=self.saving,
            min_spend=self.list_price,
            order_value=self.list_price,
            margin=margin,
            contact_cost=contact_cost,
            max_users=max_users,
        )

    def expected_takers(self, segment_sizes: Mapping[str, int]) -> float:
        """Expected buyers if every user of the given segments is offered the bundle."""
        return float(sum(self.take_up.get(s, 0.0) * n for s, n in segment_sizes.items()))


@dataclass
class _Interest:
    users: pd.Index
    items: pd.Index
    seen: sp.csc_matrix  # users x items, 1 where the user showed interest
    bought: sp.csc_matrix  # users x items, 1 where the user bought


def _interest(events: pd.DataFrame) -> _Interest:
    missing = {"user_id", "item_id", "event_type"} - set(events.columns)
    if missing:
        raise DataError(f"bundles: events need columns {sorted(missing)}")
    users = pd.Index(pd.unique(events["user_id"].astype(str)))
    items = pd.Index(pd.unique(events["item_id"].astype(str)))
    u = users.get_indexer(pd.Index(events["user_id"].astype(str)))
    i = items.get_indexer(pd.Index(events["item_id"].astype(str)))
    shape = (len(users), len(items))
    ones = np.ones(len(u), dtype=np.float32)
    seen = sp.csc_matrix((ones, (u, i)), shape=shape)
    buy = events["event_type"].isin(CONVERSION_TYPES).to_numpy()
    bought = sp.csc_matrix((ones[buy], (u[buy], i[buy])), shape=shape)
    seen.data[:] = 1.0
    bought.data[:] = 1.0
    return _Interest(users, items, seen, bought)


def _top(ids: np.ndarray, counts: np.ndarray, floor: int, limit: int) -> np.ndarray:
    keep = ids[counts[ids] >= floor]
    return keep[np.argsort(-counts[keep], kind="stable")[:limit]]


def _pair_scores(
    it: _Interest,
    anchors: np.ndarray,
    partners: np.ndarray,
    prices: np.ndarray,
    rec: sp.csc_matrix | None,
    cfg: BundleConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score, lift and recommender share of every anchor x partner."""
    xa, xp = it.seen[:, anchors], it.seen[:, partners]
    co = np.asarray((xa.T @ xp).todense(), dtype=np.float64)
    na = np.asarray(xa.sum(axis=0)).ravel()
    npart = np.asarray(xp.sum(axis=0)).ravel()
    lift = co * len(it.users) / np.outer(na, npart)
    with np.errstate(divide="ignore", invalid="ignore"):  # pairs without support: masked below
        score = np.log(lift) * co / (co + cfg.shrink)
    rec_share = np.zeros_like(co)
    if rec is not None:
        rec_share = np.asarray((xa.T @ rec[:, partners]).todense(), dtype=np.float64) / na[:, None]
        score = score + cfg.rec_weight * rec_share
    ratio = prices[partners][None, :] / prices[anchors][:, None]
    lo, hi = cfg.price_band
    ok = (co >= cfg.min_support) & (lift > 1.0) & (ratio >= lo) & (ratio <= hi)
    return np.where(ok, score, -np.inf), lift, rec_share


def find_bundles(
    events: pd.DataFrame,
    items: pd.DataFrame,
    *,
    segments: Mapping[str, str] | None = None,
    wtp: pd.DataFrame | None = None,
    recommended: Mapping[str, Sequence[str]] | None = None,
    config: BundleConfig | None = None,
) -> list[Bundle]:
    """The best bundles, best first.

    `events` has user_id, item_id, event_type (every event counts as interest; purchases and
    enrolments as buys); `items` has item_id, domain, price and title; `segments` maps a user
    to a segment (all users form segment "all" without it); `wtp` has user_id and optionally
    price_sensitivity and coupon_share (willingness-to-pay features); `recommended` maps a user
    to the partner-domain items the cross-domain recommender suggests to them.
    """
    cfg = config or BundleConfig()
    need = {"item_id", "domain", "price", "title"} - set(items.columns)
    if need:
        raise DataError(f"bundles: items need columns {sorted(need)}")
    it = _interest(events)
    cat = items.assign(item_id=items["item_id"].astype(str)).drop_duplicates("item_id")
    cat = cat.set_index("item_id").reindex(it.items)
    prices = pd.to_numeric(cat["price"], errors="coerce").to_numpy(dtype=np.float64)
    domain = cat["domain"].astype(str).to_numpy()
    counts = np.asarray(it.seen.sum(axis=0)).ravel()
    priced = np.isfinite(prices) & (prices > 0)
    ids = np.arange(len(it.items))
    anchors = _top(
        ids[priced & (domain == cfg.anchor_domain)], counts, cfg.min_support, cfg.max_anchors
    )
    partners = _top(
        ids[priced & (domain == cfg.partner_domain)], counts, cfg.min_support, cfg.max_partners
    )
    if len(anchors) == 0 or len(partners) == 0:
        return []
    rec = _rec_matrix(it, recommended)
    score, lift, rec_share = _pair_scores(it, anchors, partners, prices, rec, cfg)
    seg = _segments(it.users, segments)
    user_wtp = _wtp(it.users, wtp)
    out: list[Bundle] = []
    used: set[int] = set()
    best = np.max(score, axis=1)
    for a in np.argsort(-best, kind="stable"):
        if len(out) >= cfg.n_bundles or not np.isfinite(best[a]):
            break
        row = score[a].copy()
        row[list(used)] = -np.inf  # each partner item in one bundle: more variety
        chosen = [int(p) for p in np.argsort(-row, kind="stable")[: cfg.partners]]
        chosen = [p for p in chosen if np.isfinite(row[p])]
        if not chosen:
            continue
        used.update(chosen)
        parts = [int(anchors[a])] + [int(partners[p]) for p in chosen]
        out.append(
            _priced(
                it,
                cat,
                parts,
                seg,
                user_wtp,
                cfg,
                score=float(row[chosen].mean()),
                lift=float(lift[a, chosen].mean()),
                rec_share=float(rec_share[a, chosen].mean()),
            )
        )
    return sorted(out, key=lambda b: -b.score)


def _rec_matrix(
    it: _Interest, recommended: Mapping[str, Sequence[str]] | None
) -> sp.csc_matrix | None:
    if not recommended:
        return None
    rows, cols = [], []
    for user, recs in recommended.items():
        u = it.users.get_indexer(pd.Index([str(user)]))[0]
        if u < 0:
            continue
        idx = it.items.get_indexer(pd.Index([str(r) for r in recs]))
        idx = idx[idx >= 0]
        rows.extend([u] * len(idx))
        cols.extend(idx.tolist())
    data = np.ones(len(rows), dtype=np.float32)
    m = sp.csc_matrix((data, (rows, cols)), shape=it.seen.shape)
    m.data[:] = 1.0
    return m


def _segments(users: pd.Index, segments: Mapping[str, str] | None) -> np.ndarray:
    if segments is None:
        return np.full(len(users), "all", dtype=object)
    return np.array([str(segments.get(u, "unsegmented")) for u in users], dtype=object)


def _wtp(users: pd.Index, wtp: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["price_sensitivity", "coupon_share"]
    if wtp is None:
        return pd.DataFrame(0.0, index=users, columns=cols)
    frame = wtp.assign(user_id=wtp["user_id"].astype(str)).set_index("user_id")
    frame = frame.reindex(columns=cols).reindex(users)
    return frame.apply(pd.to_numeric, errors="coerce").fillna(0.0)


def _priced(
    it: _Interest,
    cat: pd.DataFrame,
    parts: list[int],
    seg: np.ndarray,
    user_wtp: pd.DataFrame,
    cfg: BundleConfig,
    *,
    score: float,
    lift: float,
    rec_share: float,
) -> Bundle:
    anchor_seen = it.seen[:, parts[0]].toarray().ravel() > 0
    partner_seen = it.seen[:, parts[1:]].toarray().sum(axis=1) > 0
    co = anchor_seen & partner_seen
    bought_any = it.bought[:, parts].toarray().sum(axis=1) > 0
    # Willingness to pay of the bundle's audience sets the discount.
    sens = np.clip(user_wtp["price_sensitivity"].to_numpy()[co], 0.0, None)
    coupon = user_wtp["coupon_share"].to_numpy()[co]
    discount = (
        cfg.discount_base
        + cfg.discount_per_sensitivity * float(sens.mean() if len(sens) else 0.0)
        + cfg.discount_per_coupon_share * float(coupon.mean() if len(coupon) else 0.0)
    )
    discount = float(np.clip(discount, *cfg.discount_range))
    rows: list[dict[str, Any]] = [
        {
            "item_id": str(it.items[p]),
            "title": str(cat["title"].iloc[p]),
            "price": float(cat["price"].iloc[p]),
            "domain": str(cat["domain"].iloc[p]),
        }
        for p in parts
    ]
    list_price = round(sum(float(r["price"]) for r in rows), 2)
    price = float(max(np.floor(list_price * (1 - discount)), 0.0))
    buy_rate = (bought_any[co].sum() + 1.0) / (co.sum() + 2.0)
    overall = co.mean()
    all_sens = np.clip(user_wtp["price_sensitivity"].to_numpy(), 0.0, None)
    take_up: dict[str, float] = {}
    audience: dict[str, int] = {}
    for s in sorted(set(seg.tolist())):
        mine = seg == s
        n, k = int(mine.sum()), int(co[mine].sum())
        rate = (k + cfg.segment_prior * overall) / (n + cfg.segment_prior)
        response = 1.0 + cfg.elasticity * discount * (1.0 + float(all_sens[mine].mean()))
        take_up[s] = round(float(min(1.0, rate * buy_rate * response)), 6)
        audience[s] = k
    bid = "B-" + "-".join(str(r["item_id"]) for r in rows)
    return Bundle(
        bid,
        rows,
        list_price,
        price,
        round(1 - price / list_price, 4),
        int(co.sum()),
        round(lift, 4),
        round(rec_share, 4),
        round(score, 4),
        take_up,
        audience,
    )


def workspace_bundles(
    ws: Store,
    config: BundleConfig | None = None,
    *,
    model: Recommender | None = None,
    max_recommended_users: int = 5000,
) -> list[Bundle]:
    """Bundles from a workspace: its events and catalog, the latest segmentation, the
    willingness-to-pay features when built, and `model`'s cross-domain recommendations (top 10
    partner-domain items) for up to `max_recommended_users` users interested in the anchors."""
    from seamline.data.schema import has_table
    from seamline.features.build import load_features
    from seamline.features.repo import has_features
    from seamline.segments.repo import latest_assignment

    cfg = config or BundleConfig()
    with ws.connect(read_only=True) as con:
        events = con.execute("SELECT user_id, item_id, event_type FROM events").df()
        items = con.execute("SELECT item_id, domain, price, title FROM items").df()
        wtp_ok = has_features(con) and has_table(con, "user_features")
    wtp = load_features(ws, ["price_sensitivity", "coupon_share"]) if wtp_ok else None
    recommended = None
    if model is not None:
        anchor_items = set(items.loc[items["domain"] == cfg.anchor_domain, "item_id"].astype(str))
        seen = events.loc[events["item_id"].astype(str).isin(anchor_items), "user_id"]
        users = sorted(set(seen.astype(str)))[:max_recommended_users]
        recs = model.recommend(users, k=10, domain=cfg.partner_domain)
        recommended = {u: [r.item_id for r in rs] for u, rs in zip(users, recs, strict=True)}
    return find_bundles(
        events,
        items,
        segments=latest_assignment(ws),
        wtp=wtp,
        recommended=recommended,
        config=cfg,
    )
