"""Campaign routes: coupon redemptions and each coupon campaign's uplift and ROI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from seamline.api import schemas
from seamline.api.deps import Read, Svc
from seamline.campaigns.results import campaigns as campaign_results

router = APIRouter(tags=["campaigns"])


@router.get("/v1/campaigns", response_model=schemas.CampaignsOut, responses=schemas.errors())
def campaigns(key: Read, s: Svc) -> dict[str, Any]:
    """Coupon redemptions and each coupon campaign's uplift, ROI and incremental-revenue
    curve."""
    return campaign_results(s.ws)
