"""Request and response bodies of the REST service (they make the OpenAPI document).

Responses list the fields the service answers with; nested analysis results whose keys
depend on the experiment (arms, metrics) are typed as mappings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Num = float | None  # NaN and infinity travel as null


class ErrorOut(BaseModel):
    detail: Any = Field(description="What was refused and why (a list for 422).")


# Declared on the operations that can answer them (401/403 are added to every keyed one).
ERROR_TEXT = {
    400: "Input the library refuses; the message says what is allowed",
    404: "Unknown user, item or experiment",
    409: "Conflicts with the workspace's state (no fitted model or segmentation yet, an "
    "experiment outside its window)",
    413: "Body, batch or number of distinct extra keys over the documented limit",
    422: "Request does not match the schema",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": ErrorOut, "description": ERROR_TEXT[c]} for c in (*codes, 422)}


# --- service --------------------------------------------------------------------------
class Health(BaseModel):
    status: str
    version: str


class Version(BaseModel):
    version: str
    schema_version: str
    api: str = "v1"


class KeyInfo(BaseModel):
    key_id: str
    name: str
    scopes: list[str]


class StageState(BaseModel):
    model_config = ConfigDict(extra="allow")
    available: bool
    reason: str | None = None


class StagesOut(BaseModel):
    recommender: StageState
    segments: StageState


# --- events and data ------------------------------------------------------------------
class EventsIn(BaseModel):
    """A batch of events with the canonical columns (extra keys are kept as attributes).

    Records are validated one by one, by the rules file ingestion uses; a bad record is
    rejected with its position and reason, the rest are stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "events": [
                        {
                            "event_id": "E1",
                            "user_id": "U0000001",
                            "item_id": "F000001",
                            "domain": "fashion",
                            "event_type": "view",
                            "timestamp": "2026-09-01T10:00:00Z",
                        }
                    ]
                }
            ]
        }
    )

    events: list[Any] = Field(description="Event records: objects with canonical columns.")
    batch_id: str | None = Field(
        default=None,
        max_length=200,
        description="Optional id of this batch; a retry with the same id stores its rejects "
        "once. Events are deduplicated by event_id either way.",
    )


class RejectOut(BaseModel):
    position: int = Field(description="The record's position in the batch, from 1.")
    column: str | None
    reason: str
    message: str | None


class EventsOut(BaseModel):
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    rejected_by_reason: dict[str, int]
    duplicates_by_kind: dict[str, int]
    errors: list[RejectOut]


class BatchGroup(BaseModel):
    source: str = Field(description="File name (no folder) or `api:KEY_ID` for posted batches.")
    table: str
    day: str
    batches: int
    rows: int
    accepted: int
    rejected: int
    duplicates: int


class BatchPage(BaseModel):
    total: int = Field(description="Groups in all pages.")
    offset: int
    limit: int
    items: list[BatchGroup]


class QualityOut(BaseModel):
    """As `seamline quality --json`, with ingest batches grouped by source and day."""

    model_config = ConfigDict(extra="allow")
    events: int
    items: int
    users: int
    rejected: int
    rejected_by_reason: dict[str, int]
    duplicates: int
    duplicates_by_kind: dict[str, int]
    date_range: dict[str, Any]
    by_domain: list[dict[str, Any]]
    by_event_type: list[dict[str, Any]]
    events_per_day: list[dict[str, Any]]
    missing_share: dict[str, dict[str, float]]
    batches: BatchPage


class DailyActivity(BaseModel):
    day: str
    domain: str
    events: int
    users: int
    revenue: float


class OverviewOut(BaseModel):
    events: int
    users: int
    items: int
    active_users: int
    cross_domain_users: int
    kpis: dict[str, dict[str, Num]] = Field(description="KPIs overall (`all`) and per domain.")
    daily: list[DailyActivity]


# --- users ----------------------------------------------------------------------------
class UserHit(BaseModel):
    user_id: str
    events: int
    domains: int


class UserDetail(BaseModel):
    user_id: str
    profile: dict[str, Any] | None
    by_domain: list[dict[str, Any]]
    history: dict[str, list[dict[str, Any]]] = Field(description="Latest events per domain.")


# --- recommendations ------------------------------------------------------------------
class RecommendationOut(BaseModel):
    item_id: str
    score: float
    because: list[str] = Field(description="History items that drive this recommendation.")
    title: str | None = None
    domain: str | None = None
    category: str | None = None
    brand: str | None = None
    price: float | None = None


class RecommendationsOut(BaseModel):
    user_id: str
    domain: str | None
    k: int
    model: str
    ranker: str | None = None  # the second stage that re-ordered the model's candidates
    items: list[RecommendationOut]


class SimilarOut(BaseModel):
    item_id: str
    model: str
    items: list[RecommendationOut]


class ModelOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    default: bool = False


class FitIn(BaseModel):
    models: list[str] = Field(
        default=["ease"], min_length=1, max_length=10, description="Registry names to fit."
    )
    default: str | None = Field(
        default=None, description="Make this model, one of `models`, the default."
    )

    @model_validator(mode="after")
    def _default_is_fitted(self) -> FitIn:
        # Checked before anything is fitted: a refused request saves nothing.
        if self.default is not None and self.default not in self.models:
            raise ValueError(f"default {self.default!r} must be one of models {self.models}")
        return self


# --- segments -------------------------------------------------------------------------
class SegmentOut(BaseModel):
    id: int
    size: int
    name_en: str | None
    name_zh: str | None
    profile: dict[str, Any]


class UserSegmentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    run_id: int
    user_id: str
    id: int
    name_en: str | None
    name_zh: str | None


def _segment_fields(schema: dict[str, Any]) -> None:
    """Document the segment config's fields (the library's own model checks them)."""
    from seamline.segments.config import SegmentConfig

    schema["properties"] = SegmentConfig.model_json_schema().get("properties", {})
    schema["examples"] = [{"k": 6}]


class SegmentRunIn(BaseModel):
    """A segment configuration (`seamline segment` options); {} for the defaults. Values
    are checked by the library: a refused one answers 400 naming the field."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_segment_fields)


class SegmentRunOut(BaseModel):
    run_id: int
    method: str
    k: int
    segments: list[dict[str, Any]]


# --- experiments and campaigns --------------------------------------------------------
class ExperimentIn(BaseModel):
    """An experiment design, as `seamline ab create` stores it; the library checks it (a
    refused design answers 400 naming the field)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"name": "banner", "arms": [{"name": "control"}, {"name": "banner"}]}]
        },
    )
    name: str = Field(max_length=100)
    arms: list[Any] | None = Field(default=None, description="[{name, weight}] or names.")
    start: str | None = Field(default=None, description="Window start, ISO 8601 (UTC).")
    end: str | None = Field(default=None, description="Window end (exclusive), ISO 8601.")


class ExperimentOut(BaseModel):
    """A stored design (as created)."""

    model_config = ConfigDict(extra="allow")
    name: str
    arms: list[dict[str, Any]]
    start: str | None
    end: str | None


class ExperimentListed(BaseModel):
    name: str
    arms: dict[str, float] = Field(description="Arm -> share of traffic.")
    control: str
    layer: str | None
    holdout: float
    status: str = Field(description="scheduled, running or ended: from the window and now.")
    created_at: str
    exposures: dict[str, int]


class ExperimentAnalysed(ExperimentListed):
    report: dict[str, Any] | None
    error: str | None = None


class ExperimentReportOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    arms: dict[str, int]
    control: str
    results: list[dict[str, Any]]
    kpis: dict[str, dict[str, Num]]


class AssignmentIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)


class AssignmentOut(BaseModel):
    experiment: str
    user_id: str
    arm: str | None = Field(description="None when the user is outside the experiment.")


class CouponOut(BaseModel):
    coupon_id: str
    redemptions: int
    users: int
    revenue: float
    first: str | None
    last: str | None
    domains: list[str]


class CurvePoint(BaseModel):
    day: str
    revenue_per_user: dict[str, float]
    incremental: dict[str, float]
    roi: dict[str, Num]


class CampaignOut(BaseModel):
    name: str
    description: str
    coupon_id: str
    discount: float | None
    control: str
    window: dict[str, str | None]
    results: list[dict[str, Any]]
    kpis: dict[str, dict[str, Num]]
    curve: list[CurvePoint]


class CampaignsOut(BaseModel):
    coupons: list[CouponOut]
    campaigns: list[CampaignOut]
