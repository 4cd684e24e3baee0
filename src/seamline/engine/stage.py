"""Ingest validation and cleaning on Spark (`seamline ingest --engine spark`).

The workspace still reads each file (its pre-scan and CSV reader decide which lines are
malformed, so those are the same lines with either engine) and still deduplicates and
stores the accepted rows. In between, the file's fields travel to Spark as Parquet, the
validating and cleaning SELECT of `data.cleaning.plan` (the same text as on DuckDB,
rendered for Spark) runs there, and its result comes back, in file order, as the
temporary table `stage`: the rejects and their reasons are those of the DuckDB ingest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from seamline.data.ingest import Masker, StageBuilder
from seamline.data.readers import Source, ident
from seamline.data.store import literal
from seamline.engine.dialect import render
from seamline.pii.patterns import MASK_UDF

if TYPE_CHECKING:
    import duckdb

    from seamline.engine.spark import SparkEngine

ROW = "__row"  # file order, carried through Spark's partitions
_runs = itertools.count(1)


def spark_stage(engine: SparkEngine) -> StageBuilder:
    """A `data.ingest.StageBuilder` that runs the validating SELECT on `engine`."""

    def build(
        con: duckdb.DuckDBPyConnection,
        source: Source,
        select_of: Callable[[str], str],
        masker: Masker | None,
    ) -> None:
        from pyspark.sql import functions as F

        if masker is not None:  # the same Python function masks PII (Spark's Python UDF)
            engine.session.udf.register(MASK_UDF, masker, "string")
        n = next(_runs)
        raw, out = f"{engine.staging}/in/raw-{n}.parquet", f"{engine.staging}/out/stage-{n}"
        # The workspace's reader parses the file (its malformed lines are recorded as it
        # goes); the fields reach Spark as text, in file order.
        con.execute(f"COPY ({source.sql}) TO {literal(raw)} (FORMAT parquet)")
        engine.read_parquet("raw_source", raw)
        copy = f"SELECT * FROM read_parquet({literal(raw)})"
        types = con.execute(f"DESCRIBE {select_of(copy)}").fetchall()  # DuckDB's own types
        checked = engine.session.sql(render(select_of("SELECT * FROM raw_source"), "spark"))
        # A narrow query keeps the partitions in file order; the id grows with both.
        checked.withColumn(ROW, F.monotonically_increasing_id()).write.mode("overwrite").parquet(
            out
        )
        cols = ", ".join(f"CAST({ident(c)} AS {t}) AS {ident(c)}" for c, t, *_ in types)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE stage AS SELECT {cols} FROM "
            f"read_parquet({literal(out + '/*.parquet')}) ORDER BY {ROW}"
        )

    return build
