"""The bundle behind each bundle offer's message: which course and fashion items, at what
price.

A bundle offer names its parts (`bundle_items`, the item ids) or leaves them to the
workspace's bundles (`campaigns.bundles.workspace_bundles`: cross-domain co-interest and the
recommender's suggestions); then each user gets the best-scored bundle with a part they have
shown interest in, else the best-scored one, preferring bundles whose list price meets the
offer's minimum spend. The message states the offer's terms, the ones the plan costed: the
saving is the offer's face value, the bundle price the list price less it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seamline.errors import ConfigError

if TYPE_CHECKING:
    from seamline.campaigns.bundles import Bundle
    from seamline.campaigns.offers import Offer
    from seamline.data.store import Store


def _catalog(ws: Store, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    sql = "SELECT item_id, title, price, domain FROM items"
    with ws.connect(read_only=True) as con:
        rows = con.execute(sql + (" WHERE item_id IN (SELECT unnest(?))" if ids else ""),
                           [ids] if ids else []).fetchall()  # fmt: skip
    return {
        str(r[0]): {
            "item_id": str(r[0]), "title": r[1] or str(r[0]), "price": float(r[2] or 0.0),
            "domain": r[3],
        }
        for r in rows
    }  # fmt: skip


def offer_bundle(offer: Offer, products: list[dict[str, Any]], bundle_id: str) -> dict[str, Any]:
    """A message's bundle: its parts at list price and the offer's saving off their sum."""
    list_price = round(sum(float(p["price"]) for p in products), 2)
    saving = round(min(offer.face_value, list_price), 2)
    return {
        "id": bundle_id,
        "items": products,
        "list_price": list_price,
        "price": round(list_price - saving, 2),
        "saving": saving,
        "discount": round(saving / list_price, 4) if list_price > 0 else 0.0,
    }


def _named(ws: Store, offer: Offer) -> dict[str, Any]:
    ids = [str(x) for x in offer.bundle_items or []]
    found = _catalog(ws, ids)
    missing = [x for x in ids if x not in found]
    if missing:
        raise ConfigError(
            f"offer {offer.id!r}: bundle_items {missing} are not in the catalog (items table)"
        )
    return offer_bundle(offer, [found[x] for x in ids], offer.id)


def _workspace_bundles(ws: Store) -> list[Bundle]:
    from seamline.campaigns.bundles import workspace_bundles
    from seamline.errors import DataError, NotFittedError
    from seamline.recommend.store import load_model

    try:
        model = load_model(ws)
    except NotFittedError:
        model = None
    try:
        return workspace_bundles(ws, model=model)
    except DataError:  # too little co-interest to form any bundle
        return []


def _interests(ws: Store, users: list[str], items: list[str]) -> dict[str, set[str]]:
    if not users or not items:
        return {}
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT DISTINCT user_id, item_id FROM events "
            "WHERE user_id IN (SELECT unnest(?)) AND item_id IN (SELECT unnest(?))",
            [users, items],
        ).fetchall()
    out: dict[str, set[str]] = {}
    for u, i in rows:
        out.setdefault(str(u), set()).add(str(i))
    return out


def user_bundles(
    ws: Store, offers: list[Offer], users: list[str], offer_ids: list[str]
) -> tuple[dict[int, dict[str, Any]], dict[str, dict[str, int]]]:
    """Per row (index into `users`) with a bundle offer: the bundle its message shows; and
    per bundle offer how many distinct bundles were shown and to how many users none."""
    bundle_offers = {o.id: o for o in offers if o.kind == "bundle"}
    rows = [i for i, o in enumerate(offer_ids) if o in bundle_offers]
    if not rows:
        return {}, {}
    named = {o.id: _named(ws, o) for o in bundle_offers.values() if o.bundle_items}
    found = _workspace_bundles(ws) if len(named) < len(bundle_offers) else []
    parts = sorted({str(p["item_id"]) for b in found for p in b.items})
    interest = _interests(ws, sorted({users[i] for i in rows}), parts)
    out: dict[int, dict[str, Any]] = {}
    for i in rows:
        offer = bundle_offers[offer_ids[i]]
        if offer.id in named:
            out[i] = named[offer.id]
            continue
        fits = [b for b in found if b.list_price >= offer.min_spend] or found
        seen = interest.get(users[i], set())
        pick = next((b for b in fits if seen & {str(p["item_id"]) for p in b.items}), None)
        pick = pick or (fits[0] if fits else None)
        if pick is not None:
            out[i] = offer_bundle(offer, [dict(p) for p in pick.items], pick.id)
    stats = {
        oid: {
            "bundles": len({out[i]["id"] for i in rows if i in out and offer_ids[i] == oid}),
            "users_without": sum(1 for i in rows if offer_ids[i] == oid and i not in out),
        }
        for oid in bundle_offers
    }
    return out, stats
