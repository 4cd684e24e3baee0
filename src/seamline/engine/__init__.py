"""Where SQL runs: one protocol (run SQL, register a table, read and write Parquet) with a
DuckDB engine (the default, inside the workspace's own connection) and a Spark engine
(`seamline[spark]`, for data beyond one machine).

Every definition (validation rules, cleaning, features, KPI and experiment aggregates) is
written once, in DuckDB's dialect; `dialect.render` turns it into Spark SQL.
"""

from seamline.engine.base import ENGINES, Engine, EngineConfig
from seamline.engine.dialect import bind, render
from seamline.engine.duck import DuckEngine
from seamline.engine.open import open_engine
from seamline.engine.query import rows
from seamline.engine.transfer import collect, publish

__all__ = [
    "ENGINES",
    "DuckEngine",
    "Engine",
    "EngineConfig",
    "bind",
    "collect",
    "open_engine",
    "publish",
    "render",
    "rows",
]
