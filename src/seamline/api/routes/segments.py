"""Segment routes: the latest segmentation's segments and a user's segment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from seamline.api import schemas
from seamline.api.deps import Read, Svc
from seamline.data.browse import plain
from seamline.segments import repo

router = APIRouter(tags=["segments"])


@router.get("/v1/segments", response_model=list[schemas.SegmentOut], responses=schemas.errors())
def segments(key: Read, s: Svc) -> list[dict[str, Any]]:
    """Segments of the latest segmentation run, with names and profiles."""
    found: list[dict[str, Any]] = plain(repo.segment_list(s.ws))
    return found


@router.get(
    "/v1/users/{user_id}/segment",
    response_model=schemas.UserSegmentOut,
    responses=schemas.errors(404),
)
def user_segment(user_id: str, key: Read, s: Svc) -> dict[str, Any]:
    found = repo.user_segment(s.ws, user_id)
    if found is None:
        raise HTTPException(404, "user has no segment in the latest run")
    out: dict[str, Any] = plain(found)
    return out
