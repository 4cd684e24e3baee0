"""Sample contexts that every template must render: one per offer kind, in the voice's
domain and language. Loading a template set renders all of them, so a template that reads a
missing attribute fails before any message is sent."""

from __future__ import annotations

from typing import Any

from seamline.campaigns.context import message_context
from seamline.campaigns.voice import BrandVoice, Channel, Language

_COURSES = {
    "zh": [("C1", "时尚穿搭与个人理财", 199.0), ("C2", "30天形象管理入门", 99.0)],
    "en": [("C1", "Style & Personal Finance", 199.0), ("C2", "Personal Image in 30 Days", 99.0)],
}
_FASHION = {
    "zh": [("F1", "亚麻裹身连衣裙", 459.0), ("F2", "羊毛混纺西装外套", 899.0)],
    "en": [("F1", "Linen wrap dress", 459.0), ("F2", "Wool-blend blazer", 899.0)],
}
_SEGMENT = {"zh": "爱学习的穿搭达人", "en": "Stylish learners"}


def _items(rows: list[tuple[str, str, float]], domain: str) -> list[dict[str, Any]]:
    return [{"item_id": i, "title": t, "price": p, "domain": domain} for i, t, p in rows]


def sample_contexts(
    voice: BrandVoice, channel: Channel, language: Language
) -> list[dict[str, Any]]:
    """Contexts for a content-only message, a coupon, a free first lesson and a bundle (with
    its items, and as a bare offer)."""
    own, other = (_COURSES, _FASHION) if voice.domain == "knowledge" else (_FASHION, _COURSES)
    own_domain = "knowledge" if voice.domain == "knowledge" else "fashion"
    other_domain = "fashion" if own_domain == "knowledge" else "knowledge"
    items = _items(own[language], own_domain)
    seg = {"id": "S1", "name": _SEGMENT[language]}
    bundle_items = items[:1] + _items(other[language][:1], other_domain)
    list_price = sum(float(i["price"]) for i in bundle_items)
    bundle = {
        "id": "B1",
        "items": bundle_items,
        "list_price": list_price,
        "price": round(list_price * 0.85, 2),
        "discount": 0.15,
        "saving": round(list_price * 0.15, 2),
    }
    offers: list[dict[str, Any] | None] = [
        None,
        {"id": "coupon30", "kind": "coupon", "face_value": 30.0, "min_spend": 199.0},
        {"id": "first_lesson", "kind": "free_lesson"},
        {"id": "B1", "kind": "bundle", "face_value": bundle["saving"]},
        {"id": "note", "kind": "content"},
        {"id": "B0", "kind": "bundle", "face_value": 60.0},  # a bundle offer without its items
    ]
    return [
        message_context(
            "u_sample",
            items,
            segment=seg,
            offer=o,
            bundle=bundle if o is not None and o["id"] == "B1" else None,
        )
        for o in offers
    ]
