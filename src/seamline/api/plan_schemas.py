"""Request and response bodies of the campaign-plan routes (`routes/plans.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from seamline.campaigns.spec_files import MAX_SPEC_CHARS


class SpecListed(BaseModel):
    """A spec of the service's spec folder: headline fields, or why it does not load."""

    model_config = ConfigDict(extra="allow")
    file: str
    name: str
    error: str | None = None
    text: str | None = Field(default=None, description="The YAML, to edit before planning.")


class PlanIn(BaseModel):
    """A plan to make from a spec: YAML text, or a file of the spec folder by name."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"spec_file": "learners-to-fashion.yaml"}]},
    )
    spec: str | None = Field(
        default=None, description=f"YAML text (at most {MAX_SPEC_CHARS:,} characters: 413)."
    )
    spec_file: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_source(self) -> PlanIn:
        if (self.spec is None) == (self.spec_file is None):
            raise ValueError("give exactly one of spec (YAML text) and spec_file")
        return self


class Violation(BaseModel):
    rule: str
    detail: str


class PreviewMessage(BaseModel):
    channel: str
    language: str
    offer_id: str | None
    offer_kind: str | None
    user_id: str | None
    title: str
    body: str
    violations: list[Violation]


class PreviewsOut(BaseModel):
    """The plan's brand voice, its visual style (palette, fonts, logo as a data URI) and one
    example message per offer, channel and language, with the voice's rules it breaks."""

    voice: dict[str, Any]
    style: dict[str, Any]
    messages: list[PreviewMessage]


class PlanListed(BaseModel):
    plan_id: int
    name: str
    created_at: str
    experiment: str | None
    totals: dict[str, Any]


class PlanOut(BaseModel):
    """A plan: its totals (`summary.totals`: users, spend, expected incremental profit, ROI,
    holdout users...), the ROI-versus-budget curve and the spec it was made from."""

    model_config = ConfigDict(extra="allow")
    plan_id: int
    name: str
    experiment: str | None = None
    summary: dict[str, Any]
    spec: dict[str, Any]


class LaunchOut(BaseModel):
    plan_id: int
    name: str
    experiment: str | None
    launched_at: str
    by: str = Field(description="The id of the key that launched the plan.")


class PreviewPageOut(BaseModel):
    """The previews as one self-contained HTML page: inline style, the logo as a data URI,
    no script, every value escaped."""

    file: str = Field(description="A file name to save the page under.")
    html: str
