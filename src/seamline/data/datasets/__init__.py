"""Adapters that map real public datasets onto Seamline's data model.

Each adapter module exposes ``load(path) -> SourceTables``: events, items and users as
pyarrow tables whose columns already carry canonical names (extra columns are kept as
attributes), plus a :class:`~seamline.data.mapping.Mapping` with the options the data
needs (custom event types, timestamps that the data does not have). The tables then go
through exactly the same validation, cleaning and dedupe as a user's own files.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from seamline.data.mapping import Mapping
from seamline.errors import DataError


@dataclass(frozen=True)
class SourceTables:
    """A dataset mapped onto the model, ready for ingestion."""

    name: str
    events: pa.Table | None = None
    items: pa.Table | None = None
    users: pa.Table | None = None
    mapping: Mapping = field(default_factory=Mapping)
    notes: str = ""

    def tables(self) -> dict[str, pa.Table]:
        return {
            k: t
            for k, t in (("events", self.events), ("items", self.items), ("users", self.users))
            if t is not None
        }


# name -> module under seamline.data.datasets
ADAPTERS: dict[str, str] = {
    "movielens-100k": "movielens",
    "hm-fashion": "hm",
    "udemy-courses": "udemy",
    "oulad": "oulad",
    "douban-book-music": "douban",
    "amazon-cloth-sport": "amazon",
    "hillstrom": "hillstrom",
    "online-retail": "online_retail",
}

# Folder names under ../shared/data, for finding a dataset when no path is given.
FOLDERS: dict[str, str] = {
    "movielens-100k": "ml-100k",
    "hm-fashion": "hm-fashion",
    "udemy-courses": "udemy-courses",
    "oulad": "oulad",
    "douban-book-music": "douban-book-music",
    "amazon-cloth-sport": "amazon-cloth-sport",
    "hillstrom": "hillstrom",
    "online-retail": "online-retail",
}


def default_path(name: str) -> Path:
    """Where dataset `name` is looked for when no folder is given.

    ``$SEAMLINE_SHARED_DATA/<folder>`` when set, else ``./shared/data`` or
    ``../shared/data`` beside the current directory.
    """
    if name not in FOLDERS:
        raise DataError(f"unknown dataset {name!r}; available: {', '.join(sorted(ADAPTERS))}")
    env = os.environ.get("SEAMLINE_SHARED_DATA")
    roots = [Path(env)] if env else [Path("shared/data"), Path("../shared/data")]
    for root in roots:
        if (root / FOLDERS[name]).is_dir():
            return root / FOLDERS[name]
    return roots[0] / FOLDERS[name]


def load_dataset(name: str, path: str | Path) -> SourceTables:
    """Load the public dataset `name` from the folder `path`."""
    if name not in ADAPTERS:
        raise DataError(f"unknown dataset {name!r}; available: {', '.join(sorted(ADAPTERS))}")
    p = Path(path)
    if not p.is_dir():
        raise DataError(f"{p}: dataset folder for {name} not found")
    module = importlib.import_module(f"seamline.data.datasets.{ADAPTERS[name]}")
    tables: SourceTables = module.load(p)
    return tables
