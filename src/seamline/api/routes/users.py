"""User routes: search and one user's profile and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from seamline.api import schemas
from seamline.api.deps import Read, Svc
from seamline.data.browse import search_users, user_detail

router = APIRouter(tags=["users"])


@router.get("/v1/users", response_model=list[schemas.UserHit], responses=schemas.errors())
def users(
    key: Read,
    s: Svc,
    q: Annotated[str, Query(max_length=200, description="Start of a user id.")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    return search_users(s.ws, q, limit)


@router.get("/v1/users/{user_id}", response_model=schemas.UserDetail, responses=schemas.errors(404))
def user(
    user_id: str,
    key: Read,
    s: Svc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """A user's profile and history in each domain."""
    found = user_detail(s.ws, user_id, limit=limit)
    if found is None:
        raise HTTPException(404, "no such user in this workspace")
    return found
