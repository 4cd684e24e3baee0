"""Campaign messages in a brand's voice: Jinja2 templates per voice x channel x language,
rendered per user in a sandbox and checked against the voice's rules.

Templates live in `campaigns/templates/<set>/<language>/<channel>.j2` (or a folder the voice
names). Each defines a `body` block and, on channels with titles, a `title` block. They are
parsed, checked for names outside the context and rendered against sample contexts when loaded,
so a syntax error, an unknown variable or a missing attribute fails before anything is sent,
naming the template and line. Values from data (item titles, segment names) are never
re-evaluated as templates, and previews escape them (`campaigns.preview`).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
)
from jinja2.sandbox import SandboxedEnvironment

from seamline.campaigns.samples import sample_contexts
from seamline.campaigns.voice import CHANNELS, BrandVoice, Channel, Language
from seamline.errors import ConfigError

TEMPLATES_DIR = Path(__file__).parent / "templates"
# The names a template may read; everything else is an error at load time.
CONTEXT_NAMES = frozenset(
    {"user", "segment", "items", "offer", "bundle", "brand", "language", "channel"}
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class TemplateProblem(ConfigError):
    """A template that cannot be used: syntax error, unknown name or failed render."""


@dataclass(frozen=True)
class Violation:
    """One broken rule of a rendered message."""

    rule: str  # banned_word | length | title_length | disclosure | empty
    voice: str
    channel: str
    language: str
    detail: str
    user_id: str | None = None

    def __str__(self) -> str:
        who = f" user {self.user_id}" if self.user_id is not None else ""
        return f"{self.voice} {self.language}/{self.channel}{who}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class Message:
    """A rendered message and the voice's rules it breaks (empty when it passes)."""

    voice: str
    channel: Channel
    language: Language
    title: str
    body: str
    user_id: str | None = None
    offer_kind: str | None = None
    violations: tuple[Violation, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations


def _money(value: Any, language: str = "zh") -> str:
    v = float(value)
    text = f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.2f}"
    return f"¥{text}" if language == "zh" else f"CNY {text}"


def _clip(value: Any, n: int = 24) -> str:
    s = str(value)
    return s if len(s) <= n else s[: max(n - 1, 0)] + "…"


def _percent(value: Any) -> str:
    return f"{float(value) * 100:.0f}%"


def _environment(folder: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text messages; the HTML preview escapes every value
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(money=_money, clip=_clip, percent=_percent)
    return env


def template_folder(voice: BrandVoice) -> Path:
    """The folder of the voice's templates: its own folder or a shipped set."""
    t = voice.templates or voice.name
    p = Path(t)
    if p.is_absolute() or p.is_dir():
        if not p.is_dir():
            raise ConfigError(f"brand voice {voice.name}: templates folder {p} does not exist")
        return p
    shipped = TEMPLATES_DIR / t
    if not re.fullmatch(r"[a-z][a-z0-9_]*", t) or not shipped.is_dir():
        sets = ", ".join(sorted(d.name for d in TEMPLATES_DIR.iterdir() if d.is_dir()))
        raise ConfigError(f"brand voice {voice.name}: no template set {t!r}; shipped: {sets}")
    return shipped


class MessageTemplates:
    """A voice's templates for some channels and languages, loaded and validated at once."""

    def __init__(
        self,
        voice: BrandVoice,
        channels: Sequence[Channel] = CHANNELS,
        languages: Sequence[Language] | None = None,
    ) -> None:
        self.voice = voice
        self.folder = template_folder(voice)
        self.channels = tuple(channels)
        self.languages = tuple(languages or voice.languages)
        missing = [lang for lang in self.languages if lang not in voice.languages]
        if missing:
            raise ConfigError(
                f"brand voice {voice.name} speaks {', '.join(voice.languages)}, "
                f"not {', '.join(missing)}"
            )
        self.env = _environment(self.folder)
        self._templates = {
            (c, lang): self._load(f"{lang}/{c}.j2")
            for c in self.channels
            for lang in self.languages
        }
        for (c, lang), _ in self._templates.items():
            for ctx in sample_contexts(voice, c, lang):
                self.render(ctx, c, lang)

    def _where(self, name: str, line: int | None) -> str:
        at = f" line {line}" if line else ""
        return f"template {self.folder / name}{at}"

    def _load(self, name: str) -> Any:
        path = self.folder / name
        if not path.is_file():
            raise TemplateProblem(
                f"{self._where(name, None)}: missing (one per channel x language)"
            )
        source = path.read_text(encoding="utf-8")
        try:
            tree = self.env.parse(source, name, str(path))
        except TemplateError as e:
            line = getattr(e, "lineno", None)
            raise TemplateProblem(f"{self._where(name, line)}: {e.message}") from None
        unknown = meta.find_undeclared_variables(tree) - CONTEXT_NAMES - set(self.env.globals)
        if unknown:
            first = min((n.lineno, n.name) for n in tree.find_all(nodes.Name) if n.name in unknown)
            allowed = ", ".join(sorted(CONTEXT_NAMES))
            raise TemplateProblem(
                f"{self._where(name, first[0])}: unknown variable {first[1]!r} "
                f"(a template may read {allowed})"
            )
        template = self.env.get_template(name)
        if "body" not in template.blocks:
            raise TemplateProblem(f"{self._where(name, None)}: defines no `body` block")
        return template

    def render(self, context: Mapping[str, Any], channel: Channel, language: Language) -> Message:
        """The message for one user's context, checked against the voice's rules."""
        template = self._templates[(channel, language)]
        ctx = {**clean(dict(context)), "channel": channel, "language": language}
        ctx.setdefault("brand", self.voice.brand[language])
        try:
            jctx = template.new_context(ctx)
            title = (
                _tidy("".join(template.blocks["title"](jctx))) if "title" in template.blocks else ""
            )
            body = _tidy("".join(template.blocks["body"](jctx)))
        except Exception as e:  # StrictUndefined, SecurityError, a filter's TypeError
            name, line = self._origin(e, template.name)
            raise TemplateProblem(f"{self._where(name, line)}: {type(e).__name__}: {e}") from None
        offer = ctx.get("offer")
        kind = offer.get("kind") if isinstance(offer, Mapping) else None
        user = ctx.get("user")
        uid = str(user.get("id")) if isinstance(user, Mapping) and "id" in user else None
        msg = Message(self.voice.name, channel, language, title, body, uid, kind)
        return Message(**{**msg.__dict__, "violations": tuple(check(msg, self.voice))})

    def _origin(self, e: BaseException, name: str) -> tuple[str, int | None]:
        """The template and line where a render failed: the innermost frame of the set's
        templates, mapped from the compiled code's line to the template's."""
        if isinstance(e, TemplateSyntaxError):  # in an imported template
            return e.name or name, e.lineno
        line = None
        root = str(self.folder.resolve())
        for frame in traceback.extract_tb(e.__traceback__):
            f = str(Path(frame.filename).resolve()) if frame.filename.endswith(".j2") else ""
            if f.startswith(root):
                name = Path(f).relative_to(root).as_posix()
                template = self.env.get_template(name)
                line = template.get_corresponding_lineno(frame.lineno or 0)
        return name, line

    def render_all(
        self, contexts: Iterable[Mapping[str, Any]], channel: Channel, language: Language
    ) -> list[Message]:
        return [self.render(c, channel, language) for c in contexts]

    def sample_messages(self) -> list[Message]:
        """Every template rendered against the sample contexts (previews, rule checks)."""
        return [
            self.render(ctx, c, lang)
            for (c, lang) in self._templates
            for ctx in sample_contexts(self.voice, c, lang)
        ]


def _tidy(text: str) -> str:
    # An empty optional sentence leaves double spaces and blank runs; plain text drops them.
    lines = [re.sub(r"(?<=\S) {2,}", " ", ln.rstrip()) for ln in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def clean(value: Any) -> Any:
    """Data values made safe for plain-text messages: strings lose control characters and
    line breaks (a title cannot forge a line of the message); containers are cleaned deeply."""
    if isinstance(value, str):
        return _CONTROL.sub(" ", value).strip()
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def check(message: Message, voice: BrandVoice) -> list[Violation]:
    """Every rule of the voice the message breaks: banned words, lengths, disclosures."""
    out: list[Violation] = []

    def add(rule: str, detail: str) -> None:
        out.append(
            Violation(rule, voice.name, message.channel, message.language, detail, message.user_id)
        )

    text = f"{message.title}\n{message.body}"
    low = text.casefold()
    for word in voice.banned_words:
        if word.casefold() in low:
            add("banned_word", f"contains {word!r}")
    if not message.body:
        add("empty", "the body is empty")
    limit = voice.limit(message.channel, message.language)
    if len(message.body) > limit:
        add("length", f"body has {len(message.body)} characters, at most {limit}")
    tlimit = voice.title_limit(message.channel)
    if len(message.title) > tlimit:
        add("title_length", f"title has {len(message.title)} characters, at most {tlimit}")
    for required in voice.disclosures(message.channel, message.language, message.offer_kind):
        if required not in text:
            add("disclosure", f"missing {required!r}")
    return out
