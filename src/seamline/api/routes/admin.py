"""Admin routes (scope `admin`): refit recommenders and re-run the segmentation while
serving (the service holds the store, so the CLI cannot)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from seamline.api import schemas
from seamline.api.deps import Admin, Svc
from seamline.data.browse import plain

router = APIRouter(tags=["admin"])


@router.post("/v1/models/fit", response_model=list[schemas.ModelOut], responses=schemas.errors(400))
def fit(body: schemas.FitIn, key: Admin, s: Svc) -> list[dict[str, Any]]:
    """Refit recommenders on the stored events; the new default answers from the next
    request on. The request is checked before anything is fitted or saved."""
    from seamline.recommend.store import fit_models, set_default

    fitted = fit_models(s.ws, body.models)
    if body.default:
        set_default(s.ws, body.default)
    s.refresh()  # this route runs in a worker thread: the reload stays off the event loop
    return [{k: v for k, v in f.items() if k != "path"} for f in fitted]


@router.post(
    "/v1/segments/run", response_model=schemas.SegmentRunOut, responses=schemas.errors(400)
)
def run_segments(body: schemas.SegmentRunIn, key: Admin, s: Svc) -> dict[str, Any]:
    """Rebuild user features and segment the users; the body is a segment config, e.g.
    {"k": 6} ({} for the defaults: automatic k)."""
    from seamline.features.build import build_features
    from seamline.segments.api import run_segmentation
    from seamline.segments.config import SegmentConfig

    config = SegmentConfig(**(body.model_extra or {}))
    build_features(s.ws)
    run = run_segmentation(s.ws, config)
    out: dict[str, Any] = plain({k: run[k] for k in ("run_id", "method", "k", "segments")})
    return out
