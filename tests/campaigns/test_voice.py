"""Brand voices: the shipped ones load by name, a spec may extend one, and every bad field is
named in one ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest

from seamline.campaigns.voice import BrandVoice, builtin_voices, load_voice
from seamline.errors import ConfigError


def test_shipped_voices_cover_both_domains_and_languages() -> None:
    assert set(builtin_voices()) >= {"zhixing", "linen_loom"}
    voices = [load_voice(name) for name in builtin_voices()]
    assert {v.domain for v in voices} == {"knowledge", "fashion"}
    for v in voices:
        assert v.languages == ("zh", "en")
        assert v.style.logo_path is not None and Path(v.style.logo_path).exists()


def test_disclosures_depend_on_channel_language_and_offer() -> None:
    v = load_voice("zhixing")
    assert v.disclosures("sms", "zh", "coupon") == [
        "广告",
        "回T退订",
        "优惠券使用规则以活动页面为准",
    ]
    assert v.disclosures("email", "en", "content") == ["Unsubscribe"]
    assert v.disclosures("push", "en", None) == ["Ad"]


def test_extends_overrides_one_level_deep() -> None:
    v = BrandVoice.model_validate({"extends": "zhixing", "max_length": {"sms": 90}})
    assert v.limit("sms", "en") == v.limit("sms", "zh") == 90
    assert v.limit("push", "en") == load_voice("zhixing").limit("push", "en")
    v = v.replace(max_length={"sms": {"zh": 70}})
    assert (v.limit("sms", "zh"), v.limit("sms", "en")) == (70, 140)


def test_shorthand_disclosures_per_language() -> None:
    v = BrandVoice.model_validate(
        {"extends": "linen_loom", "required_disclosures": {"zh": ["广告"], "en": ["Ad"]}}
    )
    assert v.disclosures("email", "zh", None) == ["广告"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"style": {"palette": {"primary": "red", "accent": "#000000"}}}, "style.palette.primary"),
        (
            {"style": {"palette": {"primary": "#000000", "accent": "#000000"}, "fonts": ["a;}"]}},
            "style.fonts",
        ),
        (  # a quote would end the CSS string the preview puts the name in
            {"style": {"palette": {"primary": "#000000", "accent": "#000000"}, "fonts": ["a'b"]}},
            "style.fonts",
        ),
        ({"max_length": {"fax": 10}}, "max_length.fax"),
        ({"max_length": {"sms": {"zh": -1}}}, "max_length: lengths are >= 0 characters"),
        ({"name": "Bad Name"}, "name"),
        ({"required_disclosures": [{"text": {"zh": "广告"}}]}, "required_disclosures.0.text"),
        ({"banned_words": [" "]}, "banned_words"),
    ],
)
def test_bad_fields_are_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        BrandVoice.model_validate({"extends": "zhixing", **change})


def test_unknown_voice_lists_the_shipped_ones() -> None:
    with pytest.raises(ConfigError, match="no shipped voice 'nope'; shipped: linen_loom, zhixing"):
        load_voice("nope")


def test_voice_file_paths_are_read_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    f = tmp_path / "v.yaml"
    f.write_text(
        "extends: linen_loom\nname: my_brand\n"
        "style: {palette: {primary: '#101010', accent: '#202020'}, logo_path: logo.png}\n",
        encoding="utf-8",
    )
    v = load_voice(f)
    assert v.name == "my_brand" and v.style.logo_path == str((tmp_path / "logo.png").resolve())
    f.write_text("name: [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"v\.yaml: line 1"):
        load_voice(f)
    f.write_text("extends: zhixing\ntone: ''\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"v\.yaml: invalid brand voice: tone"):
        load_voice(f)
