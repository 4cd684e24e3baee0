"""Experiment routes: designs, analyses, reports and assignments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from seamline.api import schemas
from seamline.api.deps import Admin, Assign, Read, Svc
from seamline.campaigns.results import experiments_overview
from seamline.data.browse import plain
from seamline.experiments import store
from seamline.experiments.report import experiment_report as report_of

router = APIRouter(tags=["experiments"])


@router.get(
    "/v1/experiments", response_model=list[schemas.ExperimentListed], responses=schemas.errors()
)
def experiments(key: Read, s: Svc) -> list[dict[str, Any]]:
    """Every experiment with its arms, exposures and status (from its window)."""
    return store.list_experiments(s.ws)


@router.get(
    "/v1/experiments/analysis",
    response_model=list[schemas.ExperimentAnalysed],
    responses=schemas.errors(),
)
def experiments_analysis(key: Read, s: Svc) -> list[dict[str, Any]]:
    """Every experiment with its analysis (for the dashboard)."""
    return experiments_overview(s.ws)


@router.post("/v1/experiments", response_model=schemas.ExperimentOut, responses=schemas.errors(400))
def create_experiment(body: schemas.ExperimentIn, key: Admin, s: Svc) -> dict[str, Any]:
    """Store an experiment design (scope `admin`), as `seamline ab create` does."""
    design = body.model_dump(exclude_unset=True)
    out: dict[str, Any] = plain(store.create_experiment(s.ws, design).to_dict())
    return out


@router.get(
    "/v1/experiments/{name}/report",
    response_model=schemas.ExperimentReportOut,
    responses=schemas.errors(400, 404),
)
def experiment_report(name: str, key: Read, s: Svc) -> dict[str, Any]:
    from seamline.experiments.analyze import json_ready

    out: dict[str, Any] = plain(json_ready(report_of(s.ws, name)))
    return out


@router.post(
    "/v1/experiments/{name}/assignments",
    response_model=schemas.AssignmentOut,
    responses=schemas.errors(400, 404, 409),
)
def assign(name: str, body: schemas.AssignmentIn, key: Assign, s: Svc) -> dict[str, Any]:
    """The user's arm (deterministic) and a recorded first exposure (scope `assign`).
    Only while the experiment runs: before its start or from its end, 409."""
    arm = store.assign_live(s.ws, name, body.user_id)
    return {"experiment": name, "user_id": body.user_id, "arm": arm}
