"""A brand's voice and visual style: the rules every campaign message is checked against
(tone, banned words, length per channel, disclosures that must appear) and the palette, fonts
and logo of its previews.

Two voices ship with the package (`campaigns/voices/*.yaml`): a knowledge platform's
(`zhixing`) and a fashion brand's (`linen_loom`). A spec names one (`voice: zhixing`), extends
one (`voice: {extends: zhixing, banned_words: [...]}`) or spells a voice out in full.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

import yaml
from pydantic import Field, field_validator, model_validator

from seamline.config import SeamlineConfig
from seamline.errors import ConfigError

Channel = Literal["push", "email", "mini_program", "sms"]
Language = Literal["zh", "en"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
LANGUAGES: tuple[Language, ...] = get_args(Language)
# Offer kinds as in `campaigns.offers.Offer.kind`; a disclosure may apply to some kinds only.
OfferKind = Literal["coupon", "bundle", "free_lesson", "content"]

VOICES_DIR = Path(__file__).parent / "voices"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Font names go into CSS: letters, digits, spaces and a few punctuation marks only.
_FONT = re.compile(r"^[\w \-.\u3000-\u9fff]+$")


class Palette(SeamlineConfig):
    """The brand's colours as `#rrggbb`."""

    what: ClassVar[str] = "palette"
    primary: str
    accent: str
    background: str = "#ffffff"
    text: str = "#222222"

    @field_validator("primary", "accent", "background", "text")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not _HEX.match(v):
            raise ValueError(f"a colour is #rrggbb, got {v!r}")
        return v.lower()


class VisualStyle(SeamlineConfig):
    """How previews look: palette, font stack (first choice first) and the logo file
    (SVG or PNG; a relative path is read from the voice's folder)."""

    what: ClassVar[str] = "visual style"
    palette: Palette
    fonts: tuple[str, ...] = Field(default=("Helvetica Neue", "PingFang SC", "sans-serif"))
    logo_path: str | None = None

    @field_validator("fonts")
    @classmethod
    def _fonts(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one font")
        for f in v:
            if not _FONT.match(f):
                raise ValueError(f"a font name has letters, digits, spaces, '-' or '.', got {f!r}")
        return v

    @field_validator("logo_path")
    @classmethod
    def _logo(cls, v: str | None) -> str | None:
        if v is not None and Path(v).suffix.lower() not in (".svg", ".png"):
            raise ValueError(f"the logo is an .svg or .png file, got {v!r}")
        return v


class Disclosure(SeamlineConfig):
    """A text that must appear verbatim in a message, per language; only on `channels` and,
    when `offer_kinds` is given, only in messages carrying one of those offers."""

    what: ClassVar[str] = "disclosure"
    text: dict[Language, str]
    channels: tuple[Channel, ...] = CHANNELS
    offer_kinds: tuple[OfferKind, ...] = ()

    def applies(self, channel: str, offer_kind: str | None) -> bool:
        if channel not in self.channels:
            return False
        return not self.offer_kinds or offer_kind in self.offer_kinds


_DEFAULT_LENGTH: dict[Channel, int] = {"push": 120, "email": 2000, "mini_program": 300, "sms": 140}
_DEFAULT_MAX_LENGTH: dict[Channel, int | dict[Language, int]] = dict(_DEFAULT_LENGTH)
_DEFAULT_MAX_TITLE: dict[Channel, int] = {"push": 30, "email": 60, "mini_program": 24, "sms": 0}


class BrandVoice(SeamlineConfig):
    """A brand's voice: the rules its messages are checked against and its visual style.

    `templates` names a shipped template set (default: the voice's `name`) or a folder holding
    `<language>/<channel>.j2`. `max_length` counts characters of the rendered body per channel,
    one number or one per language (`sms: {zh: 70, en: 160}`: a Chinese character weighs more);
    `max_title_length` those of the title (0: no title allowed)."""

    what: ClassVar[str] = "brand voice"
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    brand: dict[Language, str] = Field(min_length=1)
    domain: Literal["knowledge", "fashion"]
    tone: str = Field(min_length=1, max_length=300)
    templates: str | None = None
    banned_words: tuple[str, ...] = ()
    max_length: dict[Channel, int | dict[Language, int]] = Field(
        default_factory=lambda: dict(_DEFAULT_MAX_LENGTH)
    )
    max_title_length: dict[Channel, int] = Field(default_factory=lambda: dict(_DEFAULT_MAX_TITLE))
    required_disclosures: tuple[Disclosure, ...] = ()
    style: VisualStyle

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        # `voice: zhixing` is the shipped voice; `{extends: zhixing, ...}` overrides its fields.
        if isinstance(data, str):
            return _builtin_mapping(data)
        if isinstance(data, dict) and "extends" in data:
            merged = _builtin_mapping(str(data["extends"]))
            for key, value in data.items():
                if key == "extends":
                    continue
                old = merged.get(key)
                # One level deep: `max_length: {sms: 100}` keeps the other channels' limits.
                if isinstance(old, dict) and isinstance(value, dict):
                    value = {**old, **value}
                merged[key] = value
            return merged
        return data

    @field_validator("required_disclosures", mode="before")
    @classmethod
    def _by_language(cls, v: Any) -> Any:
        # Shorthand `{zh: [广告], en: [Ad]}`: each text required on every channel.
        if isinstance(v, dict):
            langs = {lang: ([t] if isinstance(t, str) else list(t)) for lang, t in v.items()}
            width = max((len(t) for t in langs.values()), default=0)
            return [
                {"text": {lang: texts[i] for lang, texts in langs.items() if i < len(texts)}}
                for i in range(width)
            ]
        return v

    @field_validator("banned_words")
    @classmethod
    def _words(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not w.strip() for w in v):
            raise ValueError("a banned word is not empty")
        return v

    @field_validator("max_length", "max_title_length")
    @classmethod
    def _lengths(cls, v: dict[Channel, Any]) -> dict[Channel, Any]:
        flat = {
            f"{c}.{lang}" if lang else c: n
            for c, per in v.items()
            for lang, n in (per.items() if isinstance(per, dict) else [("", per)])
        }
        bad = {k: n for k, n in flat.items() if n < 0}
        if bad:
            raise ValueError(f"lengths are >= 0 characters, got {bad}")
        return v

    @model_validator(mode="after")
    def _disclosures_cover_languages(self) -> BrandVoice:
        for i, d in enumerate(self.required_disclosures):
            missing = [lang for lang in self.languages if lang not in d.text]
            if missing:
                raise ValueError(
                    f"required_disclosures.{i}.text has no {', '.join(missing)} text "
                    f"(the voice speaks {', '.join(self.languages)})"
                )
        return self

    @property
    def languages(self) -> tuple[Language, ...]:
        """The languages the voice speaks: those its `brand` name is given in."""
        return tuple(lang for lang in LANGUAGES if lang in self.brand)

    def limit(self, channel: Channel, language: Language) -> int:
        """The most characters a message body on `channel` in `language` may have."""
        per = self.max_length.get(channel, _DEFAULT_LENGTH[channel])
        if isinstance(per, dict):
            return per.get(language, _DEFAULT_LENGTH[channel])
        return per

    def title_limit(self, channel: Channel) -> int:
        """The most characters a title on `channel` may have (0: no title)."""
        return self.max_title_length.get(channel, _DEFAULT_MAX_TITLE[channel])

    def disclosures(
        self, channel: Channel, language: Language, offer_kind: str | None
    ) -> list[str]:
        """The texts a message on `channel` in `language` carrying `offer_kind` must show."""
        return [
            d.text[language]
            for d in self.required_disclosures
            if d.applies(channel, offer_kind) and language in d.text
        ]

    def with_base(self, base: Path) -> BrandVoice:
        """The voice with a relative logo path and template folder read from `base` (the
        folder of the file that declared it)."""
        changes: dict[str, Any] = {}
        logo = self.style.logo_path
        if logo and not Path(logo).is_absolute() and (base / logo).exists():
            changes["style"] = self.style.replace(logo_path=str((base / logo).resolve()))
        t = self.templates
        if t and not Path(t).is_absolute() and (base / t).is_dir():
            changes["templates"] = str((base / t).resolve())
        return self.replace(**changes) if changes else self


def builtin_voices() -> tuple[str, ...]:
    """The names of the voices shipped with the package."""
    return tuple(sorted(p.stem for p in VOICES_DIR.glob("*.yaml")))


def _builtin_mapping(name: str) -> dict[str, Any]:
    path = VOICES_DIR / f"{name}.yaml"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not path.exists():
        raise ValueError(f"no shipped voice {name!r}; shipped: {', '.join(builtin_voices())}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    style = dict(raw.get("style") or {})
    if style.get("logo_path"):
        style["logo_path"] = str(VOICES_DIR / style["logo_path"])
    return {**raw, "style": style}


def load_voice(source: str | Path) -> BrandVoice:
    """A voice from a YAML file, or a shipped voice by name; errors name the file and field."""
    p = Path(source)
    if p.suffix in (".yaml", ".yml") or p.exists():
        try:
            raw: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{p}: cannot read the voice ({e.strerror})") from None
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
            raise ConfigError(f"{p}:{where} not valid YAML") from None
        try:
            return BrandVoice.model_validate(raw).with_base(p.parent)
        except ConfigError as e:
            raise ConfigError(f"{p}: {e}") from None
    return BrandVoice.model_validate(str(source))
