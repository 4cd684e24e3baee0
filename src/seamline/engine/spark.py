"""The Spark engine (`seamline[spark]`): the same SQL, rendered to Spark SQL, on a cluster
or `local[N]`. pyspark is imported only here, only when this engine is asked for."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.engine.dialect import render
from seamline.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

    from seamline.engine.base import EngineConfig

log = logging.getLogger(__name__)

EXTRA = "--engine spark needs pyspark and a Java 17 runtime: pip install 'seamline[spark]'"
DEFAULT_MASTER = "local[2]"


def spark_session(config: EngineConfig) -> SparkSession:
    """The process's SparkSession (created on first use with `config`'s settings)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(EXTRA) from None
    builder = SparkSession.builder.appName("seamline")
    # spark-submit sets the master itself; a plain `seamline` process picks one.
    master = config.master or (None if os.environ.get("SPARK_ENV_LOADED") else DEFAULT_MASTER)
    if master:
        builder = builder.master(master)
    settings = {
        # Timestamps are UTC in the workspace; Spark would otherwise use the JVM's zone.
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(config.shuffle_partitions),
        "spark.sql.adaptive.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
        "spark.ui.enabled": "false",  # no web UI (and no port to find) for a batch job
        # Views only, no tables: keep Spark's warehouse folder out of the working directory.
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "seamline-spark-warehouse"),
        **config.conf,
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    if (master or "").startswith("local"):
        # Python functions (the PII masker) run in this interpreter's environment (pyspark
        # would start `python3` from PATH); on a cluster the executors' Python needs
        # seamline installed (docs/spark.md).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # no Java, a bad master URL: one line, not a JVM trace
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"cannot start Spark (master {master or 'from spark-submit'}): "
                          f"{first}") from None  # fmt: skip
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """SQL on a SparkSession; tables are temporary views. A table created for reuse is
    written once as Parquet under the staging path and its view reads that copy: Spark's
    in-memory cache is not matched inside a `WITH` clause, so a cached view read there was
    recomputed from its sources every time (and Parquet survives a lost executor)."""

    name = "spark"

    def __init__(self, session: SparkSession, staging: str) -> None:
        self.session = session
        self.staging = staging.rstrip("/")
        self._cached: dict[str, DataFrame] = {}
        self._views: set[str] = set()
        self._written = 0  # a fresh folder per created table: a view may read its old copy

    def _view(self, name: str, df: DataFrame, cache: bool = False) -> None:
        old = self._cached.pop(name, None)
        if cache:
            df = df.persist()
            self._cached[name] = df
        df.createOrReplaceTempView(name)
        self._views.add(name)
        if old is not None:
            old.unpersist()

    def create(self, name: str, sql: str, *, reuse: bool = True) -> None:
        df = self.session.sql(render(sql, "spark"))
        if reuse:
            self._written += 1
            path = f"{self.staging}/tables/{name}-{self._written}"
            df.write.mode("overwrite").parquet(path)
            df = self.session.read.parquet(path)
        self._view(name, df)

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.session.sql(render(sql, "spark")).collect()]

    def columns(self, name: str) -> list[str]:
        return list(self.session.table(name).columns)

    def register(self, name: str, table: pa.Table) -> None:
        self._view(name, self.session.createDataFrame(table), cache=True)

    def read_parquet(self, name: str, path: str) -> None:
        self._view(name, self.session.read.parquet(path))

    def write_parquet(self, name: str, path: str) -> None:
        self.session.table(name).write.mode("overwrite").parquet(path)

    def close(self) -> None:
        """Drop this engine's views and cached data (the session stays for the process)."""
        for df in self._cached.values():
            df.unpersist()
        for name in self._views:
            self.session.catalog.dropTempView(name)
        self._cached.clear()
        self._views.clear()
