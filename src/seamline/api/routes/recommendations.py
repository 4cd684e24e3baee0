"""Recommendation routes: a user's top-k, similar items and the saved models."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from seamline.api import schemas
from seamline.api.deps import DomainQ, Read, Service, Svc
from seamline.errors import DataError
from seamline.recommend.transfer.route import prefer_transfer

router = APIRouter(tags=["recommendations"])

# The documented cap on k; larger asks answer 422 (never silently fewer).
MAX_K = 1000
KQ = Annotated[int, Query(ge=1, le=MAX_K, description=f"How many items, 1 to {MAX_K}.")]
_NO_DETAILS = dict.fromkeys(("domain", "title", "category", "brand", "price"))


def _decorate(svc: Service, recs: list[Any]) -> list[dict[str, Any]]:
    items = svc.items()
    # A model pads with -inf when fewer than k items pass the domain and filters: those
    # are not recommendations (and not valid JSON numbers).
    return [
        {
            "item_id": r.item_id,
            "score": float(r.score),
            "because": list(r.because),
            **items.get(r.item_id, _NO_DETAILS),
        }
        for r in recs
        if math.isfinite(r.score)
    ]


@router.get(
    "/v1/users/{user_id}/recommendations",
    response_model=schemas.RecommendationsOut,
    responses=schemas.errors(400, 409),
)
async def recommendations(
    user_id: str,
    key: Read,
    s: Svc,
    domain: DomainQ = None,
    k: KQ = 10,
    category: Annotated[list[str] | None, Query(description="Keep these categories.")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    exclude_seen: bool = True,
) -> Response:
    """Top-k items for a user (unknown users get popular items), each with its score
    and the history items that explain it. A user with little history in `domain` is
    served by the saved transfer model when there is one (`model` says which served)."""
    # Runs on the event loop: scoring one user takes well under a millisecond, less
    # than a hop to a worker thread would.
    model, name = s.models.get()
    transfer = s.models.transfer() if domain is not None else None
    if transfer is not None and prefer_transfer(model, transfer, user_id, domain):
        model, name = transfer, transfer.name  # little history in the asked domain
    # The model skips filters that are None.
    filters = {"category": category or None, "price_min": price_min, "price_max": price_max}
    ranker = s.models.ranker()
    if ranker is not None and ranker.applies_to(model, user_id):
        # the retriever's candidates re-ordered by the trained ranker (a few ms)
        recs = ranker.recommend(model, user_id, k, domain=domain, exclude_seen=exclude_seen,
                                filters=filters, unknown="popular")  # fmt: skip
        reranked_by: str | None = ranker.ranker.name
    else:
        recs = model.recommend([user_id], k=k, domain=domain, exclude_seen=exclude_seen,
                               filters=filters, unknown="popular")[0]  # fmt: skip
        reranked_by = None
    body = {"user_id": user_id, "domain": domain, "k": k, "model": name, "ranker": reranked_by}
    body["items"] = _decorate(s, recs)
    # Already JSON-ready: answering with the encoded body skips FastAPI's re-validation
    # against the response model (the schema still documents the shape).
    return Response(
        json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        media_type="application/json",
    )


@router.get(
    "/v1/items/{item_id}/similar",
    response_model=schemas.SimilarOut,
    responses=schemas.errors(404, 409),
)
async def similar(item_id: str, key: Read, s: Svc, k: KQ = 10) -> dict[str, Any]:
    model, name = s.models.get()
    try:
        recs = model.similar_items(item_id, k=k)
    except (KeyError, DataError) as e:
        raise HTTPException(404, f"unknown item for model {name}: {e}") from None
    return {"item_id": item_id, "model": name, "items": _decorate(s, recs)}


@router.get("/v1/models", response_model=list[schemas.ModelOut], responses=schemas.errors())
def models(key: Read, s: Svc) -> list[dict[str, Any]]:
    """Saved recommenders (manifests), newest first, the default marked."""
    from seamline.recommend.store import list_models

    return [{k: v for k, v in m.items() if k != "path"} for m in list_models(s.ws)]
