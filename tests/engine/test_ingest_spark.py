"""`seamline ingest --engine spark`: validation and cleaning on Spark store the same rows,
and refuse the same ones with the same reasons and lines, as the DuckDB ingest."""

from __future__ import annotations

import json
from pathlib import Path

from tests.engine.test_validate_spark import HEADER, ROWS
from typer.testing import CliRunner

from seamline.cli.main import app
from seamline.engine import EngineConfig
from seamline.workspace import Workspace

# Beyond the rule breakers: an extra column (kept as attributes, some empty), a line with
# too many fields and one with a stray quote (malformed: found by the workspace's reader),
# and a repeated event (a duplicate).
EVENTS = "\n".join(
    [
        HEADER + ",campaign",
        *(row + ",spring" for row in ROWS),
        "e20,u5,i2,fashion,view,2026-05-02,,,,",
        "e21,u5,i2,fashion,view,2026-05-02,,,,x,y,z",
        'e22,u5,i2,fashion,view,"2026-05-02,,,,',
        "e23,u6,i1,knowledge,enroll,2026-05-03,12,1,,autumn",
        "e23,u6,i1,knowledge,enroll,2026-05-03,12,1,,autumn",
    ]
)
ITEMS = "item_id,domain,title,category,price\ni1,fashion,Coat,outer,120\ni2,knowledge,Course,,-5\n"

TABLES = {
    "events": "SELECT * EXCLUDE (ingest_id) FROM events ORDER BY event_id",
    "items": "SELECT * EXCLUDE (ingest_id) FROM items ORDER BY item_id",
    "rejects": "SELECT table_name, line, column_name, reason, value, message, raw::VARCHAR "
    "FROM rejects ORDER BY table_name, line",
}


def _ingest(folder: Path, engine: list[str]) -> tuple[dict, dict[str, list]]:
    events, items = folder / "events.csv", folder / "items.csv"
    events.write_text(EVENTS + "\n", encoding="utf-8")
    items.write_text(ITEMS, encoding="utf-8")
    ws = folder / "ws"
    args = ["ingest", "-w", str(ws), "--events", str(events), "--items", str(items), "--json"]
    result = CliRunner().invoke(app, args + engine)
    assert result.exit_code == 0, result.output
    with Workspace(ws).connect(read_only=True) as con:
        stored = {t: con.execute(q).fetchall() for t, q in TABLES.items()}
    return json.loads(result.stdout), stored


def test_spark_ingest_stores_and_refuses_what_duckdb_does(
    spark: EngineConfig, tmp_path: Path
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "s").mkdir()
    local, local_rows = _ingest(tmp_path / "d", [])
    remote, remote_rows = _ingest(tmp_path / "s", ["--engine", "spark", "--master", "local[2]"])
    counts = ("table", "rows", "accepted", "rejected", "duplicates", "rejected_by_reason")
    parts = [{k: p[k] for k in counts} for p in local["files"]]
    assert parts == [{k: p[k] for k in counts} for p in remote["files"]]
    events = next(p for p in parts if p["table"] == "events")
    assert events["rejected"] >= 16 and events["duplicates"] == 1 and events["accepted"] == 7
    assert local_rows["rejects"] == remote_rows["rejects"]
    assert local_rows["events"] == remote_rows["events"]
    assert local_rows["items"] == remote_rows["items"]
    assert any("malformed" in r[3] for r in local_rows["rejects"])
    assert not any((tmp_path / "s" / "ws" / "spark-staging").glob("*/*"))


def test_spark_ingest_refuses_a_dataset(tmp_path: Path) -> None:
    args = [
        "ingest",
        "-w",
        str(tmp_path / "ws"),
        "--dataset",
        "movielens-100k",
        "--engine",
        "spark",
    ]
    result = CliRunner().invoke(app, [*args, str(tmp_path)])
    assert result.exit_code == 2
    assert "not --dataset" in result.output
