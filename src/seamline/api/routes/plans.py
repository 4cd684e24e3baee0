"""Campaign-plan routes: the spec library, making a plan (scope `admin`), reading plans and
their message previews (as data for the dashboard, or one self-contained HTML page)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from seamline.api import plan_schemas as ps
from seamline.api.deps import Admin, Read, Svc
from seamline.api.schemas import errors
from seamline.campaigns import store
from seamline.campaigns.launch import launch_plan
from seamline.campaigns.plan_previews import plan_preview_page, plan_previews
from seamline.campaigns.spec_files import list_specs, make_plan

router = APIRouter(tags=["campaigns"])
PlanId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="The plan's number.")]


@router.get("/v1/campaigns/specs", response_model=list[ps.SpecListed], responses=errors())
def specs(key: Read, s: Svc) -> list[dict[str, Any]]:
    """The campaign specs of the service's spec folder (`SEAMLINE_CAMPAIGN_SPECS`, by default
    the workspace's `campaign_specs/`), each with its YAML or the error that stops it."""
    return list_specs(s.specs_dir)


@router.post("/v1/campaigns/plans", response_model=ps.PlanOut, responses=errors(400, 404, 409, 413))
def create_plan(body: ps.PlanIn, key: Admin, s: Svc) -> dict[str, Any]:
    """Plan a campaign (scope `admin`) from YAML text or a file of the spec folder: the spec
    and its templates are checked before anything is stored (400 naming the field or the
    template line), then the plan, its per-user allocation and its holdout experiment are
    stored. 404: no such spec file; 409: the workspace lacks what planning needs."""
    return make_plan(s.ws, body.spec, body.spec_file, s.specs_dir)


@router.get("/v1/campaigns/plans", response_model=list[ps.PlanListed], responses=errors())
def plans(key: Read, s: Svc) -> list[dict[str, Any]]:
    """Every stored plan, newest first, with its totals."""
    return store.list_plans(s.ws)


@router.get("/v1/campaigns/plans/{plan_id}", response_model=ps.PlanOut, responses=errors(404))
def plan(plan_id: PlanId, key: Read, s: Svc) -> dict[str, Any]:
    """One plan: spec, totals, ROI-versus-budget curve and results once measured."""
    return store.get_plan(s.ws, plan_id)


@router.post(
    "/v1/campaigns/plans/{plan_id}/launch",
    response_model=ps.LaunchOut,
    responses=errors(404, 409),
)
def launch(plan_id: PlanId, key: Admin, s: Svc) -> dict[str, Any]:
    """Launch a plan (scope `admin`): recorded once, with the time and the key; a plan
    already launched answers 409."""
    return launch_plan(s.ws, plan_id, key.key_id)


@router.get(
    "/v1/campaigns/plans/{plan_id}/previews",
    response_model=ps.PreviewsOut,
    responses=errors(404),
)
def previews(plan_id: PlanId, key: Read, s: Svc) -> dict[str, Any]:
    """One example message per offer, channel and language, in the brand's style."""
    return plan_previews(s.ws, plan_id)


@router.get(
    "/v1/campaigns/plans/{plan_id}/preview-page",
    response_model=ps.PreviewPageOut,
    responses=errors(404),
)
def preview_page(
    plan_id: PlanId,
    key: Read,
    s: Svc,
    language: Annotated[Literal["zh", "en"], Query(description="Labels' language.")] = "en",
) -> dict[str, Any]:
    """The previews as one self-contained HTML page (to save and open from disk)."""
    html = plan_preview_page(s.ws, plan_id, language=language)
    return {"file": f"plan-{plan_id}-preview.html", "html": html}
