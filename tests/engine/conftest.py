"""One SparkSession (local[2]) for the whole test run and one small ingested world that the
DuckDB and Spark engines both read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from _support.worlds import world_workspace
from seamline.engine import EngineConfig
from seamline.workspace import Workspace

SPARK = EngineConfig(name="spark", master="local[2]", shuffle_partitions=2)


@pytest.fixture(scope="session")
def spark() -> Iterator[EngineConfig]:
    """The Spark engine's config; its session starts once and stops at the end."""
    from seamline.engine.spark import spark_session

    session = spark_session(SPARK)
    yield SPARK
    session.stop()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    """A 200-user synthetic world, ingested (its CSV folder too, for ingest parity)."""
    return world_workspace(tmp_path_factory.mktemp("spark-world"), 200, 7)
