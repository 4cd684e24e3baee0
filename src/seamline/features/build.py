"""Compute every feature family in the workspace store and write `user_features`.

One row per user (every user with an event or a users-table row). Each run makes a new
version: the previous `user_features` becomes `user_features_v<N>` (the newest
`keep_versions` of those are kept) and `feature_versions` records what each version holds.
The whole run is one transaction, so a failure leaves the previous version in place.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from seamline.data import schema
from seamline.data.schema import has_table
from seamline.data.store import transaction
from seamline.engine import Engine, EngineConfig, collect, open_engine, publish
from seamline.errors import DataError
from seamline.features import (
    cross_domain,
    demographics,
    engagement,
    habits,
    preferences,
    rfm,
    text,
    wtp,
)
from seamline.features._sql import quote, slug
from seamline.features.base import Context, FeatureConfig, base_sql
from seamline.features.repo import TABLE, VERSIONS_TABLE
from seamline.progress import Progress, step

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)


# Counts that are zero (not unknown) for a user with no events.
ZERO_WHEN_ABSENT = (
    "frequency", "purchases", "monetary", "events", "active_days", "sessions", "items_seen",
    "enrolments", "ratings", "buy_days", "domains_active", "domains_bought", "cross_buyer",
)  # fmt: skip

_MODULES = {
    "rfm": rfm,
    "engagement": engagement,
    "cross_domain": cross_domain,
    "preferences": preferences,
    "habits": habits,
    "wtp": wtp,
    "demographics": demographics,
    "text": text,
}


@dataclass
class FeatureRun:
    """What `build_features` wrote."""

    version: int
    users: int
    columns: list[dict[str, str]]  # name, family, description
    as_of: str
    seconds: float
    family_seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _describe(family: str, name: str) -> str:
    d = getattr(_MODULES[family], "DESCRIPTIONS", {})
    if name in d:
        return str(d[name])
    for prefix, what in (
        ("cat_", "share of events in category"),
        ("brand_", "share of branded events on brand"),
        ("channel_", "share of events on channel"),
        ("buy_share_", "share of purchases in domain"),
        ("share_", "share of events in domain"),
        ("emb_", str(d.get("emb_*", ""))),
    ):
        if name.startswith(prefix):
            return f"{what} {name[len(prefix) :]}" if prefix != "emb_" else what
    return ""


def _labels(ctx: Context, family: str) -> dict[str, dict[str, str]]:
    """The category / brand / channel / domain each pivoted column stands for."""
    out: dict[str, dict[str, str]] = {}
    if family == "preferences":
        for (dom, cat), name in zip(ctx.categories, preferences.category_columns(ctx), strict=True):
            out[name] = {"label": cat, "domain": dom}
        for brand, name in zip(ctx.brands, preferences.brand_columns(ctx), strict=True):
            out[name] = {"label": brand}
    elif family == "habits":
        for ch, name in zip(ctx.channels, habits.channel_columns(ctx), strict=True):
            out[name] = {"label": ch}
    elif family == "cross_domain":
        for dom in ctx.domains:
            out[f"share_{slug(dom)}"] = {"label": dom, "domain": dom}
            out[f"buy_share_{slug(dom)}"] = {"label": dom, "domain": dom}
    return out


def _lookups(eng: Engine, ctx: Context) -> None:
    cfg = ctx.config
    ctx.domains = [r[0] for r in eng.fetch(
        "SELECT domain FROM fe_events GROUP BY domain ORDER BY count(*) DESC, domain"
    )]  # fmt: skip
    ctx.categories = [
        (r[0], r[1])
        for r in eng.fetch(
            "SELECT domain, category FROM fe_events GROUP BY domain, category "
            f"ORDER BY count(*) DESC, domain, category LIMIT {int(cfg.max_categories)}"
        )
    ]
    ctx.brands = [r[0] for r in eng.fetch(
        "SELECT brand FROM fe_events WHERE brand IS NOT NULL GROUP BY brand "
        f"ORDER BY count(*) DESC, brand LIMIT {int(cfg.max_brands)}"
    )]  # fmt: skip
    clock = eng.fetch(
        "SELECT count(*) FROM (SELECT 1 FROM fe_events WHERE ts <> date_trunc('day', ts) LIMIT 1)"
    )
    ctx.has_clock = bool(clock and clock[0][0])
    if not ctx.has_clock:
        log.info("timestamps carry no time of day: time-of-day features left out")
    ctx.channels = [r[0] for r in eng.fetch(
        "SELECT channel FROM fe_events WHERE channel IS NOT NULL GROUP BY channel "
        f"ORDER BY count(*) DESC, channel LIMIT {int(cfg.max_channels)}"
    )]  # fmt: skip


def _next_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(f"SELECT max(version) FROM {VERSIONS_TABLE}").fetchone()
    return int(row[0] or 0) + 1 if row else 1


def build_features(
    workspace: Store,
    config: FeatureConfig | None = None,
    progress: Progress | None = None,
    engine: EngineConfig | None = None,
) -> FeatureRun:
    """Compute the configured feature families and store them as a new version; the SQL
    runs on `engine` (DuckDB in the workspace by default, or Spark)."""
    cfg = config or FeatureConfig()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with workspace.connect() as con:
        n_events = con.execute("SELECT count(*) FROM events").fetchone()
        if not n_events or not n_events[0]:
            raise DataError(
                f"workspace {workspace.path} has no events: ingest events "
                "(seamline ingest --events FILE) before computing features"
            )
        schema.ensure(con, VERSIONS_TABLE)
        as_of_row = con.execute('SELECT max("timestamp") FROM events').fetchone()
        as_of = cfg.as_of or (as_of_row[0] if as_of_row else None)
        if as_of is None:
            raise DataError("events have no timestamps to measure recency from")
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        ctx = Context(config=cfg, as_of=f"CAST({quote(as_of.isoformat())} AS TIMESTAMPTZ)")
        families = [f for f in cfg.families]
        with (
            step(progress, "Computing features", total=len(families) + 2) as task,
            open_engine(engine, con, workspace.path) as eng,
        ):
            t = time.perf_counter()
            publish(eng, con, "events", "items", "users")
            eng.create("fe_events", base_sql(cfg.utc_offset_hours))
            _lookups(eng, ctx)
            timings["prepare"] = round(time.perf_counter() - t, 3)
            task.advance()
            columns: list[dict[str, str]] = []
            for fam in families:
                t = time.perf_counter()
                if fam == "text":
                    names = (
                        text.embed_items(
                            con, cfg.embedding_dim, cfg.embedding_max_features, cfg.seed
                        )
                        if cfg.embedding_dim
                        else []
                    )
                    if not names:
                        task.advance()
                        continue
                    publish(eng, con, text.TABLE)
                    query = text.sql(ctx, names)
                else:
                    query = _MODULES[fam].sql(ctx)
                eng.create(f"fe_{fam}", query, reuse=False)  # collected once, just below
                collect(eng, con, f"fe_{fam}")
                cols = eng.columns(f"fe_{fam}")
                labels = _labels(ctx, fam)
                for c in cols:
                    if c == "user_id":
                        continue
                    meta = {"name": c, "family": fam, "description": _describe(fam, c)}
                    meta.update(labels.get(c, {}))
                    columns.append(meta)
                timings[fam] = round(time.perf_counter() - t, 3)
                task.advance()
            t = time.perf_counter()
            version = _store(con, cfg, columns, families, as_of, started)
            timings["store"] = round(time.perf_counter() - t, 3)
            task.advance()
        users = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        seconds = round(time.perf_counter() - started, 3)
        con.execute(
            f"UPDATE {VERSIONS_TABLE} SET seconds = ? WHERE version = ?", [seconds, version]
        )
    run = FeatureRun(
        version=version,
        users=int(users[0]) if users else 0,
        columns=columns,
        as_of=as_of.isoformat(),
        seconds=seconds,
        family_seconds=timings,
    )
    log.info(
        "features v%d: %d users x %d columns in %.1fs", version, run.users, len(columns), seconds
    )
    return run


def _store(
    con: duckdb.DuckDBPyConnection,
    cfg: FeatureConfig,
    columns: list[dict[str, str]],
    families: list[str],
    as_of: datetime,
    started: float,
) -> int:
    present = [f for f in families if has_table(con, f"fe_{f}", temporary=True)]
    select = ["u.user_id"]
    for c in columns:
        name, fam = c["name"], c["family"]
        ref = f"fe_{fam}.{name}"
        if name in ZERO_WHEN_ABSENT:
            select.append(f"COALESCE({ref}, 0) AS {name}")
        elif name == "rfm_group":
            select.append(f"COALESCE({ref}, '{rfm.NO_PURCHASE}') AS {name}")
        else:
            select.append(f"{ref} AS {name}")
    joins = " ".join(f"LEFT JOIN fe_{f} USING (user_id)" for f in present)
    universe = "SELECT user_id FROM fe_rfm UNION SELECT user_id FROM users"
    with transaction(con):
        version = _next_version(con)
        schema.archive(con, TABLE, version - 1)
        schema.create_as(
            con, TABLE, f"SELECT {', '.join(select)} FROM ({universe}) u {joins} ORDER BY u.user_id"
        )
        schema.drop(con, *(f"{TABLE}_v{old}" for old in range(1, version - cfg.keep_versions)))
        con.execute(
            f"INSERT INTO {VERSIONS_TABLE} "
            f"VALUES (?, ?, ?, (SELECT count(*) FROM {TABLE}), ?, ?, ?)",
            [
                version,
                datetime.now(UTC),
                as_of,
                json.dumps(columns, ensure_ascii=False),
                cfg.model_dump_json(),
                round(time.perf_counter() - started, 3),
            ],
        )
    return version


def feature_columns(workspace: Store) -> list[dict[str, str]]:
    """Name, family and description of every column of the current `user_features`."""
    with workspace.connect(read_only=True) as con:
        if not has_table(con, VERSIONS_TABLE) or not has_table(con, TABLE):
            return []
        row = con.execute(
            f"SELECT columns FROM {VERSIONS_TABLE} ORDER BY version DESC LIMIT 1"
        ).fetchone()
    return list(json.loads(row[0])) if row else []


def load_features(workspace: Store, columns: list[str] | None = None) -> pd.DataFrame:
    """The current `user_features` table (optionally only some columns), by user_id."""
    with workspace.connect(read_only=True) as con:
        if not has_table(con, TABLE):
            raise DataError(
                f"workspace {workspace.path} has no user features yet: run "
                "`seamline features` (seamline.features.build_features) first"
            )
        cols = "*" if columns is None else ", ".join(["user_id", *columns])
        return con.execute(f"SELECT {cols} FROM {TABLE} ORDER BY user_id").df()
