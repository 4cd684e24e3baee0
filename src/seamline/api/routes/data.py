"""Data routes: posting events, the data-quality summary and the overview."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from seamline.api import schemas
from seamline.api.deps import Ingest, Read, Svc
from seamline.campaigns.overview import overview as overview_of
from seamline.data.browse import quality_page
from seamline.data.records import ingest_records

router = APIRouter(tags=["data"])


@router.post("/v1/events", response_model=schemas.EventsOut, responses=schemas.errors(400, 413))
def post_events(body: schemas.EventsIn, key: Ingest, s: Svc) -> dict[str, Any]:
    """Store a batch of events (scope `ingest`). Idempotent by `event_id`; the batch is
    committed before the reply, so an acknowledged event survives a crash. Keys outside
    the canonical columns are kept in `attrs`; a batch may hold at most
    `max_extra_keys` distinct such keys (413 beyond)."""
    if len(body.events) > s.settings.max_batch_events:
        raise HTTPException(
            413,
            f"{len(body.events):,} events in one batch; at most {s.settings.max_batch_events:,}",
        )
    label = f"api:{key.key_id}:{body.batch_id or secrets.token_hex(8)}"
    return ingest_records(s.ws, body.events, label, max_extra_keys=s.settings.max_extra_keys)


@router.get("/v1/quality", response_model=schemas.QualityOut, responses=schemas.errors())
def quality(
    key: Read,
    s: Svc,
    offset: Annotated[int, Query(ge=0, le=2**31, description="Batch groups to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Batch groups per page.")] = 50,
) -> dict[str, Any]:
    """The data-quality summary (as `seamline quality --json`); ingest batches grouped by
    source (file name, never its folder) and day, newest first, one page at a time."""
    return quality_page(s.ws, offset=offset, limit=limit)


@router.get("/v1/overview", response_model=schemas.OverviewOut, responses=schemas.errors())
def overview(key: Read, s: Svc, days: Annotated[int, Query(ge=1, le=3650)] = 120) -> dict[str, Any]:
    """Headline KPIs overall and per domain, and daily activity."""
    return overview_of(s.ws, days=days)
