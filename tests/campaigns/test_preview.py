"""Previews: one self-contained page per voice, in its palette and fonts, with every value
escaped (a hostile item title shows as text and runs nothing)."""

from __future__ import annotations

import re

from seamline.campaigns.content import MessageTemplates
from seamline.campaigns.context import message_context
from seamline.campaigns.preview import preview_html
from seamline.campaigns.voice import load_voice


def test_preview_is_self_contained_and_in_the_brand_style() -> None:
    voice = load_voice("zhixing")
    messages = MessageTemplates(voice).sample_messages()
    html = preview_html(voice, messages, language="en")
    assert html.count('class="card ') == len(messages) == 48
    assert "#1f5f8b" in html and "'Source Han Serif SC'" in html and ", serif;" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html) and "<script" not in html
    assert "default-src 'none'" in html
    assert 'data-ok="false"' not in html and "Passes the voice&#39;s rules" in html


def test_hostile_titles_are_escaped_and_violations_listed() -> None:
    voice = load_voice("linen_loom")
    t = MessageTemplates(voice, channels=["email"], languages=["en"])
    evil = '秒杀{{ 7*7 }}<script>x</script><img src=x onerror="y">'
    m = t.render(message_context("u<9>", [{"title": evil, "price": 9.0}]), "email", "en")
    html = preview_html(voice, [m], language="zh")
    assert "<script>x" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "{{ 7*7 }}" in html and "u&lt;9&gt;" in html
    assert 'data-ok="false"' in html and "<b>banned_word</b> contains &#39;秒杀&#39;" in html
    assert "邮件" in html
