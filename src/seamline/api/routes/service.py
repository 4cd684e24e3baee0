"""Service routes: liveness, version, the calling key and which stages can answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from seamline import __version__
from seamline.api import schemas
from seamline.api.deps import Read, Svc
from seamline.data.store import SCHEMA_VERSION

router = APIRouter(tags=["service"])


@router.get("/health", response_model=schemas.Health)
async def health() -> dict[str, str]:
    """Liveness: answers without a key."""
    return {"status": "ok", "version": __version__}


@router.get("/v1/version", response_model=schemas.Version)
async def version() -> dict[str, str]:
    return {"version": __version__, "schema_version": SCHEMA_VERSION, "api": "v1"}


@router.get("/v1/whoami", response_model=schemas.KeyInfo)
def whoami(key: Read) -> dict[str, Any]:
    """The calling key's id, name and scopes (needs `read`)."""
    return {"key_id": key.key_id, "name": key.name, "scopes": list(key.scopes)}


@router.get("/v1/stages", response_model=schemas.StagesOut, response_model_exclude_unset=True)
def stages(key: Read, s: Svc) -> dict[str, Any]:
    """Which stages have results to serve (the dashboard asks before it calls them)."""
    return s.stages()
