"""HTML previews of campaign messages in the brand's visual style: one self-contained page
(inline CSS, the logo as a data URI, no scripts, a Content-Security-Policy that allows none)
with one card per message variant and the rules it breaks.

Every value is escaped: message text comes from data (item titles) and is shown, never run.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from seamline.campaigns.content import Message
from seamline.campaigns.voice import BrandVoice, Language

_ENV = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_GENERIC_FONTS = {"serif", "sans-serif", "monospace", "cursive", "system-ui"}
CHANNEL_NAMES = {
    "zh": {"push": "App 推送", "email": "邮件", "mini_program": "小程序", "sms": "短信"},
    "en": {"push": "App push", "email": "E-mail", "mini_program": "Mini-program", "sms": "SMS"},
}
_PASSES = {"zh": "符合品牌规则", "en": "Passes the voice's rules"}


def _font_stack(fonts: Sequence[str]) -> str:
    # Names are validated by VisualStyle (no quotes, semicolons or braces).
    return ", ".join(f if f in _GENERIC_FONTS else f"'{f}'" for f in fonts)


def style_css(voice: BrandVoice) -> str:
    """The preview's CSS from the voice's palette and fonts."""
    p = voice.style.palette
    return f"""
body {{ margin: 0; background: {p.background}; color: {p.text};
  font-family: {_font_stack(voice.style.fonts)}; }}
.brand {{ display: flex; gap: 16px; align-items: center; padding: 16px 24px;
  border-bottom: 4px solid {p.accent}; background: #fff; }}
.brand h1 {{ margin: 0; font-size: 20px; color: {p.primary}; }}
.tone {{ margin: 4px 0 0; font-size: 12px; opacity: .75; }}
.logo {{ height: 32px; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
  gap: 16px; padding: 24px; }}
.card {{ background: #fff; border-radius: 10px; padding: 12px 14px;
  box-shadow: 0 1px 3px rgba(0,0,0,.12); border-top: 3px solid {p.primary}; }}
.meta {{ margin: 0 0 8px; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }}
.meta span {{ margin-right: 8px; }}
.channel {{ color: {p.primary}; font-weight: 700; }}
.frame {{ border-radius: 8px; padding: 10px 12px; background: {p.background}; }}
.sms .frame {{ background: #e9e9eb; border-radius: 16px 16px 16px 4px; }}
.push .frame {{ border: 1px solid rgba(0,0,0,.08); }}
.mini_program .frame {{ border-left: 4px solid {p.accent}; }}
.title {{ margin: 0 0 6px; font-weight: 700; color: {p.primary}; }}
.body {{ margin: 0; white-space: pre-wrap; line-height: 1.5; font-size: 14px; }}
.violations {{ margin: 8px 0 0; padding-left: 18px; color: #b00020; font-size: 12px; }}
.passes {{ margin: 8px 0 0; color: #2e7d32; font-size: 12px; }}
"""


def logo_data_uri(voice: BrandVoice) -> str | None:
    """The logo inlined as a data URI (an <img> never runs an SVG's scripts)."""
    path = voice.style.logo_path
    if not path or not Path(path).is_file():
        return None
    kind = "image/svg+xml" if path.lower().endswith(".svg") else "image/png"
    return f"data:{kind};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def preview_html(
    voice: BrandVoice, messages: Sequence[Message], language: Language = "zh", title: str = ""
) -> str:
    """One page with a card per message, in the voice's style; labels in `language`."""
    lang = language if language in CHANNEL_NAMES else "en"
    return _ENV.get_template("preview.html").render(
        lang=lang,
        title=title or f"{voice.brand.get(lang, voice.name)}",
        brand=voice.brand.get(lang) or next(iter(voice.brand.values())),
        tone=voice.tone,
        css=Markup(style_css(voice)),
        logo=logo_data_uri(voice),
        messages=messages,
        channel_names=CHANNEL_NAMES[lang],
        passes=_PASSES[lang],
    )
