"""The PostgreSQL destination against the real server (fixture ``crm_postgres``: a fresh schema),
and a sync killed with SIGKILL mid-run, then rerun: no duplicates, no gaps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest
import yaml

from exports.config import SyncConfig
from exports.engine import run_sync
from leadhouse.warehouse import connect as connect_warehouse

ROOT = Path(__file__).resolve().parents[2]


def crm_id(i: int) -> str:
    return str(uuid.UUID(int=i + 1))


def write_updates(
    conn: duckdb.DuckDBPyConnection, n: int, changed: dict[int, dict] | None = None
) -> list[dict]:
    rows = []
    for i in range(n):
        row = {
            "crm_lead_id": crm_id(i),
            "rule_score": str(i % 100),
            "rule_grade": "ABCDF"[i % 5],
            "conversion_probability": round((i % 1000) / 1000, 3),
            "is_do_not_contact": False,
            "is_erased": False,
        }
        row.update((changed or {}).get(i, {}))
        rows.append(row)
    conn.execute("create schema if not exists marts")
    conn.register("rows_frame", pl.DataFrame(rows))
    conn.execute("create or replace table marts.crm_lead_score_updates as select * from rows_frame")
    conn.unregister("rows_frame")
    return rows


def sync_config(schema: str, mode: str = "update_only", **destination) -> dict:
    return {
        "name": "crm_database_scores",
        "model": "marts.crm_lead_score_updates",
        "key": "crm_lead_id",
        "mode": mode,
        "fields": {
            "score": {"column": "rule_score", "type": "integer"},
            "grade": "rule_grade",
            "conversion_probability": {"column": "conversion_probability", "type": "number"},
        },
        "destination": {
            "kind": "postgres",
            "dsn_env": "TEST_CRM_DSN",
            "schema": schema,
            "table": "leads",
            "key_column": "id",
            "batch_size": 100,
            "retry": {"max_attempts": 3, "initial_seconds": 0.01},
            **destination,
        },
    }


@pytest.fixture
def crm(crm_postgres, monkeypatch):
    dsn, schema = crm_postgres
    monkeypatch.setenv("TEST_CRM_DSN", dsn)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(
            f"""
            create table {schema}.leads (
                id uuid primary key,
                email text,
                score integer,
                grade varchar(1),
                conversion_probability double precision
            )
            """
        )
    return dsn, schema


def crm_rows(dsn: str, schema: str) -> dict[str, tuple]:
    with psycopg.connect(dsn) as pg:
        rows = pg.execute(
            f"select id::text, score, grade, conversion_probability from {schema}.leads"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def seed_crm(dsn: str, schema: str, n: int) -> None:
    with psycopg.connect(dsn) as pg, pg.cursor().copy(f"copy {schema}.leads (id, email) from stdin") as copy:
        for i in range(n):
            copy.write_row((crm_id(i), f"p{i}@example.com"))


def test_update_only_writes_existing_rows_isolates_refused_ones_and_then_sends_only_changes(crm, tmp_path):
    dsn, schema = crm
    seed_crm(dsn, schema, 250)  # the model has 260 rows: 10 are not in the CRM
    warehouse = duckdb.connect(str(tmp_path / "leadhouse.duckdb"))
    # varchar(1) refuses lead 17's grade; lead 1's key is spelled in capitals (PostgreSQL answers in
    # lower case: still the same row).
    write_updates(warehouse, 260, {17: {"rule_grade": "AB"}, 1: {"crm_lead_id": crm_id(1).upper()}})
    config = SyncConfig(**sync_config(schema))

    report = run_sync(warehouse, config, tmp_path)
    assert report.status == "succeeded", report.message
    assert (report.added, report.sent, report.rejected) == (260, 249, 11)
    rejected = dict(
        warehouse.execute(
            "select key, message from exports.sync_log where run_id = ? and status = 'rejected'",
            [report.run_id],
        ).fetchall()
    )
    assert "value too long for type character varying(1)" in rejected.pop(crm_id(17))
    assert rejected == {
        crm_id(i): f"no row with id = {crm_id(i)} in {report.destination}" for i in range(250, 260)
    }
    held = crm_rows(dsn, schema)
    assert len(held) == 250
    assert held[crm_id(3)] == (3, "D", 0.003)
    assert held[crm_id(17)] == (None, None, None)

    # The 11 refused rows are tried again every run (until the CRM or the model changes); the rest not.
    second = run_sync(warehouse, config, tmp_path)
    assert (second.added, second.changed, second.unchanged, second.rejected, second.sent) == (
        11,
        0,
        249,
        11,
        0,
    )

    # Lead 3's probability changes and lead 17's grade is fixed: exactly those two rows are written.
    write_updates(warehouse, 250, {3: {"conversion_probability": 0.9}})
    fourth = run_sync(warehouse, config, tmp_path)
    assert (fourth.added, fourth.changed, fourth.sent) == (1, 1, 2)
    assert crm_rows(dsn, schema)[crm_id(3)] == (3, "D", 0.9)
    assert crm_rows(dsn, schema)[crm_id(17)] == (17, "C", 0.017)
    warehouse.close()


def test_a_row_a_crm_trigger_refuses_is_rejected_and_the_rest_written(crm, tmp_path):
    dsn, schema = crm
    seed_crm(dsn, schema, 40)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(
            f"""
            create function {schema}.no_grade_f() returns trigger language plpgsql as $$
            begin
                if new.grade = 'F' then raise exception 'grade F is not allowed here'; end if;
                return new;
            end $$;
            create trigger no_grade_f before update on {schema}.leads
                for each row execute function {schema}.no_grade_f();
            """
        )
    warehouse = duckdb.connect(str(tmp_path / "leadhouse.duckdb"))
    write_updates(warehouse, 40)
    report = run_sync(warehouse, SyncConfig(**sync_config(schema)), tmp_path)
    assert (report.status, report.sent, report.rejected) == ("succeeded", 32, 8)  # every fifth grade is F
    messages = {
        m
        for (m,) in warehouse.execute(
            "select message from exports.sync_log where status = 'rejected'"
        ).fetchall()
    }
    assert messages == {f"refused by {report.destination}: grade F is not allowed here"}
    warehouse.close()


def test_upsert_insert_only_and_mirror(crm, tmp_path):
    dsn, schema = crm
    warehouse = duckdb.connect(str(tmp_path / "leadhouse.duckdb"))
    write_updates(warehouse, 30)
    insert_only = SyncConfig(**(sync_config(schema, "insert_only") | {"name": "insert_only"}))
    assert run_sync(warehouse, insert_only, tmp_path).sent == 30
    write_updates(warehouse, 31, {0: {"rule_grade": "F"}})
    again = run_sync(warehouse, insert_only, tmp_path)
    assert (again.added, again.changed, again.sent) == (1, 0, 1)  # insert-only never updates
    assert crm_rows(dsn, schema)[crm_id(0)][1] == "A"

    mirror = SyncConfig(**(sync_config(schema, "mirror") | {"name": "mirror"}))
    first = run_sync(warehouse, mirror, tmp_path)
    assert (first.added, first.sent) == (31, 31)
    assert crm_rows(dsn, schema)[crm_id(0)][1] == "F"
    write_updates(warehouse, 28, {5: {"is_erased": True}})
    second = run_sync(warehouse, mirror, tmp_path)
    assert second.removed == 4  # 28, 29, 30 left the model; 5 was erased
    assert set(crm_rows(dsn, schema)) == {crm_id(i) for i in range(28)} - {crm_id(5)}
    warehouse.close()


def test_an_unreachable_database_fails_the_run_and_its_rows_are_sent_next_time(crm, tmp_path, monkeypatch):
    dsn, schema = crm
    seed_crm(dsn, schema, 20)
    warehouse = duckdb.connect(str(tmp_path / "leadhouse.duckdb"))
    write_updates(warehouse, 20)
    config = SyncConfig(**sync_config(schema))
    monkeypatch.setenv("TEST_CRM_DSN", "postgresql://postgres:pw-not-logged@127.0.0.1:1/test")
    down = run_sync(warehouse, config, tmp_path, sleep=lambda s: None)
    assert down.status == "failed"
    assert "cannot connect" in down.message and "pw-not-logged" not in down.message
    assert "pw-not-logged" not in str(warehouse.execute("from exports.sync_runs").fetchall())
    monkeypatch.setenv("TEST_CRM_DSN", dsn)
    up = run_sync(warehouse, config, tmp_path)
    assert (up.status, up.sent) == ("succeeded", 20)
    warehouse.close()


def _start_sync(tmp_path: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "exports.cli", "run", "crm_database_scores"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_sync_killed_mid_run_and_rerun_leaves_no_duplicates_and_no_gaps(crm, tmp_path):
    dsn, schema = crm
    n = 3000
    data_dir = tmp_path / "data"
    (data_dir / "warehouse").mkdir(parents=True)
    config_dir = tmp_path / "exports"
    config_dir.mkdir()
    # 30 batches at 15 a second: about 2 s, killed after a few batches landed.
    config = sync_config(schema, "upsert", requests_per_second=15)
    (config_dir / "crm_database_scores.yml").write_text(yaml.safe_dump(config))
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as warehouse:
        rows = write_updates(warehouse, n)
    env = os.environ | {
        "LEADHOUSE_DATA_DIR": str(data_dir),
        "LEADHOUSE_EXPORTS": str(config_dir),
        "TEST_CRM_DSN": dsn,
    }
    child = _start_sync(tmp_path, env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(crm_rows(dsn, schema)) < 500:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    landed = len(crm_rows(dsn, schema))
    assert 500 <= landed < n, "the kill should land mid-sync"

    rerun = subprocess.run(
        [sys.executable, "-m", "exports.cli", "run", "crm_database_scores"],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]

    held = crm_rows(dsn, schema)
    expected = {
        r["crm_lead_id"]: (int(r["rule_score"]), r["rule_grade"], r["conversion_probability"]) for r in rows
    }
    assert held == expected  # every row once, with its values
    with psycopg.connect(dsn) as pg:
        assert pg.execute(f"select count(*), count(distinct id) from {schema}.leads").fetchone() == (n, n)
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as warehouse:
        runs = warehouse.execute(
            "select status, rows_sent from exports.sync_runs order by started_at"
        ).fetchall()
        assert [r[0] for r in runs] == ["interrupted", "succeeded"]
        assert runs[1][1] <= n - landed + 100  # the rerun re-sent at most the batch in flight
        assert warehouse.execute("select count(*) from exports.sync_state").fetchone() == (n,)
        # every key has a 'sent' fate in some run
        assert warehouse.execute(
            "select count(distinct key) from exports.sync_log where status = 'sent'"
        ).fetchone() == (n,)
