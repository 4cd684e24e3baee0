"""Validation and normalisation rules, written as DuckDB SQL over text columns.

One SELECT turns a source's text fields into typed canonical columns plus, for each row,
the first rule it breaks (`reject_reason`, `reject_column`, `reject_value`). Keeping the
rules in SQL lets 10M-row files validate at DuckDB speed, and the same expressions can
later run as Spark SQL.

Rules (reason codes):
- ``missing_<col>``: a required column is empty (after trimming; NA/null/None/NaN count
  as empty);
- ``bad_timestamp``: not ISO 8601, epoch seconds/ms/us, YYYYMMDD, or the mapping's format;
- ``timestamp_out_of_range``: before 1970 or more than a day in the future;
- ``bad_event_type`` / ``bad_domain``: outside the allowed vocabulary;
- ``bad_<number column>``: not a finite number, or negative where that makes no sense
  (price, quantity, rating, age);
- ``out_of_range``: a finite number outside its column's plausible range
  (`columns.RANGES`, or the mapping's `ranges`);
- ``id_too_long`` / ``bad_id``: an id over `columns.MAX_ID_CHARS` characters, or one
  holding control, zero-width or bidi-override characters, or a JSON object or array.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from seamline.data.columns import (
    ALIASES,
    DOMAINS,
    EXTRA,
    ID_FORBIDDEN_RE,
    MAX_ID_CHARS,
    PACKED,
    TABLES,
    Column,
)
from seamline.data.mapping import TableMapping
from seamline.data.readers import Source, ident
from seamline.errors import DataError
from seamline.pii.patterns import ANY_SQL_PATTERN as PII_ANY
from seamline.pii.patterns import KINDS as PII_KINDS
from seamline.pii.patterns import MASK_UDF as PII_MASK_UDF
from seamline.pii.patterns import column_kind, masked_count_sql, narrow_sql, sql_condition
from seamline.pii.policy import PiiPolicy

NULL_TOKENS = ("NA", "N/A", "n/a", "na", "null", "NULL", "Null", "None", "none", "NaN", "nan")
NON_NEGATIVE = {"price", "quantity", "rating", "age"}
GENDER_WORDS = {"male": "m", "man": "m", "男": "m", "female": "f", "woman": "f", "女": "f"}
TIMESTAMP_FORMS = "expected ISO 8601, epoch s/ms, or YYYY-MM-DD"
WHITESPACE = " \t\r\n"  # a value of only these (or a null token within them) is empty
# A reason shared by several columns carries its column after SEP inside the stage
# (`out_of_range:value`); rejects store the reason alone and the column apart.
SEP = ":"
ID_GATE = "__id_gate"  # true when some id of the row may break an id rule
ID_GATE_RE = ID_FORBIDDEN_RE[:-1] + "{\\[]"  # the forbidden characters, `{` and `[`


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _text(raw: str) -> str:
    """Trimmed text, with empty strings and null tokens as NULL."""
    # DuckDB's plain trim() (spaces) is fast; trimming tabs and line breaks too is several
    # times slower, so only short values, the only ones that can be blank or a null token
    # ("\tNA "), get it. The length test also skips the IN list for nearly every value.
    t = f"trim({raw})"
    return (
        f"CASE WHEN strlen({t}) <= 6 AND trim({t}, {_lit(WHITESPACE)}) IN "
        f"{_in_list(('', *NULL_TOKENS))} THEN NULL ELSE {t} END"
    )


def _category(t: str) -> str:
    # The regex only runs on values that need it: most labels hold no runs of whitespace.
    spaced = " OR ".join(f"contains({t}, {w})" for w in ("'  '", "chr(9)", "chr(10)", "chr(13)"))
    return f"lower(CASE WHEN {spaced} THEN regexp_replace({t}, '\\s+', ' ', 'g') ELSE {t} END)"


def _recode(expr: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return expr
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
    return f"CASE {expr} {whens} ELSE {expr} END"


def timestamp_expr(t: str, fmt: str | None = None) -> str:
    """Parse text `t` as a UTC timestamp; NULL when it is not one."""
    n = f"TRY_CAST({t} AS DOUBLE)"
    # Text forms first (the common case), then the numeric ones.
    auto = (
        f"coalesce(TRY_CAST({t} AS TIMESTAMPTZ), CASE "
        f"WHEN {n} >= 1e8 AND {n} < 1e10 THEN to_timestamp({n}) "
        f"WHEN {n} >= 1e11 AND {n} < 1e13 THEN to_timestamp({n} / 1e3) "
        f"WHEN {n} >= 1e14 AND {n} < 1e16 THEN to_timestamp({n} / 1e6) "
        f"WHEN {n} BETWEEN 19000101 AND 21001231 "
        f"THEN CAST(try_strptime({t}, '%Y%m%d') AS TIMESTAMPTZ) END)"
    )
    if fmt:
        return f"coalesce(CAST(try_strptime({t}, {_lit(fmt)}) AS TIMESTAMPTZ), {auto})"
    return auto


@dataclass
class Plan:
    """How one source maps onto one canonical table."""

    select_sql: str  # typed canonical columns + attrs + reject fields
    extras: list[str]  # source columns kept as attributes
    pii_count_sql: str | None = None  # PII spans hashed or dropped in accepted rows, by kind


def resolve_columns(table: str, source: Source, tm: TableMapping) -> dict[str, str]:
    """Map canonical column -> source column, by mapping, exact name or alias."""
    spec = TABLES[table]
    by_norm = {c.strip().lower(): c for c in source.columns}
    found = ", ".join(c for c in source.columns if c not in ("__malformed", PACKED))
    out: dict[str, str] = {}
    for canon, theirs in tm.columns.items():
        if theirs not in source.columns and theirs.strip().lower() not in by_norm:
            raise DataError(
                f"{source.label}: mapping names column {theirs!r} for {canon}, but the file "
                f"has only: {found}"
            )
        out[canon] = theirs if theirs in source.columns else by_norm[theirs.strip().lower()]
    used = set(out.values())
    for canon in spec:
        if canon in out:
            continue
        if canon in by_norm and by_norm[canon] not in used:
            out[canon] = by_norm[canon]
            used.add(by_norm[canon])
    for alias, canon in ALIASES[table].items():
        if canon not in out and alias in by_norm and by_norm[alias] not in used:
            out[canon] = by_norm[alias]
            used.add(by_norm[alias])
    missing = [
        c.name
        for c in spec.values()
        if c.required
        and c.name not in out
        and not (c.name == "domain" and tm.domain)
        and not (c.name == "timestamp" and not tm.timestamp_required)
    ]
    if missing:
        raise DataError(
            f"{source.label}: missing required column(s) {', '.join(missing)} for {table} "
            f"(found: {found}; map yours with a column mapping)"
        )
    return out


def plan(table: str, source: Source, tm: TableMapping, pii: PiiPolicy | None = None) -> Plan:
    """Build the validating SELECT in layers, so each expression is computed once.

    raw fields -> trimmed text (``__t_*``) -> PII found per scanned column (``__pii_*``,
    only with a `pii` policy) -> typed canonical columns -> the first rule each row breaks
    -> where and what (column, value, raw row) for rejected rows only.
    """
    spec = TABLES[table]
    source_of = resolve_columns(table, source, tm)
    fields = [c for c in source.columns if c != "__malformed"]
    extras = [c for c in fields if c not in source_of.values() and c != PACKED]
    raw = {c: ident("__raw_" + c) for c in source.columns}
    text = {c: ident("__t_" + c) for c in fields}
    typed: list[str] = []
    checks: list[tuple[str, str, str]] = []  # (condition, reason, canonical column)
    if source.fmt == "jsonl":
        checks.append((f"{raw['__malformed']} IS NOT NULL", "malformed_line", ""))
    # Free text only: text-kind canonical columns and the extras (ids, numbers and labels
    # are not scanned, which keeps the cost off large event files).
    text_cols = {
        source_of[c.name] for c in spec.values() if c.kind == "text" and c.name in source_of
    }
    scanned = {
        f: pii.action_for(f)
        for f in fields
        if pii is not None
        and (f in text_cols or f in extras or f == PACKED)
        and pii.action_for(f) != "allow"
    }
    flag = {f: ident(f"__pii_{i}") for i, f in enumerate(scanned)}
    masked = {
        f: f"CASE WHEN {flag[f]} IS NULL THEN {text[f]} ELSE "
        f"{PII_MASK_UDF}({text[f]}, {_lit(a)}, {_lit(column_kind(f) or '')}) END"
        for f, a in scanned.items()
        if a in ("hash", "drop")
    }
    # One regex per row over all its ids gates the per-column id checks: most rows hold
    # plain ids, and five regexes per row cost 15% of validation.
    id_texts = [
        text[source_of[c.name]] for c in spec.values() if c.kind == "id" and c.name in source_of
    ]
    gate_sql = (
        f"regexp_matches(concat({', '.join(id_texts)}), {_lit(ID_GATE_RE)})"
        if id_texts
        else "false"
    )
    for col in spec.values():
        src = source_of.get(col.name)
        expr, conds = _column(table, col, text[src] if src else None, tm)
        if src in masked:
            expr = masked[src]
        typed.append(f"{expr} AS {ident(col.name)}")
        checks.extend(conds)
    attrs = (
        "NULL::JSON"
        if not extras
        else "to_json(struct_pack("
        + ", ".join(f"{ident(e)} := {masked.get(e, text[e])}" for e in extras)
        + "))"
    )
    if PACKED in text:  # keys already packed as one JSON object per record (posted batches)
        packed = f"CAST({masked.get(PACKED, text[PACKED])} AS JSON)"
        attrs = (
            packed
            if not extras
            else f"CASE WHEN {text[PACKED]} IS NULL THEN {attrs} "
            f"ELSE json_merge_patch({attrs}, {packed}) END"
        )
    typed.append(f"{attrs} AS {EXTRA}")
    reason = "CASE " + " ".join(f"WHEN {c} THEN {_lit(r)}" for c, r, _ in checks)
    rejecting = [f for f, a in scanned.items() if a == "reject"]
    reason += "".join(f" WHEN {flag[f]} IS NOT NULL THEN 'pii_' || {flag[f]}" for f in rejecting)
    reason += " END"
    by_reason = {r: col for _, r, col in checks}
    column = (
        "CASE reject_reason "
        + " ".join(
            f"WHEN {_lit(r)} THEN {_lit(source_of.get(col, col))}" for r, col in by_reason.items()
        )
        + " END"
    )
    value = (
        "CASE reject_reason "
        + " ".join(
            f"WHEN {_lit(r)} THEN {raw[source_of[col]]}"
            for r, col in by_reason.items()
            if col in source_of
        )
        + " END"
    )
    if rejecting:  # the PII itself never reaches `rejects`: name the column, redact the value
        which = " ".join(f"WHEN {flag[f]} IS NOT NULL THEN {_lit(f)}" for f in rejecting)
        column = f"CASE WHEN reject_reason LIKE 'pii_%' THEN CASE {which} END ELSE {column} END"
        value = f"CASE WHEN reject_reason LIKE 'pii_%' THEN '[redacted]' ELSE {value} END"
    kept = {
        f: f"CASE WHEN {flag[f]} IS NULL THEN {raw[f]} ELSE '[redacted ' || {flag[f]} || ']' END"
        for f in scanned
    }
    raw_struct = ", ".join(f"{ident(c)} := {kept.get(c, raw[c])}" for c in fields)
    if source.fmt == "jsonl":
        raw_struct += f", line := {raw['__malformed']}"
    renamed = ", ".join(f"{ident(c)} AS {raw[c]}" for c in source.columns)
    trimmed = ", ".join(f"{_text(raw[c])} AS {text[c]}" for c in fields)
    flags = ", ".join(f"{_pii_flag(text[f], column_kind(f))} AS {flag[f]}" for f in scanned)
    helpers = ", ".join([*raw.values(), *text.values(), *flag.values()])
    select_sql = (
        f"SELECT * EXCLUDE ({', '.join(raw.values())}), "
        f"CASE WHEN reject_reason IS NOT NULL THEN {column} END AS reject_column, "
        f"CASE WHEN reject_reason IS NOT NULL THEN {value} END AS reject_value, "
        f"CASE WHEN reject_reason IS NOT NULL THEN to_json(struct_pack({raw_struct})) END "
        "AS reject_raw FROM ("
        f"SELECT * EXCLUDE ({', '.join([*text.values(), ID_GATE])}), {reason} AS reject_reason "
        f"FROM (SELECT {', '.join(typed)}, {helpers}, {gate_sql} AS {ID_GATE} FROM ("
        + (f"SELECT *, {flags} FROM (" if flags else "")
        + f"SELECT *, {trimmed} FROM ("
        f"SELECT {renamed} FROM ({source.sql}) AS src) AS renamed) AS trimmed"
        + (") AS flagged" if flags else "")
        + ") AS typed) AS checked"
    )
    canonical = {src: name for name, src in source_of.items()}
    stored = {  # where each masked column's value sits in `stage`
        f: ident(canonical[f])
        if f in canonical
        else f"json_extract_string({EXTRA}, {_lit('$.' + json.dumps(f))})"
        for f in masked
    }
    counted = [(flag[f], column_kind(f), stored[f]) for f in masked]
    count_sql = masked_count_sql("stage", counted) if counted else None
    return Plan(select_sql=select_sql, extras=extras, pii_count_sql=count_sql)


def _pii_flag(text: str, whole: str | None) -> str:
    """SQL: the first PII kind found in `text` (NULL when none); a column that is PII by
    its name (``email``, ``phone`` ...) is flagged whenever it holds a value."""
    if whole:
        return f"CASE WHEN {text} IS NOT NULL THEN {_lit(whole)} END"
    t = narrow_sql(text)  # full-width forms count as ASCII, for values past the gate only
    whens = " ".join(f"WHEN {sql_condition(k, t)} THEN {_lit(k)}" for k in PII_KINDS)
    return f"CASE WHEN regexp_matches({text}, {_lit(PII_ANY)}) THEN CASE {whens} END END"


def _column(
    table: str, col: Column, text: str | None, tm: TableMapping
) -> tuple[str, list[tuple[str, str, str]]]:
    """Typed expression for one canonical column (from its trimmed text) and its checks."""
    name = col.name
    q = ident(name)
    constant = tm.domain if name == "domain" else None
    if text is None:
        return (_lit(constant) if constant else f"NULL::{col.sql_type}"), []
    t = text if not constant else f"coalesce({text}, {_lit(constant)})"
    conds: list[tuple[str, str, str]] = []
    required = col.required and not (col.kind == "timestamp" and not tm.timestamp_required)
    if required:
        conds.append((f"{t} IS NULL", f"missing_{name}", name))
    if col.kind == "timestamp":
        expr = timestamp_expr(t, tm.timestamp_format)
        conds.append((f"{q} IS NULL AND {t} IS NOT NULL", f"bad_{name}", name))
        conds.append(
            (
                f"({q} < TIMESTAMPTZ '1970-01-01' OR {q} > now() + INTERVAL 1 DAY)",
                f"{name}_out_of_range",
                name,
            )
        )
        return expr, conds
    if col.kind == "number":
        expr = f"TRY_CAST({t} AS DOUBLE)"
        bad = f"({q} IS NULL AND {t} IS NOT NULL) OR isinf({q}) OR isnan({q})"
        if name in NON_NEGATIVE:
            bad += f" OR {q} < 0"
        conds.append((bad, f"bad_{name}", name))
        bounds = tm.range_of(table, name)
        if bounds is not None:
            lo, hi = bounds
            conds.append((f"({q} < {lo!r} OR {q} > {hi!r})", f"out_of_range{SEP}{name}", name))
        return expr, conds
    if col.kind == "id":
        conds.append((f"strlen({t}) > {MAX_ID_CHARS}", f"id_too_long{SEP}{name}", name))
        # JSON objects/arrays and invisible or control characters: ids that display
        # alike but differ, or that smuggle structure into joins and exports.
        conds.append(
            (
                f"{ID_GATE} AND (regexp_matches({t}, {_lit(ID_FORBIDDEN_RE)}) OR "
                f"((starts_with({t}, '{{') OR starts_with({t}, '[')) AND json_valid({t})))",
                f"bad_id{SEP}{name}",
                name,
            )
        )
        return t, conds
    if col.kind == "category":
        expr = _category(t)
        if name == "event_type":
            expr = _recode(expr, tm.event_type_map())
            conds.append((f"{q} NOT IN {_in_list(tm.allowed_event_types)}", "bad_event_type", name))
        elif name == "domain":
            expr = _recode(expr, tm.domains)
            conds.append((f"{q} NOT IN {_in_list(DOMAINS)}", "bad_domain", name))
        elif name == "gender":
            expr = _recode(expr, GENDER_WORDS)
        return expr, conds
    return t, conds
