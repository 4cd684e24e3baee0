"""Request and response bodies of the REST service (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    items: list[RecommendationOut]


class SimilarOut(BaseModel):
    item_id: str
    model: str
    items: list[RecommendationOut]


class FitIn(BaseModel):
    models: list[str] = Field(
        default=["ease"], min_length=1, max_length=10, description="Registry names to fit."
    )
    default: str | None = Field(default=None, description="Make this fitted model the default.")


class AssignmentIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)


class AssignmentOut(BaseModel):
    experiment: str
    user_id: str
    arm: str | None = Field(description="None when the user is outside the experiment.")


class KeyInfo(BaseModel):
    key_id: str
    name: str
    scopes: list[str]


class Health(BaseModel):
    status: str
    version: str


class Version(BaseModel):
    version: str
    schema_version: str
    api: str = "v1"
