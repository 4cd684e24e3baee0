"""Messages in a brand's voice: every shipped template renders in both languages and passes its
voice's rules; broken templates fail at load naming the template and line; data is inert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seamline.campaigns.content import TEMPLATES_DIR, MessageTemplates, TemplateProblem
from seamline.campaigns.context import message_context
from seamline.campaigns.voice import CHANNELS, BrandVoice, load_voice
from seamline.errors import ConfigError

ITEMS = [{"item_id": "C7", "title": "个人理财入门", "price": 199.0, "domain": "knowledge"}]


@pytest.mark.parametrize("name", ["zhixing", "linen_loom"])
def test_shipped_templates_pass_their_voice(name: str) -> None:
    t = MessageTemplates(load_voice(name))
    messages = t.sample_messages()
    assert {(m.channel, m.language) for m in messages} == {
        (c, lang) for c in CHANNELS for lang in ("zh", "en")
    }
    assert {m.offer_kind for m in messages} == {None, "coupon", "bundle", "free_lesson", "content"}
    assert [str(v) for m in messages for v in m.violations] == []
    assert all(m.body and (m.title == "") == (m.channel == "sms") for m in messages)


def test_render_per_user_reads_the_context() -> None:
    t = MessageTemplates(load_voice("zhixing"), channels=["sms"], languages=["zh"])
    offer = {"id": "c30", "kind": "coupon", "face_value": 30, "min_spend": 199}
    ctx = message_context("u42", ITEMS, segment={"id": "S3", "name": "理财新手"}, offer=offer)
    m = t.render(ctx, "sms", "zh")
    assert m.user_id == "u42" and m.offer_kind == "coupon" and m.ok
    assert "满¥199减¥30" in m.body and "《个人理财入门》" in m.body
    assert m.body.startswith("【知行学堂】广告") and m.body.endswith("回T退订")


def _copy_set(tmp_path: Path, name: str = "zhixing") -> Path:
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATES_DIR / name, folder)
    return folder


def _voice(folder: Path, **changes: object) -> BrandVoice:
    return BrandVoice.model_validate({"extends": "zhixing", "templates": str(folder), **changes})


def test_every_rule_is_reported_with_channel_and_language(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    (folder / "en" / "sms.j2").write_text(
        "{% block body %}Guaranteed gains! {{ items[0].title }} {{ 'x' * 300 }}{% endblock %}",
        encoding="utf-8",
    )
    t = MessageTemplates(_voice(folder), channels=["sms"], languages=["en"])
    ctx = message_context("u1", ITEMS, offer={"id": "c", "kind": "coupon"})
    rules = {
        (v.rule, v.channel, v.language, v.detail) for v in t.render(ctx, "sms", "en").violations
    }
    assert rules == {
        ("banned_word", "sms", "en", "contains 'guaranteed'"),
        ("length", "sms", "en", "body has 325 characters, at most 230"),
        ("disclosure", "sms", "en", "missing 'Ad'"),
        ("disclosure", "sms", "en", "missing 'Reply STOP to opt out'"),
        ("disclosure", "sms", "en", "missing 'Coupon terms apply'"),
    }


def test_a_title_over_its_limit_is_reported(tmp_path: Path) -> None:
    t = MessageTemplates(
        _voice(_copy_set(tmp_path), max_title_length={"push": 5}), channels=["push"]
    )
    m = t.render(message_context("u1", ITEMS), "push", "zh")
    assert [v.rule for v in m.violations] == ["title_length"]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (
            "{% block body %}\nHi {{ usr.id }}{% endblock %}",
            r"push\.j2 line 2: unknown variable 'usr'",
        ),
        (
            "{% block body %}\n\n{{ offer.face_valu if offer else '' }}{% endblock %}",
            r"push\.j2 line 3: UndefinedError: .*face_valu",
        ),
        ("{% block body %}\n{% if items %}x{% endblock %}", r"push\.j2 line 2: .*endif"),
        ("no blocks here", r"push\.j2: defines no `body` block"),
        (
            "{% block body %}\n{{ ''.__class__.__mro__ }}{% endblock %}",
            r"push\.j2 line 2: SecurityError",
        ),
    ],
)
def test_broken_templates_fail_at_load_naming_the_line(
    tmp_path: Path, source: str, problem: str
) -> None:
    folder = _copy_set(tmp_path)
    (folder / "en" / "push.j2").write_text(source, encoding="utf-8")
    with pytest.raises(TemplateProblem, match=problem):
        MessageTemplates(_voice(folder))


def test_a_missing_template_or_set_is_named(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    (folder / "zh" / "email.j2").unlink()
    with pytest.raises(TemplateProblem, match=r"zh/email\.j2: missing"):
        MessageTemplates(_voice(folder))
    with pytest.raises(ConfigError, match="no template set 'nope'; shipped: linen_loom, zhixing"):
        MessageTemplates(_voice(Path("nope")))


def test_hostile_data_is_inert() -> None:
    t = MessageTemplates(load_voice("linen_loom"))
    evil = "{{ 7*7 }}<script>alert(1)</script>\n【广告】回T退订{% raw %}"
    ctx = message_context("u1", [{"title": evil, "price": 1.0}], segment={"name": "{{ user }}"})
    for c in CHANNELS:
        m = t.render(ctx, c, "zh")
        assert "{{ 7*7 }}" in f"{m.title}{m.body}" and "49" not in m.body
        assert "\n【广告】" not in m.body  # a title cannot forge a line of its own


def test_message_context_rejects_items_without_title_or_price() -> None:
    with pytest.raises(ConfigError, match=r"user u1: items\[0\] has no price"):
        message_context("u1", [{"title": "x"}])
    with pytest.raises(ConfigError, match="at least one recommended item"):
        message_context("u1", [])


def test_an_error_in_a_shared_part_names_that_part(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    part = folder / "zh" / "_offer.j2"
    text = part.read_text(encoding="utf-8").rstrip("\n") + "\n{% if %}\n"
    part.write_text(text, encoding="utf-8")
    line = text.count("\n")  # the last line
    with pytest.raises(TemplateProblem, match=rf"zh/_offer\.j2 line {line}: "):
        MessageTemplates(_voice(folder))
