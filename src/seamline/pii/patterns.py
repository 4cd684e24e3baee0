"""PII detection in free text: e-mail, phone (incl. Chinese mobile), Chinese resident ID
numbers (with their ISO 7064 checksum) and person names.

Each kind has an RE2 pattern (run by DuckDB at ingest, so only matching values ever reach
Python) and a Python pattern used to find and mask the exact spans. Digit runs count only
when no letter or digit touches them (a hex digest is not a phone number); boundaries are
written as `(^|[^0-9A-Za-z])` groups because RE2 has no look-around.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seamline.errors import ConfigError

if TYPE_CHECKING:
    from seamline.pii.keyring import KeyRing

KINDS: tuple[str, ...] = ("email", "phone", "id_number", "name")

# Chinese resident ID: 6-digit area, birth date 18xx-20xx, 3-digit sequence, check character.
_ID_BODY = (
    "[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
# A name word in Latin script: capitalised parts (with diacritics; "McDonald" is two),
# an elided prefix ("O'", "D’") and hyphenated parts; Latin-1 and Latin Extended letters
# sit in both classes since their cases alternate. Lowercase particles ("van der") may sit
# between words. Written with plain ranges so Python `re` and RE2 read it alike.
_UP = "A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ"
_LOW = "a-zß-öø-ÿĀ-ɏḀ-ỿ"
_PART = f"(?:[{_UP}]['’])?(?:[{_UP}][{_LOW}]+)+"
_WORD = f"{_PART}(?:-{_PART}){{0,2}}"
_PARTICLES = "van|von|de|der|den|da|di|du|le|la|del|della|dos|bin|al"
_LATIN_NAME = f"(?:(?:{_PARTICLES}) ){{0,2}}{_WORD}(?: (?:(?:{_PARTICLES}) ){{0,2}}{_WORD}){{0,2}}"
_NAME = (  # a title takes the whole name after it ("Mr. John Smith"), not its first word
    f"(?:Mr|Mrs|Ms|Miss|Dr|Prof)\\.? {_LATIN_NAME}"
    f"|(?:[Mm]y name is|[Nn]ame ?[:：]) ?{_WORD}(?: (?:(?:{_PARTICLES}) ){{0,2}}{_WORD})?"
    "|(?:姓名|联系人|收件人|我叫) ?[:：]? ?[一-龥]{2,4}"
)
# 女士 ("women's") before a garment word is a product's gender, not a title: without this,
# "羊毛女士衬衫" (wool blouse) reads as the name 毛女士. RE2 has no look-ahead, so the SQL
# form takes the next character into the match; only its truth is used there.
_GARMENT_HEADS = (
    "衬外连裙裤鞋靴包帽大毛针卫西风羽棉套内睡泳运休夹短长上背手腰"
    "皮袜款装服衫香钱围丝打马半吊凉高跑托斜双真T"
)
_CN_TITLED = f"[{_SURNAMES}][一-龥]{{0,2}}"  # a surname and up to two given-name characters
_NAME_PY = f"{_NAME}|{_CN_TITLED}(?:先生|小姐|女士(?![{_GARMENT_HEADS}]))"
_NAME_SQL = f"{_NAME}|{_CN_TITLED}(?:先生|小姐|女士(?:$|[^{_GARMENT_HEADS}]))"
_PHONE = (
    "(?:\\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}"  # Chinese mobile
    "|0[1-9][0-9]{1,2}-[0-9]{7,8}"  # Chinese landline with area code
    "|\\+[1-9][0-9]{0,2}[ -][0-9]{1,4}(?:[ -][0-9]{2,5}){2,4}"  # international with separators
    "|\\([0-9]{3}\\) ?[0-9]{3}-[0-9]{4}|[0-9]{3}-[0-9]{3}-[0-9]{4}"  # North American
)
_EMAIL = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"

# RE2 (DuckDB) candidates; digits-only kinds need a non-digit (or the edge) on each side.
SQL_PATTERNS: dict[str, str] = {
    "email": _EMAIL,
    "phone": f"(^|[^0-9A-Za-z])({_PHONE})($|[^0-9A-Za-z])",
    "id_number": f"(^|[^0-9A-Za-z])({_ID_BODY})($|[^0-9A-Za-z])",
    "name": _NAME_SQL,
}
# One pass that every kind's candidates match: most values hold no PII and stop here. A
# full-width digit or at sign also passes, to be narrowed (`narrow_sql`) and matched again.
ANY_SQL_PATTERN = "|".join(f"(?:{p})" for p in SQL_PATTERNS.values()) + "|[０-９＠]"
PY_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(_EMAIL),
    "phone": re.compile(f"(?<![0-9A-Za-z])(?:{_PHONE})(?![0-9A-Za-z])"),
    "id_number": re.compile(f"(?<![0-9A-Za-z])(?:{_ID_BODY})(?![0-9A-Za-z])"),
    "name": re.compile(_NAME_PY),
}

# Structured columns whose whole value is PII of a kind, by (normalised) column name.
PII_COLUMNS: dict[str, str] = {
    **dict.fromkeys(("email", "e_mail", "mail", "email_address", "邮箱"), "email"),
    **dict.fromkeys(
        ("phone", "mobile", "tel", "telephone", "phone_number", "手机", "电话"), "phone"
    ),
    **dict.fromkeys(
        ("id_card", "id_number", "idcard", "national_id", "身份证", "身份证号"), "id_number"
    ),
    **dict.fromkeys(("name", "full_name", "real_name", "first_name", "last_name", "姓名"), "name"),
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    """ISO 7064 MOD 11-2 check of an 18-character Chinese resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def id_checksum_sql(candidate: str) -> str:
    """SQL: the checksum of the 18-character text `candidate` holds."""
    terms = " + ".join(
        f"TRY_CAST(substr({candidate}, {i + 1}, 1) AS INTEGER) * {w}"
        for i, w in enumerate(_ID_WEIGHTS)
    )
    check = f"substr('{_ID_CHECK}', (({terms}) % 11)::INTEGER + 1, 1)"
    return f"{check} = upper(substr({candidate}, 18, 1))"


# Full-width forms (U+FF01-FF5E, the ideographic space) are read as their ASCII twins, one
# character for one, so "１３８…" and "li＠example.com" match and spans keep their places.
_WIDE = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_NARROW = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
_TO_NARROW = str.maketrans(_WIDE, _NARROW)


def narrow(text: str) -> str:
    """`text` with full-width ASCII forms replaced by ASCII (same length)."""
    return text.translate(_TO_NARROW)


def narrow_sql(text: str) -> str:
    """SQL: `narrow` of the text expression `text` (a column: it appears three times).

    DuckDB's translate() costs ~15 us a value, so only values holding a full-width digit,
    letter or at sign pay it (full-width punctuation alone is common in Chinese text and
    cannot make PII), and ingest calls this only for values that passed `ANY_SQL_PATTERN`.
    """
    wide, ascii_ = (s.replace("'", "''") for s in (_WIDE, _NARROW))
    return (
        f"CASE WHEN regexp_matches({text}, '[０-９Ａ-Ｚａ-ｚ＠]') "
        f"THEN translate({text}, '{wide}', '{ascii_}') ELSE {text} END"
    )


def column_kind(column: str) -> str | None:
    """The PII kind a structured column holds by its name (`email`, `phone`, ...), if any."""
    return PII_COLUMNS.get(column.strip().lower().replace(" ", "_").replace("-", "_"))


def sql_condition(kind: str, text: str) -> str:
    """SQL: text expression `text` contains PII of `kind` (NULL-safe: false for NULL);
    `text` should be narrowed (`narrow_sql`) first."""
    pattern = "'" + SQL_PATTERNS[kind].replace("'", "''") + "'"  # names hold apostrophes
    match = f"regexp_matches({text}, {pattern})"
    if kind == "id_number":
        cand = f"regexp_extract({text}, {pattern}, 2)"
        match = f"({match} AND {id_checksum_sql(cand)})"
    return f"coalesce({match}, false)"


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def find(text: str) -> list[Finding]:
    """Every PII span in `text`, left to right (ID numbers only with a valid checksum)."""
    found = []
    text = narrow(text)
    for kind, pat in PY_PATTERNS.items():
        for m in pat.finditer(text):
            if kind == "id_number" and not id_checksum_ok(m.group(0)):
                continue
            found.append(Finding(kind, m.start(), m.end()))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[Finding] = []
    for f in found:  # overlapping spans (a phone inside an ID) count once, the first wins
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def kinds_in(text: str) -> set[str]:
    return {f.kind for f in find(text)}


def mask(text: str, replace: Callable[[str, str], str]) -> str:
    """`text` with each PII span replaced by ``replace(kind, span)``."""
    parts, last = [], 0
    for f in find(text):
        parts += [text[last : f.start], replace(f.kind, text[f.start : f.end])]
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


MASK_UDF = "seamline_pii_mask"
# What `masker` puts in place of a span: `[email:0123456789abcdef]` or `[email removed]`.
TOKEN_SQL = "\\[(" + "|".join(KINDS) + ")(?::[0-9a-f]{16}| removed)\\]"


def masked_count_sql(table: str, columns: list[tuple[str, str | None, str]]) -> str:
    """SQL: (kind, spans) masked in the accepted rows of `table`, counting every span.

    `columns` holds, per masked column, its PII flag column, the kind the whole value is
    (a PII column such as `email`; None for free text) and the expression of its masked
    value, whose tokens are counted."""
    parts = []
    for flag, whole, value in columns:
        rows = f"FROM {table} WHERE reject_reason IS NULL AND {flag} IS NOT NULL"
        if whole:
            parts.append(f"SELECT '{whole}' AS k, count(*) AS n {rows}")
        else:
            parts.append(
                f"SELECT k, count(*) AS n FROM (SELECT unnest(regexp_extract_all({value}, "
                f"'{TOKEN_SQL}', 1)) AS k {rows}) GROUP BY k"
            )
    union = " UNION ALL ".join(parts)
    return f"SELECT k, sum(n)::BIGINT FROM ({union}) GROUP BY k HAVING sum(n) > 0 ORDER BY k"


def masker(keyring: KeyRing | None) -> Callable[[str, str, str], str | None]:
    """``(text, action, whole_kind) -> masked text``: `hash` puts a keyed token in place of
    each PII span (or of the whole value of a PII column), `drop` cuts it out."""

    def token(kind: str, span: str, action: str) -> str:
        if action == "drop":
            return f"[{kind} removed]"
        if keyring is None:  # policy.resolve loads a key whenever a column is hashed
            raise ConfigError("PII policy `hash` needs the id key (SEAMLINE_ID_KEY)")
        return f"[{kind}:{keyring.derive('pii', span)[:16]}]"

    def run(text: str, action: str, whole: str) -> str | None:
        if whole:
            if action == "drop":
                return None
            return token(whole, text, action)
        return mask(text, lambda kind, span: token(kind, span, action))

    return run


def nullable_masker(keyring: KeyRing | None) -> Callable[[str | None, str, str], str | None]:
    """`masker` that passes NULL through: the function registered as `MASK_UDF`."""
    run = masker(keyring)

    def nullable(text: str | None, action: str, whole: str) -> str | None:
        return None if text is None else run(text, action, whole)

    return nullable
