"""Exports meant for a partner: k-anonymous, PII-free, audited.

- ``segments``: people per (segment, age, gender, city) after generalisation; every row
  counts at least k users (the segment is part of each class, never generalised);
- ``audience``: one row per user of the chosen segments with a partner-specific keyed id
  (not joinable with the workspace's ids nor across partners) and generalised age, gender,
  city; every (segment, age, gender, city) class holds at least k rows;
- ``kpis``: per-segment users, buyers, conversion, revenue, ARPU; segments with fewer than
  k users are suppressed.

Each export writes ``FILE`` and ``FILE.privacy.json`` (the k claimed, the smallest class,
generalisation levels, rows suppressed) and adds an entry to `privacy_audit`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from seamline.errors import ConfigError, DataError
from seamline.pii import patterns as pii
from seamline.pii.keyring import KeyRing
from seamline.privacy.forget import record_audit
from seamline.privacy.kanon import anonymise, satisfies_k
from seamline.segments import repo as segments_repo

if TYPE_CHECKING:
    import duckdb

    from seamline.data.store import WorkspaceHandle as Workspace

log = logging.getLogger(__name__)

What = Literal["segments", "audience", "kpis"]
WHATS: tuple[str, ...] = ("segments", "audience", "kpis")
QUASI_IDENTIFIERS: tuple[str, ...] = ("age", "gender", "city")


@dataclass
class ExportSummary:
    what: str
    path: str
    rows: int
    k: int
    min_class_size: int
    satisfies_k: bool
    suppressed_users: int
    levels: dict[str, int] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_segments(con: duckdb.DuckDBPyConnection, segments: list[int]) -> None:
    """An unknown --segment is an error, not an empty file."""
    known = [
        int(r[0])
        for r in con.execute(
            f"SELECT DISTINCT segment FROM ({_assignment(con)}) ORDER BY 1"
        ).fetchall()
    ]
    unknown = sorted({int(x) for x in segments} - set(known))
    if unknown:
        raise ConfigError(
            f"export: no segment {', '.join(map(str, unknown))} in the latest segmentation; "
            f"allowed: {', '.join(map(str, known))}"
        )


def _assignment(con: duckdb.DuckDBPyConnection) -> str:
    """The latest segmentation (user_id, segment, name_en), through the segments stage."""
    query = segments_repo.assignment_sql(con)
    if query is None:
        raise DataError("no segments in this workspace: run `seamline segment` first")
    return query


def _people(con: duckdb.DuckDBPyConnection, segments: list[int] | None) -> pd.DataFrame:
    assignment = _assignment(con)
    where = ""
    if segments:
        where = " WHERE s.segment IN (" + ", ".join(str(int(x)) for x in segments) + ")"
    # An age band stands in for a missing exact age (both are the same quasi-identifier).
    return con.execute(
        "SELECT s.user_id, s.segment, coalesce(s.name_en, CAST(s.segment AS VARCHAR)) AS name, "
        f"u.age, u.age_band, u.gender, u.city FROM ({assignment}) s "
        f"LEFT JOIN users u USING (user_id){where}"
    ).df()


def age_source(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `age` to generalise: the exact age, else the age band."""
    if frame["age"].notna().any():
        return frame
    # Only bands known: generalise the band as a plain label.
    frame = frame.copy()
    frame["age"] = frame["age_band"]
    return frame


def _guard_pii(frame: pd.DataFrame, what: str) -> None:
    for col in frame.columns:
        if not (frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])):
            continue
        for v in frame[col].dropna().astype(str).unique():
            kinds = pii.kinds_in(v)
            if kinds:
                raise DataError(
                    f"export {what}: column {col!r} holds {', '.join(sorted(kinds))}; "
                    "nothing with PII leaves the workspace"
                )


def export(
    ws: Workspace,
    what: What,
    out: str | Path,
    *,
    k: int = 10,
    segments: list[int] | None = None,
    partner: str = "partner",
    keyring: KeyRing | None = None,
    max_suppression: float = 0.05,
) -> ExportSummary:
    """Write a k-anonymous export of `what` to `out` (CSV); see the module doc."""
    if what not in WHATS:
        raise ConfigError(f"export: {what!r} is not one of {', '.join(WHATS)}")
    if k < 2:
        raise ConfigError(f"export needs --k-anonymity >= 2, got {k}")
    if not 0 <= max_suppression < 1:
        raise ConfigError(f"export: --max-suppression must be in [0, 1), got {max_suppression}")
    path = Path(out)
    with ws.connect() as con:
        if segments:
            _check_segments(con, segments)
        if what == "kpis":
            frame, check_cols, count_col, levels, suppressed = _kpis(con, k)
            population = int(frame["users"].sum()) + suppressed
        else:
            people = age_source(_people(con, segments))
            population = len(people)
            result = anonymise(
                people,
                QUASI_IDENTIFIERS,
                k,
                fixed=("segment",),
                max_suppression=max_suppression,
            )
            levels, suppressed = result.levels, result.suppressed
            check_cols = ["segment", *QUASI_IDENTIFIERS]
            g = result.frame
            if what == "segments":
                frame = (
                    g.groupby(["segment", "name", *QUASI_IDENTIFIERS], dropna=False)
                    .size()
                    .reset_index(name="users")
                    .sort_values(["segment", "users"], ascending=[True, False])
                )
                count_col = "users"
            else:
                ring = keyring or KeyRing.load()
                frame = pd.DataFrame(
                    {
                        "partner_id": [ring.derive(f"partner:{partner}", u) for u in g["user_id"]],
                        "segment": g["segment"],
                        "name": g["name"],
                        **{q: g[q] for q in QUASI_IDENTIFIERS},
                    }
                ).sort_values(["segment", "partner_id"])
                count_col = None
        summary = finish_export(
            con, what, path, frame, check_cols, count_col, k=k, levels=levels,
            suppressed=suppressed, population=population, max_suppression=max_suppression,
        )  # fmt: skip
    log.info("exported %s: %d rows, k=%d, %d users suppressed", what, len(frame), k, suppressed)
    return summary


def finish_export(
    con: duckdb.DuckDBPyConnection,
    what: str,
    path: Path,
    frame: pd.DataFrame,
    check_cols: list[str],
    count_col: str | None,
    *,
    k: int,
    levels: dict[str, int],
    suppressed: int,
    population: int,
    max_suppression: float,
) -> ExportSummary:
    """The gate every partner export passes: the suppression cap, k over `check_cols`
    (rows, or the sum of `count_col`), no PII in any text column; then the CSV, its
    `.privacy.json` and an audit entry."""
    _check_suppression(what, k, suppressed, population, max_suppression, len(frame))
    ok = satisfies_k(frame, check_cols, k, count=count_col)
    if not ok:  # anonymise() guarantees it; refuse rather than write a broken promise
        raise DataError(f"export {what}: the result does not satisfy k={k}")
    _guard_pii(frame, what)
    if count_col:
        sizes = frame.groupby(check_cols, dropna=False)[count_col].sum()
    else:
        sizes = frame.groupby(check_cols, dropna=False).size()
    min_class = int(sizes.min()) if len(sizes) else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    summary = ExportSummary(
        what=what,
        path=str(path),
        rows=len(frame),
        k=k,
        min_class_size=min_class,
        satisfies_k=ok,
        suppressed_users=suppressed,
        levels=levels,
        columns=list(frame.columns),
    )
    Path(str(path) + ".privacy.json").write_text(
        json.dumps(summary.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    record_audit(con, "export", what, summary.to_dict())
    return summary


def _check_suppression(
    what: str, k: int, suppressed: int, population: int, cap: float, rows: int
) -> None:
    """Refuse an export that meets k only by dropping more than the cap (or everyone)."""
    if population == 0:
        raise DataError(f"export {what}: no users to export")
    if suppressed > int(cap * population) or rows == 0:
        raise DataError(
            f"export {what}: k={k} cannot be met within the {cap:.0%} suppression cap "
            f"({suppressed} of {population} users would be suppressed); lower "
            "--k-anonymity or raise --max-suppression"
        )


def _kpis(
    con: duckdb.DuckDBPyConnection, k: int
) -> tuple[pd.DataFrame, list[str], str, dict[str, int], int]:
    frame = con.execute(
        f"WITH s AS ({_assignment(con)}), "
        "e AS (SELECT user_id, count(*) FILTER (WHERE event_type = 'purchase') AS buys, "
        "  coalesce(sum(value) FILTER (WHERE event_type = 'purchase'), 0) AS revenue "
        "  FROM events GROUP BY user_id) "
        "SELECT s.segment, coalesce(any_value(s.name_en), CAST(s.segment AS VARCHAR)) AS name, "
        "count(*) AS users, count(*) FILTER (WHERE e.buys > 0) AS buyers, "
        "round(coalesce(sum(e.revenue), 0), 2) AS revenue "
        "FROM s LEFT JOIN e USING (user_id) "
        "GROUP BY s.segment ORDER BY s.segment"
    ).df()
    small = frame["users"] < k
    suppressed = int(frame.loc[small, "users"].sum())
    frame = frame[~small].reset_index(drop=True)
    frame["conversion"] = (frame["buyers"] / frame["users"]).round(4)
    frame["arpu"] = (frame["revenue"] / frame["users"]).round(2)
    return frame, ["segment"], "users", {}, suppressed


def export_people(
    ws: Workspace,
    people: pd.DataFrame,
    out: str | Path,
    *,
    what: str,
    fixed: tuple[str, ...],
    k: int = 10,
    partner: str = "partner",
    keyring: KeyRing | None = None,
    max_suppression: float = 0.05,
) -> ExportSummary:
    """The `audience` gate for any list of people (e.g. a campaign plan's): `people` holds
    `user_id`, the `fixed` columns (kept as they are, part of every class) and age /
    age_band, gender, city; the file gets partner-keyed ids and generalised quasi-
    identifiers, every class holding at least k rows; audited like `export`."""
    if k < 2:
        raise ConfigError(f"export needs --k-anonymity >= 2, got {k}")
    frame = age_source(people)
    result = anonymise(frame, QUASI_IDENTIFIERS, k, fixed=fixed, max_suppression=max_suppression)
    g = result.frame
    ring = keyring or KeyRing.load()
    table = pd.DataFrame(
        {
            "partner_id": [ring.derive(f"partner:{partner}", u) for u in g["user_id"]],
            **{c: g[c] for c in fixed},
            **{q: g[q] for q in QUASI_IDENTIFIERS},
        }
    ).sort_values([*fixed, "partner_id"])
    with ws.connect() as con:
        return finish_export(
            con, what, Path(out), table, [*fixed, *QUASI_IDENTIFIERS], None, k=k,
            levels=result.levels, suppressed=result.suppressed, population=len(frame),
            max_suppression=max_suppression,
        )  # fmt: skip
