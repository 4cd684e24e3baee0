"""One SQL text per definition: DuckDB's dialect, rendered for other engines by sqlglot.

sqlglot does the translation; the few spots where its Spark output differs in meaning from
DuckDB are rewritten here (and covered by the parity tests):
- `isodow` (Monday 1 .. Sunday 7): sqlglot renders `DAYOFWEEK(x) % 7 + 1`, but Spark's
  DAYOFWEEK is Sunday 1 .. Saturday 7, so Monday would be 3;
- `epoch(ts)` keeps the fraction of a second in DuckDB; Spark's UNIX_TIMESTAMP drops it;
- `to_timestamp(seconds)` becomes FROM_UNIXTIME (text, whole seconds): TIMESTAMP_SECONDS;
- COUNT(DISTINCT x) becomes SIZE(COLLECT_SET(x)): the same count (both skip NULL), in one
  aggregation instead of Spark's row copy per distinct argument (about 2x faster here);
- `to_json` of a struct keeps null fields in DuckDB; Spark drops them by default;
- `strlen` counts bytes (Spark: OCTET_LENGTH); `isinf`, `json_valid` and `try_strptime`
  have no Spark twin of that name (abs(x) = inf, TRY_PARSE_JSON, TRY_TO_TIMESTAMP).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from seamline.errors import ConfigError


def _extra() -> str:
    return "pip install 'seamline[spark]'"


def _spark_fixes(node: Any) -> Any:
    from sqlglot import exp

    if isinstance(node, exp.DayOfWeekIso):
        dow = exp.Anonymous(this="DAYOFWEEK", expressions=[node.this.copy()])
        shifted = exp.Mod(this=exp.Paren(this=exp.Add(this=dow, expression=exp.Literal.number(5))),
                          expression=exp.Literal.number(7))  # fmt: skip
        return exp.Paren(this=exp.Add(this=shifted, expression=exp.Literal.number(1)))
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="UNIX_MICROS", expressions=[node.this.copy()])
        return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number("1000000.0")))
    if isinstance(node, exp.UnixToTime) and node.args.get("format") is None:
        return exp.Anonymous(this="TIMESTAMP_SECONDS", expressions=[node.this.copy()])
    if isinstance(node, exp.IsInf):
        inf = exp.Cast(this=exp.Literal.string("inf"), to=exp.DataType.build("double"))
        return exp.Paren(this=exp.EQ(this=exp.Abs(this=node.this.copy()), expression=inf))
    if isinstance(node, exp.Count) and _distinct_one(node):
        # Spark plans COUNT(DISTINCT) by copying every row once per distinct argument
        # (Expand) and aggregating twice; a set per group is one pass, the same count.
        values = exp.Anonymous(this="COLLECT_SET", expressions=[node.this.expressions[0].copy()])
        size = exp.Anonymous(this="SIZE", expressions=[values])
        return exp.Cast(this=size, to=exp.DataType.build("bigint"))
    if isinstance(node, exp.Anonymous):
        return _spark_function(node)
    return node


def _distinct_one(node: Any) -> bool:
    """COUNT(DISTINCT x) of one expression, outside a window (`OVER`) or `FILTER`."""
    from sqlglot import exp

    d = node.this
    return (
        isinstance(d, exp.Distinct)
        and len(d.expressions) == 1
        and not isinstance(node.parent, exp.Window | exp.Filter)
    )


def _spark_function(node: Any) -> Any:
    from sqlglot import exp
    from sqlglot.dialects.spark import Spark
    from sqlglot.time import format_time

    name, args = str(node.this).upper(), [a.copy() for a in node.expressions]
    if name == "TO_JSON" and args and isinstance(args[0], exp.Struct):
        # DuckDB writes null fields ("a":null); Spark leaves them out unless told.
        keep = exp.Anonymous(this="MAP", expressions=[exp.Literal.string("ignoreNullFields"),
                                                      exp.Literal.string("false")])  # fmt: skip
        return exp.Anonymous(this="TO_JSON", expressions=[args[0], keep])
    if name == "STRLEN":
        return exp.Anonymous(this="OCTET_LENGTH", expressions=args)
    if name == "JSON_VALID":
        parsed = exp.Anonymous(this="TRY_PARSE_JSON", expressions=args)
        return exp.Paren(this=exp.Not(this=exp.Is(this=parsed, expression=exp.Null())))
    if name == "TRY_STRPTIME" and len(args) == 2 and args[1].is_string:
        java = format_time(args[1].name, Spark.INVERSE_TIME_MAPPING, Spark.INVERSE_TIME_TRIE)
        return exp.Anonymous(
            this="TRY_TO_TIMESTAMP", expressions=[args[0], exp.Literal.string(java or "")]
        )
    return node


@lru_cache(maxsize=512)
def render(sql: str, dialect: str) -> str:
    """`sql` (DuckDB's dialect) for `dialect` ('duckdb' returns it unchanged)."""
    if dialect == "duckdb":
        return sql
    try:
        import sqlglot
    except ImportError:
        raise ConfigError(f"rendering SQL for {dialect} needs sqlglot: {_extra()}") from None
    trees = sqlglot.parse(sql, read="duckdb")
    out = []
    for tree in trees:
        if tree is None:
            continue
        if dialect == "spark":
            tree = tree.transform(_spark_fixes)
        out.append(tree.sql(dialect=dialect, identify=True))  # non-ASCII column names
    return ";\n".join(out)


def bind(sql: str, params: list[Any]) -> str:
    """`sql` with each `?` replaced by its parameter as a literal (engines without bound
    parameters). Only for the project's own SQL, whose text holds `?` only as placeholders."""
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders for {len(params)} parameters")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:], strict=True):
        out.append(_literal(value) + rest)
    return "".join(out)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
