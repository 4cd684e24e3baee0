"""The engine protocol and its config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from pydantic import Field

from seamline.config import SeamlineConfig

if TYPE_CHECKING:
    import pyarrow as pa

ENGINES = ("duckdb", "spark")


class EngineConfig(SeamlineConfig):
    """Which engine runs the SQL stages, and how to reach Spark."""

    what: ClassVar[str] = "engine config"

    name: Literal["duckdb", "spark"] = "duckdb"
    # Spark master URL: local[N] on one machine, yarn, k8s://https://host:443, spark://h:7077.
    master: str | None = None  # None: spark-submit's --master (else local[2])
    # Where the workspace's tables travel as Parquet to the cluster and back: any Hadoop
    # path (s3a://bucket/prefix, hdfs://nn/path); default <workspace>/spark-staging.
    staging: str | None = None
    shuffle_partitions: int = Field(8, ge=1)  # spark.sql.shuffle.partitions
    conf: dict[str, str] = Field(default_factory=dict)  # any other spark.* setting


class Engine(Protocol):
    """Runs SQL written in DuckDB's dialect; tables live in the engine's own catalog."""

    @property
    def name(self) -> str: ...

    def create(self, name: str, sql: str, *, reuse: bool = True) -> None:
        """(Re)create the temporary table `name` from a SELECT; `reuse=False` for a table
        read once (Spark then computes it when read instead of caching it)."""
        ...

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query and return its rows."""
        ...

    def columns(self, name: str) -> list[str]:
        """Column names of table `name`."""
        ...

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as `name`."""
        ...

    def read_parquet(self, name: str, path: str) -> None:
        """Make the Parquet file or folder at `path` queryable as `name`."""
        ...

    def write_parquet(self, name: str, path: str) -> None:
        """Write table `name` to `path` (replacing what is there)."""
        ...
