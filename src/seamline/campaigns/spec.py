"""`CampaignSpec`: what a campaign wants (goal, audience, offers, budget, channels, voice,
languages, holdout, schedule), read from YAML and checked before anything is stored.

`load_spec(path)` validates the file's shape (errors name the dotted field, e.g.
`offers.1.face_value`); `check_spec(ws, spec)` checks it against the workspace: the
segments it names exist, the features and categories its rules use are there.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import yaml
from pydantic import Field, field_validator, model_validator

from seamline.campaigns.offers import Offer
from seamline.campaigns.voice import BrandVoice, Language
from seamline.campaigns.voice import Channel as ChannelName
from seamline.config import SeamlineConfig
from seamline.errors import ConfigError

if TYPE_CHECKING:
    from seamline.campaigns.content import MessageTemplates
    from seamline.data.store import Store

Domain = Literal["knowledge", "fashion"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Goal(SeamlineConfig):
    """Sell `sell`-domain items to users who live in the `to` domain (the cross-sell)."""

    what: ClassVar[str] = "campaign goal"

    sell: Domain
    to: Domain
    description: str = ""

    @model_validator(mode="after")
    def _cross(self) -> Goal:
        if self.sell == self.to:
            raise ConfigError(f"goal: sell and to must differ (a cross-sell), both {self.sell!r}")
        return self


class BehaviourRule(SeamlineConfig):
    """Users who `action`ed items (of a domain / category) at least / at most so many times
    in the last `days` days before the data's end (all time when `days` is null)."""

    what: ClassVar[str] = "behaviour rule"

    action: Literal["viewed", "clicked", "bought"]
    domain: Domain | None = None
    category: str | None = None
    at_least: int | None = Field(None, ge=1)
    at_most: int | None = Field(None, ge=0)
    days: int | None = Field(None, ge=1, le=3650)

    @model_validator(mode="after")
    def _bounds(self) -> BehaviourRule:
        if self.at_least is None and self.at_most is None:
            raise ConfigError("behaviour rule: give at_least or at_most (never: at_most: 0)")
        if self.at_least is not None and self.at_most is not None and self.at_most < self.at_least:
            raise ConfigError(f"behaviour rule: at_most {self.at_most} < at_least {self.at_least}")
        return self


class FeatureRule(SeamlineConfig):
    """Users whose feature `feature` (a numeric column of user_features) compares to `value`."""

    what: ClassVar[str] = "feature rule"

    feature: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
    op: Literal[">=", "<=", ">", "<", "==", "!="]
    value: float


class Audience(SeamlineConfig):
    """Who may get the campaign: segments of the latest run (name or number; none: all),
    and every rule must hold."""

    what: ClassVar[str] = "audience"

    segments: tuple[str | int, ...] = ()
    rules: tuple[BehaviourRule, ...] = ()
    features: tuple[FeatureRule, ...] = ()
    max_users: int | None = Field(None, ge=1)


class Channel(SeamlineConfig):
    what: ClassVar[str] = "channel"

    name: ChannelName
    cost_per_contact: float = Field(0.0, ge=0)


class Schedule(SeamlineConfig):
    """The campaign's window, local dates, end exclusive."""

    what: ClassVar[str] = "schedule"

    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> Schedule:
        if self.end <= self.start:
            raise ConfigError(f"schedule: end {self.end} must be after start {self.start}")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class CampaignSpec(SeamlineConfig):
    """A campaign to plan. Budget in CNY; `holdout_share` of the planned audience is kept
    out at random to measure the effect."""

    what: ClassVar[str] = "campaign spec"

    name: str
    goal: Goal
    audience: Audience = Audience()
    offers: tuple[Offer, ...] = Field(min_length=1)
    budget: float = Field(gt=0)
    channels: tuple[Channel, ...] = Field(min_length=1)
    contact_cap: int = Field(1, ge=1, le=20)  # messages per user over the campaign
    voice: BrandVoice
    languages: tuple[Language, ...] = Field(("zh",), min_length=1)
    holdout_share: float = Field(0.2, gt=0, le=0.5)
    schedule: Schedule
    learn_from: str | None = None  # the past experiment to learn uplift from (default: newest)
    # The uplift model; `auto` chooses on validation carves of the past campaign (slower).
    model: Literal["auto", "t_learner_lr", "t_learner_gb", "x_learner", "class_transformation"] = (
        "t_learner_lr"
    )
    seed: int = Field(0, ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ConfigError(
                f"name {v!r}: use letters, digits, '_', '-', '.' (at most 64 characters)"
            )
        return v

    @model_validator(mode="after")
    def _offers(self) -> CampaignSpec:
        ids = [o.id for o in self.offers]
        for i, o in enumerate(self.offers):
            if ids.index(o.id) != i:
                raise ConfigError(f"offers.{i}.id: {o.id!r} repeats offer {ids.index(o.id)}")
            if o.max_unit_cost > self.budget:
                raise ConfigError(
                    f"offers.{i}.face_value: offer {o.id!r} costs up to {o.max_unit_cost:g} "
                    f"per user (contact_cost + face_value), more than the budget "
                    f"{self.budget:g}"
                )
            if o.max_spend is not None and o.max_spend > self.budget:
                raise ConfigError(
                    f"offers.{i}.max_spend: {o.max_spend:g} is more than the budget {self.budget:g}"
                )
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ConfigError(f"channels: names repeat: {names}")
        if len(set(self.languages)) != len(self.languages):
            raise ConfigError(f"languages: repeat: {list(self.languages)}")
        missing = [lang for lang in self.languages if lang not in self.voice.languages]
        if missing:
            raise ConfigError(
                f"languages: the voice {self.voice.name!r} speaks "
                f"{', '.join(self.voice.languages)}, not {', '.join(missing)}"
            )
        if self.voice.domain != self.goal.sell:
            raise ConfigError(
                f"voice: {self.voice.name!r} speaks for the {self.voice.domain} side; the "
                f"campaign sells {self.goal.sell}"
            )
        return self

    def experiment_name(self, plan_id: int) -> str:
        """The experiment that measures plan `plan_id` of this campaign (its holdout)."""
        return f"campaign-{self.name}-{plan_id}"


def parse_spec(data: Any, where: str = "campaign spec") -> CampaignSpec:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of fields, got {type(data).__name__}")
    try:
        return CampaignSpec.model_validate(data)
    except ConfigError as e:
        raise ConfigError(f"{where}: {e}") from None


def load_spec(path: str | Path) -> CampaignSpec:
    """Read and validate a YAML spec; errors name the file and the dotted field."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: campaign spec not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{p}{line}: not valid YAML ({getattr(e, 'problem', e)})") from None
    return parse_spec(data, str(p))


def message_templates(spec: CampaignSpec) -> MessageTemplates:
    """The voice's templates for the spec's channels and languages, each rendered against
    sample contexts: a syntax error or an undefined variable names the template and line."""
    from seamline.campaigns.content import MessageTemplates, TemplateProblem

    try:
        return MessageTemplates(spec.voice, [c.name for c in spec.channels], list(spec.languages))
    except TemplateProblem as e:
        raise TemplateProblem(f"voice.templates: {e}") from None


def check_spec(ws: Store, spec: CampaignSpec) -> None:
    """Check the spec against the workspace before anything is stored: its templates render,
    the segments it names exist in the latest segmentation, its feature rules name numeric
    features, its behaviour rules name categories the catalog has."""
    from seamline.data import schema

    message_templates(spec)
    from seamline.features import repo as features_repo
    from seamline.segments import repo as segments_repo

    a = spec.audience
    if a.segments:
        known = segments_repo.segment_list(ws)
        if not known:
            raise ConfigError("audience.segments: the workspace has no segmentation yet")
        names = {str(s["id"]) for s in known} | {
            str(s[k]) for s in known for k in ("name_en", "name_zh") if s[k]
        }
        for i, s in enumerate(a.segments):
            if str(s) not in names:
                raise ConfigError(
                    f"audience.segments.{i}: no segment {s!r} in the latest segmentation; "
                    "known: " + ", ".join(f"{k['id']} ({k['name_en']})" for k in known)
                )
    with ws.connect(read_only=True) as con:
        if a.features:
            types = features_repo.column_types(con) or {}
            for i, f in enumerate(a.features):
                if f.feature not in types or not features_repo.is_numeric(types[f.feature]):
                    raise ConfigError(
                        f"audience.features.{i}.feature: {f.feature!r} is not a numeric "
                        "column of user_features"
                        + ("" if types else " (the workspace has no features yet)")
                    )
        cats = [(i, r.category) for i, r in enumerate(a.rules) if r.category is not None]
        if cats:
            have: set[str] = set()
            if schema.has_table(con, "items"):
                rows = con.execute("SELECT DISTINCT category FROM items").fetchall()
                have = {str(r[0]) for r in rows if r[0] is not None}
            for i, c in cats:
                if c not in have:
                    raise ConfigError(
                        f"audience.rules.{i}.category: no items of category {c!r}; "
                        "categories: " + (", ".join(sorted(have)) or "none")
                    )
