"""A small synthetic world with one planted, distinctive user reaching every stage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _support.worlds import ingest_world
from seamline.data.synthetic import generate_world
from seamline.workspace import Workspace

# Distinctive, so a scan of the DuckDB file's bytes cannot match anything else.
PLANTED = "forget-me-QX7ZK9WV"


def plant(world: Path) -> None:
    """Add the planted user to users.csv and events.csv (with one bad row, so the user also
    sits in `rejects`)."""
    with (world / "users.csv").open("a", encoding="utf-8") as f:
        header = (world / "users.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        f.write(",".join(PLANTED if c == "user_id" else "" for c in header) + "\n")
    lines = (world / "events.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    donors = [ln for ln in lines[1:6]]
    with (world / "events.csv").open("a", encoding="utf-8") as f:
        for i, ln in enumerate(donors):
            vals = ln.split(",")
            vals[header.index("user_id")] = PLANTED
            if "event_id" in header:
                vals[header.index("event_id")] = f"planted-{i}"
            f.write(",".join(vals) + "\n")
        vals = donors[0].split(",")
        vals[header.index("user_id")] = PLANTED
        vals[header.index("timestamp")] = "not-a-date"
        if "event_id" in header:
            vals[header.index("event_id")] = "planted-bad"
        f.write(",".join(vals) + "\n")


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("privacy_world")
    generate_world(400, 11, d / "world")
    plant(d / "world")
    return d / "world"


@pytest.fixture(scope="session")
def built_ws(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingested, with features, segments, an experiment's exposures and a fitted model."""
    from seamline.experiments.store import assign_users, create_experiment
    from seamline.features.build import build_features
    from seamline.recommend.store import fit_models
    from seamline.segments.api import run_segmentation

    path = tmp_path_factory.mktemp("privacy_ws") / "ws"
    ws = ingest_world(world_dir, path)
    build_features(ws)
    run_segmentation(ws)
    create_experiment(ws, {"name": "privacy-test"})
    assign_users(ws, "privacy-test", [PLANTED, "u_other"])
    fit_models(ws, ["mostpop"])
    return path


@pytest.fixture
def ws_copy(built_ws: Path, tmp_path: Path) -> Workspace:
    dest = tmp_path / "ws"
    shutil.copytree(built_ws, dest)
    return Workspace(dest)


@pytest.fixture
def planted() -> str:
    return PLANTED
