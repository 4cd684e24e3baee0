"""The schema module owns every persistent table; `connect` upgrades older workspaces.

`fixtures/workspace_v1.duckdb.gz` is a workspace in schema version 1 (the format before
the migration list): `seamline run --users 150 --seed 3`, a second `seamline features`, a
DP release and one `seamline forget`, so every stage's tables are in it.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from seamline.data import schema, store
from seamline.errors import DataError
from seamline.workspace import Workspace

FIXTURE = Path(__file__).parent / "fixtures" / "workspace_v1.duckdb.gz"
SRC = Path(__file__).resolve().parents[2] / "src" / "seamline"

# Rows per table in the fixture, read with the code that wrote it.
V1_COUNTS = {
    "bot_flags": 0,
    "evaluation_results": 18,
    "evaluation_runs": 3,
    "events": 1510,
    "experiments": 1,
    "exposures": 149,
    "fairness_runs": 1,
    "feature_versions": 2,
    "ingests": 3,
    "item_embeddings": 200,
    "items": 200,
    "meta": 1,
    "privacy_audit": 1,
    "privacy_budget": 1,
    "rejects": 0,
    "segment_profiles": 7,
    "segment_runs": 1,
    "segments": 149,
    "user_features": 149,
    "user_features_v1": 149,
    "users": 149,
}


@pytest.fixture
def v1_workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.path.mkdir()
    with gzip.open(FIXTURE) as src, open(ws.db_path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return ws


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    return {n: store.count(con, n) for n in sorted(names)}


def test_an_old_workspace_upgrades_and_keeps_its_data(v1_workspace: Workspace) -> None:
    with v1_workspace.connect(read_only=True) as con:
        assert schema.stored_version(con) == 1
        assert _tables(con) == V1_COUNTS
    with v1_workspace.connect() as con:
        assert schema.stored_version(con) == int(schema.SCHEMA_VERSION) == 2
        applied = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        tables = _tables(con)
    assert applied == [(2,)]
    assert tables == {**V1_COUNTS, "schema_migrations": 1}


def test_every_stage_reads_an_upgraded_workspace(v1_workspace: Workspace) -> None:
    from seamline.evaluate.runner import latest_results
    from seamline.experiments.store import list_experiments
    from seamline.fairness.audit import latest_audit
    from seamline.features.build import feature_columns, load_features
    from seamline.privacy.dp import ledger
    from seamline.privacy.forget import audit_log
    from seamline.segments.api import latest_run, segment_list

    with v1_workspace.connect():
        pass  # upgrade
    assert len(load_features(v1_workspace)) == 149
    assert feature_columns(v1_workspace)
    run = latest_run(v1_workspace)
    assert run is not None and run["k"] == 7
    assert sum(s["size"] for s in segment_list(v1_workspace)) == 150  # sized before the forget
    assert len(latest_results(v1_workspace)) == 3
    audit = latest_audit(v1_workspace)
    assert audit is not None and audit["run_id"] == 1
    assert [e["name"] for e in list_experiments(v1_workspace)]
    assert len(ledger(v1_workspace)) == 1
    assert [e["action"] for e in audit_log(v1_workspace)] == ["forget"]
    assert v1_workspace.quality()["events"] == 1510


def test_the_report_shows_every_stage_of_an_upgraded_workspace(v1_workspace: Workspace) -> None:
    from seamline.pipeline.report import stage_sections

    with v1_workspace.connect():
        pass  # upgrade
    ids = [s.id for s in stage_sections(v1_workspace)]
    assert ids == ["data-quality", "segments", "recommendations", "experiments", "fairness",
                   "privacy"]  # fmt: skip


def test_a_read_only_connection_reads_an_old_workspace_without_upgrading(
    v1_workspace: Workspace,
) -> None:
    from seamline.segments.api import latest_run

    assert latest_run(v1_workspace) is not None
    with v1_workspace.connect(read_only=True) as con:
        assert schema.stored_version(con) == 1


def test_a_newer_workspace_is_refused_with_the_versions(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with ws.connect() as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with (
            pytest.raises(DataError, match=r"schema version 99 is newer .*\(2\)"),
            ws.connect(read_only=read_only),
        ):
            pass


def test_a_new_workspace_holds_the_core_tables_at_the_current_version(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws").connect() as con:
        assert schema.stored_version(con) == int(schema.SCHEMA_VERSION)
        names = set(_tables(con))
        versions = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert names == {*schema.CORE, "schema_migrations"}  # stage tables come with their stage
    assert versions == [(1,), (2,)]


def test_a_later_migration_upgrades_and_a_failing_one_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(tmp_path / "ws")
    with ws.connect() as con:
        schema.ensure(con, "segment_runs")

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE segment_runs ADD COLUMN note VARCHAR")
        raise DataError("step failed")

    def add_note(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE segment_runs ADD COLUMN note VARCHAR")

    def columns() -> list[str]:
        with ws.connect(read_only=True) as con:
            return [r[0] for r in con.execute("DESCRIBE segment_runs").fetchall()]

    v3 = (*schema.MIGRATIONS, schema.Migration(3, "segment_runs.note", broken))
    monkeypatch.setattr(schema, "MIGRATIONS", v3)
    with pytest.raises(DataError, match="step failed"), ws.connect():
        pass
    assert "note" not in columns()
    with ws.connect(read_only=True) as con:
        assert schema.stored_version(con) == 2

    v3 = (*schema.MIGRATIONS[:2], schema.Migration(3, "segment_runs.note", add_note))
    monkeypatch.setattr(schema, "MIGRATIONS", v3)
    with ws.connect() as con:
        assert schema.stored_version(con) == 3
        logged = con.execute("SELECT version, doc FROM schema_migrations ORDER BY 1").fetchall()
    assert "note" in columns()
    assert logged[-1] == (3, "segment_runs.note")


def test_every_table_has_a_declaration_and_an_owner() -> None:
    owners = {n: schema.owner(n) for n in V1_COUNTS}
    assert owners["user_features_v1"] == "features"
    assert owners["segments"] == "segments"
    assert owners["privacy_audit"] == "privacy"
    assert set(owners.values()) <= {
        "data", "features", "segments", "evaluate", "experiments", "fairness", "privacy",
        "campaigns",
    }  # fmt: skip
    with pytest.raises(DataError, match=r"not declared in seamline\.data\.schema"):
        schema.owner("campaign_scratch")


def test_ensure_and_create_as_take_only_declared_tables(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws").connect() as con:
        with pytest.raises(DataError, match="not declared"):
            schema.ensure(con, "scratch")
        with pytest.raises(DataError, match="not declared"):
            schema.create_as(con, "scratch", "SELECT 1 AS x")
        with pytest.raises(DataError, match=r"use schema\.ensure"):
            schema.create_as(con, "segments", "SELECT 1 AS x")
        schema.create_as(con, "user_features_v3", "SELECT 'u1' AS user_id")
        assert schema.has_table(con, "user_features_v3")


def test_a_versioned_table_is_archived_and_old_copies_dropped(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws").connect() as con:
        schema.create_as(con, "user_features", "SELECT 'u1' AS user_id")
        schema.archive(con, "user_features", 1)
        assert not schema.has_table(con, "user_features")
        assert schema.has_table(con, "user_features_v1")
        schema.drop(con, "user_features_v1", "user_features_v2")
        assert not schema.has_table(con, "user_features_v1")
        with pytest.raises(DataError, match="not versioned"):
            schema.archive(con, "segments", 1)
        with pytest.raises(DataError, match="not declared"):
            schema.drop(con, "events_backup")


def test_has_table_tells_persistent_from_temporary_tables(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws").connect() as con:
        con.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS x")
        assert schema.has_table(con, "scratch", temporary=True)
        assert not schema.has_table(con, "scratch")
        assert schema.has_table(con, "events")
        assert not schema.has_table(con, "events", temporary=True)
        assert not schema.has_table(con, "segments")


def test_has_table_ignores_an_attached_file(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE segments AS SELECT 1 AS x").close()
    with Workspace(tmp_path / "ws").connect() as con:
        con.execute(f"ATTACH '{other.as_posix()}' AS other (READ_ONLY)")
        assert not schema.has_table(con, "segments")
        assert schema.tables_with_column(con, "user_id") == ["bot_flags", "events", "users"]


def test_only_the_schema_module_creates_persistent_tables() -> None:
    create = re.compile(r"CREATE\s+(OR\s+REPLACE\s+)?TABLE\b", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(SRC)}:{i}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "schema.py" or path.parent.name != "data"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if create.search(line)
    ]
    assert offenders == []


def test_only_the_schema_module_asks_whether_a_table_exists() -> None:
    probes = re.compile(r"information_schema\.tables|duckdb_tables\(\)")
    offenders = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "schema.py" and probes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_fresh_connection_has_no_unfinished_result(tmp_path: Path) -> None:
    import pyarrow as pa

    ws = Workspace(tmp_path / "ws")
    for read_only in (False, True):
        with ws.connect(read_only=read_only) as con:
            con.register("probe", pa.table({"x": [1]}))  # refused while a result is open
            assert schema.has_table(con, "events")
            con.register("probe2", pa.table({"x": [1]}))


def test_a_stage_table_is_read_only_by_its_owner_package() -> None:
    """The report, the service and other stages go through the owner's read functions
    (`segments.repo`, `features.repo`, `privacy.repo`, ...). The data stage's tables
    (events, items, users, meta, ...) are everyone's input and stay readable."""
    offenders = []
    for t in schema.TABLES.values():
        if t.owner == "data":
            continue
        sql = re.compile(rf"\b(FROM|JOIN|INTO|UPDATE|DESCRIBE|TABLE)\s+{t.name}\b")  # SQL case
        for path in sorted(SRC.rglob("*.py")):
            rel = path.relative_to(SRC)
            if rel.parts[0] == t.owner:
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{rel}:{t.name}" for _ in sql.finditer(text)]
    assert offenders == []
