"""A stored plan's message previews: example messages per offer, channel and language,
checked again against the plan's brand voice, as data for the dashboard (its style and the
messages) or as the self-contained HTML page of `campaigns.preview`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from seamline.campaigns.content import Message, check
from seamline.campaigns.preview import logo_data_uri, preview_html
from seamline.campaigns.voice import BrandVoice, Language

if TYPE_CHECKING:
    from seamline.data.store import Store


def _voice(spec: dict[str, Any]) -> BrandVoice:
    return BrandVoice.model_validate(spec.get("voice") or {})


def _text(message: Any) -> tuple[str, str]:
    """(title, body) of a stored message: a {title, body} mapping (as JSON) or plain text."""
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except ValueError:
            return "", message
    if isinstance(message, dict):
        return str(message.get("title") or ""), str(message.get("body") or "")
    return "", "" if message is None else str(message)


def plan_messages(
    ws: Store, plan: int | str | None = None, per_variant: int = 1
) -> tuple[BrandVoice, list[Message], list[dict[str, Any]]]:
    """The plan's voice, its example messages (rules checked) and their offer ids/items."""
    from seamline.campaigns import store

    spec = store.get_plan(ws, plan)["spec"]
    voice = _voice(spec)
    kinds = {str(o.get("id")): o.get("kind") for o in spec.get("offers") or []}
    messages, extra = [], []
    for row in store.previews(ws, plan, per_variant=per_variant):
        title, body = _text(row["message"])
        kind = kinds.get(str(row["offer_id"]))
        m = Message(voice.name, row["channel"], row["language"], title, body, row["user_id"], kind)
        messages.append(Message(**{**m.__dict__, "violations": tuple(check(m, voice))}))
        extra.append({"offer_id": row["offer_id"], "items": row["items"]})
    return voice, messages, extra


def plan_previews(ws: Store, plan: int | str | None = None, per_variant: int = 1) -> dict[str, Any]:
    """The plan's voice, visual style and example messages with the rules each breaks."""
    voice, messages, extra = plan_messages(ws, plan, per_variant)
    return {
        "voice": {"name": voice.name, "brand": dict(voice.brand), "tone": voice.tone},
        "style": {
            "palette": voice.style.palette.params(),
            "fonts": list(voice.style.fonts),
            "logo": logo_data_uri(voice),
        },
        "messages": [
            {
                "channel": m.channel,
                "language": m.language,
                "offer_id": x["offer_id"],
                "offer_kind": m.offer_kind,
                "user_id": m.user_id,
                "title": m.title,
                "body": m.body,
                "violations": [{"rule": v.rule, "detail": v.detail} for v in m.violations],
            }
            for m, x in zip(messages, extra, strict=True)
        ],
    }


def plan_preview_page(
    ws: Store, plan: int | str | None = None, language: Language = "en", per_variant: int = 1
) -> str:
    """The plan's previews as one self-contained HTML page in the brand's style."""
    from seamline.campaigns import store

    voice, messages, _ = plan_messages(ws, plan, per_variant)
    name = store.get_plan(ws, plan)["name"]
    return preview_html(voice, messages, language=language, title=f"{name}: message previews")
