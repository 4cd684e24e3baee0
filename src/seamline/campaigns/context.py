"""The context a message template reads: one user's segment, recommended items, offer and
bundle as plain dicts (the sandbox sees no library objects)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from seamline.errors import ConfigError


def _plain(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return dict(obj)
    dump = getattr(obj, "model_dump", None) or getattr(obj, "as_dict", None)
    if dump is not None:
        return dict(dump(mode="json") if hasattr(obj, "model_dump") else dump())
    raise ConfigError(f"a message context needs a mapping, got {type(obj).__name__}")


def message_context(
    user_id: str,
    items: Sequence[Mapping[str, Any]],
    *,
    segment: Mapping[str, Any] | str | None = None,
    offer: Any = None,
    bundle: Any = None,
) -> dict[str, Any]:
    """One user's template context. `items` are the recommended items (at least one; each with
    `title` and `price`, optionally `item_id`, `domain`, `brand`); `offer` an `Offer` or a
    mapping with `kind`; `bundle` a `Bundle` or a mapping with `items`, `price`, `discount`
    (templates read its items as `bundle.products`, and its course and fashion parts as
    `bundle.course` and `bundle.fashion`)."""
    if not items:
        raise ConfigError(f"user {user_id}: a message needs at least one recommended item")
    rows = []
    for i, it in enumerate(items):
        missing = [k for k in ("title", "price") if k not in it]
        if missing:
            raise ConfigError(f"user {user_id}: items[{i}] has no {', '.join(missing)}")
        rows.append({"id": str(it.get("item_id", it.get("id", ""))), **dict(it)})
    seg = {"id": "", "name": segment} if isinstance(segment, str) else dict(segment or {})
    seg.setdefault("name", "")
    off = _plain(offer)
    if off is not None:
        off.setdefault("face_value", 0.0)
        off.setdefault("min_spend", 0.0)
    return {
        "user": {"id": str(user_id)},
        "segment": seg,
        "items": rows,
        "offer": off,
        "bundle": _bundle(bundle),
    }


def _bundle(bundle: Any) -> dict[str, Any] | None:
    # The parts are `products` in templates: `bundle.items` would be the dict's own method.
    b = _plain(bundle)
    if b is None:
        return None
    parts = b.pop("items", None) or b.get("products") or []
    b["products"] = [_plain(p) for p in parts]
    # Each voice names the parts in its own order: the course and the (first) fashion item.
    by_domain = {p.get("domain"): p for p in reversed(b["products"]) if p}
    if b["products"]:
        b["course"] = by_domain.get("knowledge", b["products"][0])
        b["fashion"] = by_domain.get("fashion", b["products"][-1])
    b.setdefault("saving", round(float(b.get("list_price", 0.0)) - float(b.get("price", 0.0)), 2))
    return b
