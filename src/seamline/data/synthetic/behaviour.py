"""Behaviour of the synthetic world: sessions -> item views -> funnel -> event rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from seamline.data.columns import EVENT_COLUMNS, EVENT_TYPES
from seamline.data.synthetic.arrays import Bools, Floats, Ints, categorical, ids, iso, pick
from seamline.data.synthetic.items import PRICE_TIERS, Items
from seamline.data.synthetic.offer_effect import discount_shift, shifted
from seamline.data.synthetic.personas import SEGMENTS, seg_array
from seamline.data.synthetic.users import Users, user_ids
from seamline.data.synthetic.vocab import CHANNELS, DOMAIN_NAMES, FASHION, KNOWLEDGE, N_COURSE_CATS
from seamline.data.synthetic.window import (
    CAMPAIGN_DAYS,
    CAMPAIGN_FIRST_DAY,
    COUPON_DISCOUNT,
    COUPON_ID,
    DAY_S,
    FIRST_SESSION_HOUR,
    LAST_SESSION_HOUR,
    WINDOW_DAYS,
    WINDOW_START_UTC,
)

# Funnel. afford = sigmoid(AFFORD_BIAS - sensitivity * log(price / reference price)).
AFFORD_BIAS = 1.2
REFERENCE_PRICE = (150.0, 250.0)  # knowledge, fashion
CLICK_BASE, CLICK_MATCH = 0.06, 0.30  # click | view = base + match * taste match
CART_RATE = 0.65  # cart | click = rate * afford (fashion only)
BUY_BASE = (0.12, 0.35)  # enroll | click (knowledge), purchase | cart (fashion) ...
BUY_AFFORD = (0.38, 0.45)  # ... = base + afford_slope * afford
RATE_AFTER = (0.5, 0.3)  # rate | complete (knowledge), rate | purchase (fashion)
REVIEW_AFTER = (0.25, 0.15)
# Views favour a price tier: weight exp(wtp * (tier - 1)), wtp = bias - slope * sensitivity.
WTP_BIAS, WTP_SLOPE = 1.0, 1.2


VIEW, CLICK, CART, PURCHASE, ENROLL, COMPLETE, REVIEW, RATE = (
    EVENT_TYPES.index(t)
    for t in ("view", "click", "cart", "purchase", "enroll", "complete", "review", "rate")
)


@dataclass
class Views:
    """One row per item view; sessions are flattened onto their views."""

    session: Ints  # chunk-local session index
    user: Ints  # global user index
    domain: Ints
    channel: Ints
    item: Ints
    time: Ints  # UTC epoch seconds
    in_campaign: Bools  # the session falls in the campaign window
    match: Floats  # user's taste for the category relative to their favourite


@dataclass
class Funnel:
    """Per view: which later steps happened, when, and what they were worth."""

    click: Bools
    cart: Bools
    buy: Bools  # purchase (fashion) or enroll (knowledge), as realised
    done: Bools  # course completed
    rate: Bools
    review: Bools
    treated: Bools  # coupon arm and in the campaign window
    qty: Ints
    paid: Floats
    rating: Ints
    t_click: Ints
    t_cart: Ints
    t_buy: Ints
    t_done: Ints
    t_rate: Ints
    t_review: Ints


@dataclass
class Sessions:
    user: Ints  # global user index
    start: Ints  # UTC epoch seconds
    domain: Ints
    channel: Ints
    depth: Floats  # expected item views
    in_campaign: Bools


def plan_sessions(rng: np.random.Generator, u: Users, lo: int, hi: int) -> Sessions:
    """Sessions of users [lo, hi), one per local day at most, in time order per user."""
    seg = u.segment[lo:hi]
    depth = seg_array("session_depth")
    avail = np.minimum(WINDOW_DAYS - u.first_day[lo:hi], seg_array("active_days")[seg])
    avail = avail.astype(np.int64)
    n_sess = np.clip(rng.poisson(u.views[lo:hi] / depth[seg]), 1, avail)
    user = np.repeat(np.arange(lo, hi), n_sess)
    n = len(user)
    # Session i of a user with k sessions over d days falls in day stratum [i*d/k, (i+1)*d/k):
    # strata are disjoint, so sessions never overlap and come in time order.
    rank = np.arange(n) - np.repeat(np.cumsum(n_sess) - n_sess, n_sess)
    k, d = np.repeat(n_sess, n_sess), np.repeat(avail, n_sess)
    d_lo, d_hi = rank * d // k, (rank + 1) * d // k
    day = u.first_day[user] + d_lo + (rng.random(n) * (d_hi - d_lo)).astype(np.int64)
    s_seg = u.segment[user]
    hour = rng.normal(seg_array("peak_hour")[s_seg], seg_array("hour_spread")[s_seg])
    hour = np.clip(hour, FIRST_SESSION_HOUR, LAST_SESSION_HOUR)
    channels = np.array([s.channels for s in SEGMENTS])
    return Sessions(
        user=user,
        start=WINDOW_START_UTC + day * DAY_S + (hour * 3600).astype(np.int64),
        domain=(rng.random(n) >= u.knowledge_share[user]).astype(np.int64),
        channel=categorical(rng, channels[s_seg]),
        depth=depth[s_seg],
        in_campaign=(day >= CAMPAIGN_FIRST_DAY) & (day < CAMPAIGN_FIRST_DAY + CAMPAIGN_DAYS),
    )


def plan_views(rng: np.random.Generator, s: Sessions, u: Users, items: Items) -> Views:
    """The item views of each session, a minute or a few apart."""
    n_views = np.minimum(1 + rng.poisson(s.depth - 1), 30)
    session = np.repeat(np.arange(len(s.user)), n_views)
    first = np.cumsum(n_views) - n_views
    gaps = 40 + rng.exponential(140.0, len(session)).astype(np.int64)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    time = s.start[session] + elapsed - elapsed[first][session]

    user, domain = s.user[session], s.domain[session]
    category, match = _pick_categories(rng, u.taste, user, domain)
    # Willingness to pay picks the price tier; popularity then picks the item in it.
    wtp = WTP_BIAS - WTP_SLOPE * u.sensitivity[user]
    tier = categorical(rng, np.exp(np.outer(wtp, np.arange(PRICE_TIERS) - 1.0)))
    r = np.minimum(rng.random(len(session)), 1 - 1e-9)
    item = np.searchsorted(items.cum_pop, category * PRICE_TIERS + tier + r, side="right")
    return Views(
        session=session,
        user=user,
        domain=domain,
        channel=s.channel[session],
        item=item.astype(np.int64),
        time=time,
        in_campaign=s.in_campaign[session],
        match=match,
    )


def _pick_categories(
    rng: np.random.Generator, taste: Floats, user: Ints, domain: Ints
) -> tuple[Ints, Floats]:
    """A category per view from the user's taste in that domain, and how well it matches."""
    category = np.empty(len(user), dtype=np.int64)
    match = np.empty(len(user))
    for dom, cols in ((KNOWLEDGE, slice(0, N_COURSE_CATS)), (FASHION, slice(N_COURSE_CATS, None))):
        rows = np.flatnonzero(domain == dom)
        t = taste[user[rows], cols]
        picked = categorical(rng, t)
        category[rows] = picked + (0 if dom == KNOWLEDGE else N_COURSE_CATS)
        match[rows] = t[np.arange(len(rows)), picked] / t.max(axis=1)
    return category, match


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _per_domain(fashion: Bools, pair: tuple[float, float]) -> Floats:
    """pair[KNOWLEDGE] or pair[FASHION] for each row."""
    return np.where(fashion, pair[FASHION], pair[KNOWLEDGE])


@dataclass
class Decision:
    """The funnel's decisions under both campaign arms: the coupon shifts the click, cart
    and buy steps (`offer_effect`); the same uniforms decide both potential outcomes."""

    click0: Bools  # potential clicks without / with the coupon
    click1: Bools
    cart0: Bools  # potential carts without / with the coupon
    cart1: Bools
    p0: Floats  # buying probability at the last step without / with the coupon
    p1: Floats
    e0: Floats  # P(click, reach the last step and buy | view) without / with the coupon
    e1: Floats
    buy0: Bools
    buy1: Bools
    treated: Bools  # coupon arm and in the campaign window
    qty: Ints
    gross: Floats  # full price x quantity
    paid1: Floats  # with the coupon

    def _arm(self, without: Bools, with_: Bools) -> Bools:
        return np.where(self.treated, with_, without)

    @property
    def click(self) -> Bools:
        return self._arm(self.click0, self.click1)

    @property
    def cart(self) -> Bools:
        return self._arm(self.cart0, self.cart1)

    @property
    def buy(self) -> Bools:
        return self._arm(self.buy0, self.buy1)

    @property
    def paid(self) -> Floats:
        return np.where(self.treated, self.paid1, self.gross)


def decide(rng: np.random.Generator, v: Views, u: Users, items: Items) -> Decision:
    """Taste match drives clicks; price against the user's sensitivity drives carting and
    buying; the coupon pulls on all three."""
    n = len(v.user)
    fashion = v.domain == FASHION
    sens = u.sensitivity[v.user]
    price = items.price[v.item]
    afford0 = _sigmoid(AFFORD_BIAS - sens * np.log(price / _per_domain(fashion, REFERENCE_PRICE)))
    shift = discount_shift(sens, COUPON_DISCOUNT)
    afford1 = shifted(afford0, shift)
    pc0 = CLICK_BASE + CLICK_MATCH * v.match
    pc1 = shifted(pc0, shift)
    reach0 = np.where(fashion, CART_RATE * afford0, 1.0)
    reach1 = np.where(fashion, CART_RATE * afford1, 1.0)
    base, slope = _per_domain(fashion, BUY_BASE), _per_domain(fashion, BUY_AFFORD)
    p0, p1 = base + slope * afford0, base + slope * afford1

    rk, rc, r = rng.random(n), rng.random(n), rng.random(n)
    click0, click1 = rk < pc0, rk < pc1
    cart0 = click0 & fashion & (rc < reach0)
    cart1 = click1 & fashion & (rc < reach1)
    q = rng.random(n)
    qty = np.where(fashion, 1 + (q < 0.12) + (q < 0.03), 1).astype(np.int64)
    gross = np.round(price * qty, 2)
    return Decision(
        click0=click0,
        click1=click1,
        cart0=cart0,
        cart1=cart1,
        p0=p0,
        p1=p1,
        e0=pc0 * reach0 * p0,
        e1=pc1 * reach1 * p1,
        buy0=np.where(fashion, cart0, click0) & (r < p0),
        buy1=np.where(fashion, cart1, click1) & (r < p1),
        treated=u.coupon[v.user] & v.in_campaign,
        qty=qty,
        gross=gross,
        paid1=np.round(gross * (1 - COUPON_DISCOUNT), 2),
    )


def funnel(rng: np.random.Generator, v: Views, u: Users, items: Items, d: Decision) -> Funnel:
    """What follows the decision (completion, ratings) and when each step happened."""
    n = len(v.user)
    fashion = v.domain == FASHION
    buy = d.buy
    completion = seg_array("completion")[u.segment[v.user]]
    done = buy & ~fashion & (rng.random(n) < completion * (0.5 + 0.5 * v.match))
    after = np.where(fashion, buy, done)
    rate = after & (rng.random(n) < _per_domain(fashion, RATE_AFTER))
    review = after & (rng.random(n) < _per_domain(fashion, REVIEW_AFTER))
    stars = 3.4 + 1.4 * (v.match - 0.5) + items.quality[v.item] + rng.normal(0.0, 0.8, n)

    # Each step comes seconds to minutes after the one before it.
    t_click = v.time + rng.integers(3, 41, n)
    t_cart = t_click + rng.integers(20, 301, n)
    t_buy = np.where(fashion, t_cart + rng.integers(30, 601, n), t_cart)
    t_done = t_buy + rng.integers(600, 3601, n)
    t_after = np.where(fashion, t_buy, t_done)
    return Funnel(
        click=d.click,
        cart=d.cart,
        buy=buy,
        done=done,
        rate=rate,
        review=review,
        treated=d.treated,
        qty=d.qty,
        paid=d.paid,
        rating=np.clip(np.rint(stars), 1, 5).astype(np.int64),
        t_click=t_click,
        t_cart=t_cart,
        t_buy=t_buy,
        t_done=t_done,
        t_rate=t_after + rng.integers(10, 121, n),
        t_review=t_after + rng.integers(60, 401, n),
    )


def events_table(
    v: Views, f: Funnel, u: Users, items: Items, event_offset: int, session_offset: int
) -> pa.Table:
    """Flatten the funnel into event rows, ordered by user, then time."""
    n = len(v.user)
    buy_type = np.where(v.domain == FASHION, PURCHASE, ENROLL)
    steps: list[tuple[Bools, Ints, Ints]] = [
        (np.ones(n, dtype=bool), np.full(n, VIEW), v.time),
        (f.click, np.full(n, CLICK), f.t_click),
        (f.cart, np.full(n, CART), f.t_cart),
        (f.buy, buy_type, f.t_buy),
        (f.done, np.full(n, COMPLETE), f.t_done),
        (f.rate, np.full(n, RATE), f.t_rate),
        (f.review, np.full(n, REVIEW), f.t_review),
    ]
    view = np.concatenate([np.flatnonzero(m) for m, _, _ in steps])
    etype = np.concatenate([codes[m] for m, codes, _ in steps])
    time = np.concatenate([t[m] for m, _, t in steps])
    order = np.lexsort((etype, time, v.user[view]))
    view, etype, time = view[order], etype[order], time[order]

    is_buy = (etype == PURCHASE) | (etype == ENROLL)
    has_qty = is_buy | (etype == CART)
    has_rating = (etype == RATE) | (etype == REVIEW)
    used_coupon = is_buy & f.treated[view]
    table = pa.table(
        {
            "event_id": ids("E", event_offset + 1 + np.arange(len(view)), 10),
            "user_id": user_ids(v.user[view] + 1, u.n),
            "item_id": items.ids.take(pa.array(v.item[view])),
            "domain": pick(DOMAIN_NAMES, v.domain[view]),
            "event_type": pick(EVENT_TYPES, etype),
            "timestamp": iso(time),
            "value": pa.array(f.paid[view], mask=~is_buy),
            "quantity": pa.array(f.qty[view], mask=~has_qty),
            "rating": pa.array(f.rating[view], mask=~has_rating),
            "session_id": ids("S", session_offset + 1 + v.session[view], 9),
            "channel": pick(CHANNELS, v.channel[view]),
            "coupon_id": pick((COUPON_ID,), np.zeros(len(view), dtype=np.int64), ~used_coupon),
        }
    )
    return table.select(list(EVENT_COLUMNS))


def events_schema() -> pa.Schema:
    types = {"value": pa.float64(), "quantity": pa.int64(), "rating": pa.int64()}
    return pa.schema([(name, types.get(name, pa.string())) for name in EVENT_COLUMNS])
