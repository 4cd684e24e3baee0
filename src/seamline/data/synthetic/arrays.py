"""Numpy and Arrow helpers of the synthetic world: categorical draws, ids, times, CSV/JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Cols = dict[str, pa.Array]

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def categorical(rng: np.random.Generator, probs: Floats) -> Ints:
    """One draw per row of a (rows, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    r = rng.random(len(probs)) * cum[:, -1]
    idx = (cum <= r[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1).astype(np.int64)


def pick(words: tuple[str, ...], idx: Ints, mask: Bools | None = None) -> pa.Array:
    """words[idx] as an Arrow string array (null where mask is True)."""
    return pa.array(words, pa.string()).take(pa.array(idx, pa.int64(), mask=mask))


def ids(prefix: str, numbers: Ints, width: int) -> pa.Array:
    digits = pc.utf8_lpad(
        pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def iso(epoch_s: Ints) -> pa.Array:
    return pc.strftime(pa.array(epoch_s, pa.timestamp("s")), format=ISO_FORMAT)


def iso_one(epoch_s: int) -> str:
    return str(iso(np.array([epoch_s], dtype=np.int64))[0].as_py())


def csv_writer(sink: IO[bytes], schema: pa.Schema, *, quote: bool) -> pacsv.CSVWriter:
    # Arrow quotes header names; write a plain header ourselves.
    sink.write((",".join(schema.names) + "\n").encode())
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed" if quote else "none")
    return pacsv.CSVWriter(sink, schema, write_options=options)


def write_csv(path: Path, table: pa.Table, *, quote: bool) -> None:
    with path.open("wb") as sink:
        writer = csv_writer(sink, table.schema, quote=quote)
        writer.write_table(table)
        writer.close()


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
