"""ops.run_failures: a failure is spooled before anything else, written once whatever happens twice,
and waits in the spool (intact) while another process holds the warehouse."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from ops.run_failures import (
    SPOOL_FILE,
    UNREADABLE_FILE,
    RunFailure,
    flush_spooled_failures,
    record_run_failure,
    short_error,
    spool_failure,
    spooled_failures,
)

FAILED_AT = datetime(2026, 5, 4, 6, 30, tzinfo=UTC)


def failure(run_id: str = "8f1d2c3b-0000-4000-8000-000000000001", **changes) -> RunFailure:
    values = {
        "run_id": run_id,
        "job_name": "refresh_warehouse",
        "failed_at": FAILED_AT,
        "error_message": "dbt build failed: 2 tests failed\nTraceback (most recent call last):\n  ...",
        "failed_steps": ["marts__dim_leads", "marts__fct_lead_activities"],
        "partition": "2026-05-04",
        "asset_keys": ["marts/dim_leads"],
        "tags": {"dagster/schedule_name": "daily_refresh"},
        "ui_url": "http://127.0.0.1:3000/runs/8f1d2c3b",
    }
    return RunFailure(**(values | changes))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "leadhouse.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path


def rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            "select run_id, job_name, failed_at, error_message, failed_steps, partition_key, asset_keys, tags, ui_url "
            "from ops.run_failures order by run_id"
        ).fetchall()


def test_a_failure_is_recorded_once_however_often_it_is_recorded(warehouse, tmp_path):
    spool = tmp_path / "spool"
    assert record_run_failure(warehouse, spool, failure()) == "recorded"
    assert record_run_failure(warehouse, spool, failure(error_message="reported again")) == "recorded"
    assert rows(warehouse) == [
        (
            "8f1d2c3b-0000-4000-8000-000000000001",
            "refresh_warehouse",
            datetime(2026, 5, 4, 6, 30),  # naive UTC, as the raw layer stores time
            "dbt build failed: 2 tests failed\nTraceback (most recent call last):\n  ...",
            '["marts__dim_leads", "marts__fct_lead_activities"]',
            "2026-05-04",
            '["marts/dim_leads"]',
            '{"dagster/schedule_name": "daily_refresh"}',
            "http://127.0.0.1:3000/runs/8f1d2c3b",
        )
    ]
    assert not (spool / SPOOL_FILE).exists()


def test_a_locked_warehouse_leaves_the_failure_in_the_spool_until_it_is_free(warehouse, tmp_path, caplog):
    spool = tmp_path / "spool"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; conn = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.read()",
            str(warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with caplog.at_level(logging.WARNING, logger="ops.run_failures"):
            first = record_run_failure(warehouse, spool, failure("run-a"), lock_wait_seconds=0.3)
            second = record_run_failure(warehouse, spool, failure("run-b"), lock_wait_seconds=0.3)
        assert (first, second) == ("spooled", "spooled")
        assert "still locked by another process" in caplog.text
        # Both wait in the spool, whole: every field as it was given.
        assert spooled_failures(spool) == [failure("run-a"), failure("run-b")]
    finally:
        holder.communicate("", timeout=10)
    # Once the warehouse is free, the next recording writes everything spooled.
    assert record_run_failure(warehouse, spool, failure("run-c")) == "recorded"
    assert [row[0] for row in rows(warehouse)] == ["run-a", "run-b", "run-c"]
    assert spooled_failures(spool) == []


def test_a_pipeline_step_flushes_the_spool_with_its_own_connection(warehouse, tmp_path):
    spool = tmp_path / "spool"
    spool_failure(spool, failure("run-a"))
    spool_failure(spool, failure("run-a"))  # spooled twice: one row
    spool_failure(spool, failure("run-b"))
    with duckdb.connect(str(warehouse)) as conn:
        assert flush_spooled_failures(conn, spool) == 3
        assert flush_spooled_failures(conn, spool) == 0
    assert [row[0] for row in rows(warehouse)] == ["run-a", "run-b"]


def test_without_a_warehouse_the_failure_is_spooled_and_no_warehouse_is_created(tmp_path):
    missing = tmp_path / "nowhere" / "leadhouse.duckdb"
    assert record_run_failure(missing, tmp_path / "spool", failure()) == "spooled"
    assert not missing.exists()
    assert spooled_failures(tmp_path / "spool") == [failure()]


def test_a_line_cut_by_a_crash_costs_neither_the_lines_before_nor_after(warehouse, tmp_path, caplog):
    spool = tmp_path / "spool"
    spool_failure(spool, failure("run-a"))
    with (spool / SPOOL_FILE).open("a") as file:
        file.write('{"run_id": "run-cut", "job_na')  # the crash: no newline
    spool_failure(spool, failure("run-b"))
    with caplog.at_level(logging.WARNING, logger="ops.run_failures"):
        assert record_run_failure(warehouse, spool, failure("run-c")) == "recorded"
    assert [row[0] for row in rows(warehouse)] == ["run-a", "run-b", "run-c"]
    # The unreadable line is kept aside for a person, not dropped.
    assert (spool / UNREADABLE_FILE).read_text() == '{"run_id": "run-cut", "job_na\n'
    assert "no run failure" in caplog.text


def test_the_spool_is_json_lines_a_person_can_read(tmp_path):
    spool_failure(tmp_path, failure())
    (line,) = (tmp_path / SPOOL_FILE).read_text().splitlines()
    assert json.loads(line)["failed_at"] == "2026-05-04T06:30:00+00:00"
    assert (tmp_path / SPOOL_FILE).stat().st_mode & 0o077 == 0  # error texts are for the owner only


def test_failed_at_is_utc_and_the_error_is_short_and_without_secrets():
    east = timezone(timedelta(hours=2))
    recorded = failure(
        failed_at=datetime(2026, 5, 4, 8, 30, tzinfo=east),
        error_message="\n".join(
            [
                "ConnectError: postgresql://crm:s3cret@db.example.com:5432/crm refused",
                "POST https://hooks.example.com/services/T0/B0?token=abc123 failed",
                "dsn: host=db password=hunter2 user=crm",
            ]
            + [f"  frame {i}" for i in range(50)]
        ),
    )
    assert recorded.failed_at == FAILED_AT
    assert recorded.error_message.splitlines() == [
        "ConnectError: postgresql://[redacted]@db.example.com:5432/crm refused",
        "POST https://hooks.example.com/services/T0/B0?[redacted] failed",
        "dsn: host=db password=[redacted] user=crm",
        "  frame 0",
        "  frame 1",
    ]
    assert failure(failed_at=datetime(2026, 5, 4, 6, 30)).failed_at == FAILED_AT  # naive: UTC
    assert len(short_error("x" * 10_000)) == 2000


def test_a_failure_needs_its_run_id():
    with pytest.raises(ValueError, match="run_id"):
        failure(run_id="")
