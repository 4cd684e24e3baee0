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


def _text(message: Any, has_title: bool) -> tuple[str, str]:
    """(title, body) of a stored message: a {title, body} mapping (as JSON), or text whose
    first line is the title on channels with titles."""
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except ValueError:
            if has_title and "\n" in message:
                title, body = message.split("\n", 1)
                return title, body
            return "", message
    if isinstance(message, dict):
        return str(message.get("title") or ""), str(message.get("body") or "")
    return "", "" if message is None else str(message)


def _stored(
    ws: Store, plan: int | str | None, voice: BrandVoice, per_variant: int
) -> list[dict[str, Any]]:
    """Example messages of the allocation table, one per (offer, channel, language)."""
    from seamline.campaigns import store

    out = []
    for row in store.previews(ws, plan, per_variant=per_variant):
        title, body = _text(row["message"], voice.title_limit(row["channel"]) > 0)
        out.append({**row, "title": title, "body": body})
    return out


def plan_messages(
    ws: Store, plan: int | str | None = None, per_variant: int = 1
) -> tuple[BrandVoice, list[Message], list[str | None]]:
    """The plan's voice, its example messages (the voice's rules checked again) and their
    offer ids: the variants the plan rendered for its summary (every offer x channel x
    language), else examples from its per-user messages."""
    from seamline.campaigns import store

    got = store.get_plan(ws, plan)
    spec = got["spec"]
    voice = _voice(spec)
    kinds = {str(o.get("id")): o.get("kind") for o in spec.get("offers") or []}
    rows = (got.get("summary") or {}).get("previews") or _stored(ws, plan, voice, per_variant)
    messages: list[Message] = []
    offer_ids: list[str | None] = []
    for row in rows:
        oid = row.get("offer_id")
        kind = row.get("offer_kind") or kinds.get(str(oid))
        m = Message(
            voice.name, row["channel"], row["language"], str(row.get("title") or ""),
            str(row.get("body") or ""), row.get("user_id"), kind,
        )  # fmt: skip
        messages.append(Message(**{**m.__dict__, "violations": tuple(check(m, voice))}))
        offer_ids.append(None if oid is None else str(oid))
    return voice, messages, offer_ids


def plan_previews(ws: Store, plan: int | str | None = None, per_variant: int = 1) -> dict[str, Any]:
    """The plan's voice, visual style and example messages with the rules each breaks."""
    voice, messages, offer_ids = plan_messages(ws, plan, per_variant)
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
                "offer_id": oid,
                "offer_kind": m.offer_kind,
                "user_id": m.user_id,
                "title": m.title,
                "body": m.body,
                "violations": [{"rule": v.rule, "detail": v.detail} for v in m.violations],
            }
            for m, oid in zip(messages, offer_ids, strict=True)
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
