"""Per planned user: the recommended items of the goal's domain and the message.

Items come from the workspace's default recommender restricted to the domain being sold
while the user's whole history drives the scores (the cross-domain recommendation); the
message is the voice's template for the user's channel and language, rendered in the
sandbox and checked against the voice's rules. Every user gets the spec's first channel
and language; the previews show every (offer, channel, language) variant on a real user.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from seamline.campaigns.bundle_offers import user_bundles
from seamline.campaigns.context import message_context
from seamline.errors import NotFittedError
from seamline.segments import repo as segments_repo

if TYPE_CHECKING:
    from seamline.campaigns.content import MessageTemplates
    from seamline.campaigns.spec import CampaignSpec
    from seamline.data.store import Store
    from seamline.progress import ProgressTask

ITEMS_PER_USER = 3


def _catalog(ws: Store, domain: str) -> dict[str, dict[str, Any]]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT item_id, title, price, brand FROM items WHERE domain = ? ORDER BY item_id",
            [domain],
        ).fetchall()
    return {
        str(r[0]): {
            "item_id": str(r[0]),
            "title": r[1] or str(r[0]),
            "price": float(r[2] or 0.0),
            "brand": r[3] or "",
            "domain": domain,
        }
        for r in rows
    }


def _popular(ws: Store, domain: str, k: int) -> list[str]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT item_id FROM events WHERE domain = ? GROUP BY item_id "
            "ORDER BY count(*) DESC, item_id LIMIT ?",
            [domain, k],
        ).fetchall()
    return [str(r[0]) for r in rows]


def recommended_items(ws: Store, users: list[str], domain: str, k: int) -> list[list[str]]:
    """Top-k items of `domain` per user from the default recommender (the most popular
    items of the domain when no recommender was fitted)."""
    from seamline.recommend.store import load_model

    try:
        model = load_model(ws)
    except NotFittedError:
        top = _popular(ws, domain, k)
        return [list(top) for _ in users]
    recs = model.recommend(users, k=k, domain=domain)
    return [[r.item_id for r in row] for row in recs]


def _segments(ws: Store) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    assignment = segments_repo.latest_assignment(ws) or {}
    names = {
        str(s["id"]): {"en": s["name_en"] or "", "zh": s["name_zh"] or s["name_en"] or ""}
        for s in segments_repo.segment_list(ws)
    }
    return assignment, names


def render_messages(
    ws: Store,
    spec: CampaignSpec,
    templates: MessageTemplates,
    frame: pd.DataFrame,
    task: ProgressTask | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, int], dict[str, dict[str, int]]]:
    """`frame` with channel, language, items (JSON) and message columns (messages for the
    campaign arm only), one preview per (offer, channel, language), the number of
    messages breaking each of the voice's rules and, per bundle offer, how many bundles
    its messages show (`campaigns.bundle_offers`)."""
    catalog = _catalog(ws, spec.goal.sell)
    users = [str(u) for u in frame["user_id"]]
    offer_ids = [str(o) for o in frame["offer_id"]]
    items = recommended_items(ws, users, spec.goal.sell, ITEMS_PER_USER) if users else []
    assignment, seg_names = _segments(ws)
    offers = {o.id: o for o in spec.offers}
    bundles, bundle_stats = user_bundles(ws, list(spec.offers), users, offer_ids)
    channel, language = spec.channels[0].name, spec.languages[0]

    def context(i: int, lang: str) -> dict[str, Any]:
        uid = users[i]
        seg = assignment.get(uid)
        shown = [catalog[x] for x in items[i] if x in catalog] or list(catalog.values())[:1]
        return message_context(
            uid,
            shown,
            segment={"id": seg or "", "name": seg_names.get(seg or "", {}).get(lang, "")},
            offer=offers[offer_ids[i]],
            bundle=bundles.get(i),
        )

    messages: list[str | None] = []
    violations: dict[str, int] = {}
    for i in range(len(frame)):
        if frame["arm"].iat[i] != "campaign":
            messages.append(None)
        else:
            msg = templates.render(context(i, language), channel, language)
            for v in msg.violations:
                violations[v.rule] = violations.get(v.rule, 0) + 1
            messages.append(_text(msg.title, msg.body))
        if task is not None and i % 500 == 0:
            task.advance(min(500, len(frame) - i))
    out = frame.assign(channel=channel, language=language)
    out["items"] = [json.dumps(x) for x in items]
    out["message"] = messages
    return out, _previews(spec, templates, frame, context), violations, bundle_stats


def _text(title: str, body: str) -> str:
    return f"{title}\n{body}" if title else body


def _previews(
    spec: CampaignSpec,
    templates: MessageTemplates,
    frame: pd.DataFrame,
    context: Any,
) -> list[dict[str, Any]]:
    out = []
    for offer in spec.offers:
        rows = [i for i in range(len(frame)) if frame["offer_id"].iat[i] == offer.id]
        if not rows:
            continue
        for c in spec.channels:
            for lang in spec.languages:
                msg = templates.render(context(rows[0], lang), c.name, lang)
                out.append(
                    {
                        "offer_id": offer.id,
                        "offer_kind": offer.kind,
                        "channel": c.name,
                        "language": lang,
                        "user_id": frame["user_id"].iat[rows[0]],
                        "title": msg.title,
                        "body": msg.body,
                        "violations": [str(v) for v in msg.violations],
                    }
                )
    return out
