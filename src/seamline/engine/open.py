"""`open_engine`: the engine a config asks for, ready on a workspace connection."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from seamline.engine.base import Engine, EngineConfig
from seamline.engine.duck import DuckEngine

if TYPE_CHECKING:
    import duckdb

STAGING_DIR = "spark-staging"


@contextmanager
def open_engine(
    config: EngineConfig | None, con: duckdb.DuckDBPyConnection, workspace: Path
) -> Iterator[Engine]:
    """DuckDB on `con` (the default), or Spark with a fresh staging folder, removed after."""
    cfg = config or EngineConfig()
    if cfg.name == "duckdb":
        yield DuckEngine(con)
        return
    from seamline.engine.spark import SparkEngine, spark_session

    session = spark_session(cfg)
    run = uuid.uuid4().hex[:12]
    local = cfg.staging is None or "://" not in cfg.staging or cfg.staging.startswith("file:")
    root = f"{cfg.staging or workspace.resolve() / STAGING_DIR}".rstrip("/") + f"/{run}"
    if local:
        (Path(root.removeprefix("file:")) / "in").mkdir(parents=True, exist_ok=True)
    engine = SparkEngine(session, root)
    try:
        yield engine
    finally:
        engine.close()
        if local:
            shutil.rmtree(root.removeprefix("file:"), ignore_errors=True)
