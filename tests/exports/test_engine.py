"""The sync engine against a real DuckDB warehouse and a real HTTP server answering with scripted
failures, and file destinations on a temporary path."""

from __future__ import annotations

import csv
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from exports.config import SyncConfig
from exports.engine import run_sync
from tests.exports.fake_crm_api import FakeCrmApi

TOKEN = "s3cr3t-token-9f8e7d"
SCORED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def model_rows(n: int, **overrides) -> list[dict]:
    rows = []
    for i in range(n):
        row = {
            "lead_id": f"L{i:04d}",
            "email": f"person{i}@example.com",
            "model_grade": "ABCDE"[i % 5],
            "conversion_probability": round(i / (n + 1), 4),
            "rule_score": str(i % 100),
            "scored_at": SCORED_AT,
            "is_do_not_contact": False,
            "is_erased": False,
        }
        row.update(overrides.get(row["lead_id"], {}))
        rows.append(row)
    return rows


def write_model(conn: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    conn.execute("create schema if not exists marts")
    frame = pl.DataFrame(
        rows,
        schema={
            "lead_id": pl.String,
            "email": pl.String,
            "model_grade": pl.String,
            "conversion_probability": pl.Float64,
            "rule_score": pl.String,
            "scored_at": pl.Datetime("us", "UTC"),
            "is_do_not_contact": pl.Boolean,
            "is_erased": pl.Boolean,
        },
    )
    conn.register("model_frame", frame)
    conn.execute("create or replace table marts.lead_score_exports as select * from model_frame")
    conn.unregister("model_frame")


def http_sync(url: str, **changes) -> SyncConfig:
    data = {
        "name": "crm_api",
        "model": "marts.lead_score_exports",
        "key": "lead_id",
        "mode": "upsert",
        "fields": {
            "email": "email",
            "grade": "model_grade",
            "probability": {"column": "conversion_probability", "type": "number"},
            "score": {"column": "rule_score", "type": "integer"},
            "scored_at": {"column": "scored_at", "type": "timestamp"},
        },
        "destination": {
            "kind": "http",
            "url": url,
            "token_env": "TEST_CRM_TOKEN",
            "batch_size": 100,
            "timeout_seconds": 0.3,
            "retry": {"max_attempts": 5, "initial_seconds": 0.01, "max_wait_seconds": 5},
        },
    }
    data.update(changes)
    return SyncConfig(**data)


@pytest.fixture
def warehouse(tmp_path):
    conn = duckdb.connect(str(tmp_path / "leadhouse.duckdb"))
    yield conn
    conn.close()


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", TOKEN)
    with FakeCrmApi(token=TOKEN) as server:
        yield server


def log_counts(conn, run_id: str) -> dict[str, int]:
    return dict(
        conn.execute(
            "select status, count(*) from exports.sync_log where run_id = ? group by 1", [run_id]
        ).fetchall()
    )


def expected_records(rows: list[dict], without: set[str] = frozenset()) -> dict[str, dict]:
    return {
        r["lead_id"]: {
            "email": r["email"],
            "grade": r["model_grade"],
            "probability": r["conversion_probability"],
            "score": int(r["rule_score"]),
            "scored_at": "2026-11-01T00:00:00+00:00",
        }
        for r in rows
        if r["lead_id"] not in without and not r["is_do_not_contact"] and not r["is_erased"]
    }


def test_failures_clear_then_the_crm_holds_exactly_the_rows_and_every_fate_is_logged(
    warehouse, api, tmp_path
):
    rows = model_rows(250)
    write_model(warehouse, rows)
    # The first batch: a 500, a 429 asking for 2 s, an answer slower than the 0.3 s timeout, the
    # connection dropped after the batch was applied, then success; the second batch: a 400 refusing
    # two of its records (the other 98 are sent again).
    api.script = [
        ("status", 500),
        ("status", 429, {"Retry-After": "2"}),
        ("slow", 1.0),
        ("drop",),
        ("ok",),
        ("reject", ["L0105", "L0107"]),
    ]
    waits: list[float] = []
    report = run_sync(warehouse, http_sync(api.url), tmp_path, sleep=waits.append)

    assert report.status == "succeeded", report.message
    assert (report.queried, report.added, report.sent, report.rejected) == (250, 250, 248, 2)
    assert 2.0 in waits  # the Retry-After the API asked for, not the exponential backoff
    assert report.retries == 4
    assert api.records == expected_records(rows, without={"L0105", "L0107"})
    assert log_counts(warehouse, report.run_id) == {"sent": 248, "rejected": 2}
    messages = dict(
        warehouse.execute(
            "select key, message from exports.sync_log where run_id = ? and status = 'rejected'",
            [report.run_id],
        ).fetchall()
    )
    assert messages == {
        "L0105": "refused by the API: invalid email for L0105",
        "L0107": "refused by the API: invalid email for L0107",
    }
    run = warehouse.execute(
        "select status, rows_queried, rows_sent, rows_rejected, rows_invalid from exports.sync_runs where run_id = ?",
        [report.run_id],
    ).fetchone()
    assert run == ("succeeded", 250, 248, 2, 0)

    # The two refused rows are retried on the next run (the API takes them now); nothing else is sent.
    second = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (second.added, second.changed, second.sent) == (2, 0, 2)
    assert api.records == expected_records(rows)

    requests = len(api.requests)
    third = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (third.sent, third.unchanged) == (0, 250)
    assert len(api.requests) == requests  # no request at all

    # One changed score: exactly that row is sent.
    rows[42]["conversion_probability"] = 0.99
    write_model(warehouse, rows)
    fourth = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (fourth.changed, fourth.sent) == (1, 1)
    assert api.requests[-1]["ids"] == ["L0042"]
    assert api.records["L0042"]["probability"] == 0.99
    assert warehouse.execute(
        "select key, operation, status from exports.sync_log where run_id = ?", [fourth.run_id]
    ).fetchall() == [("L0042", "change", "sent")]


def test_an_api_that_stays_down_fails_the_run_and_loses_nothing(warehouse, api, tmp_path):
    rows = model_rows(150)
    write_model(warehouse, rows)
    api.script = [("status", 503)] * 5  # every attempt of the first batch
    report = run_sync(warehouse, http_sync(api.url), tmp_path, sleep=lambda s: None)
    assert report.status == "failed"
    assert "HTTP 503" in report.message
    assert (report.sent, report.failed) == (0, 150)
    assert log_counts(warehouse, report.run_id) == {"failed": 150}

    again = run_sync(warehouse, http_sync(api.url), tmp_path, sleep=lambda s: None)
    assert (again.status, again.sent) == ("succeeded", 150)
    assert api.records == expected_records(rows)


def test_a_refused_token_stops_the_sync(warehouse, api, tmp_path, monkeypatch):
    write_model(warehouse, model_rows(5))
    monkeypatch.setenv("TEST_CRM_TOKEN", "wrong")
    report = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert report.status == "failed"
    assert "refused the credentials (HTTP 401)" in report.message
    assert api.records == {}


def test_consent_and_mirror_mode(warehouse, api, tmp_path):
    rows = model_rows(20, L0003={"is_do_not_contact": True}, L0004={"is_erased": True})
    write_model(warehouse, rows)
    config = http_sync(api.url, mode="mirror")
    first = run_sync(warehouse, config, tmp_path)
    assert (first.sent, first.excluded) == (18, 2)
    assert "L0003" not in api.records and "L0004" not in api.records

    # A lead erased after it was sent is removed from the CRM; one that left the model too.
    rows[5]["is_erased"] = True
    write_model(warehouse, [r for r in rows if r["lead_id"] != "L0006"])
    second = run_sync(warehouse, config, tmp_path)
    assert (second.removed, second.sent) == (2, 2)
    assert set(api.records) == {r["lead_id"] for r in rows} - {"L0003", "L0004", "L0005", "L0006"}
    assert sorted(
        warehouse.execute(
            "select key, operation, status from exports.sync_log where run_id = ?", [second.run_id]
        ).fetchall()
    ) == [("L0005", "remove", "sent"), ("L0006", "remove", "sent")]


def test_filters_send_only_the_grades_asked_for(warehouse, api, tmp_path):
    rows = model_rows(50)
    write_model(warehouse, rows)
    config = http_sync(api.url, filters=[{"column": "model_grade", "in": ["A", "B"]}])
    report = run_sync(warehouse, config, tmp_path)
    assert report.queried == 20
    assert {v["grade"] for v in api.records.values()} == {"A", "B"}


def test_invalid_rows_are_caught_before_sending_and_retried_next_run(warehouse, api, tmp_path):
    rows = model_rows(10, L0002={"rule_score": "high"})
    rows.append(dict(rows[5]))  # a duplicate key
    rows.append(dict(rows[0], lead_id=None))
    write_model(warehouse, rows)
    report = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (report.queried, report.invalid, report.sent) == (12, 4, 8)
    reasons = dict(
        warehouse.execute(
            "select coalesce(key, '(null)'), message from exports.sync_log where run_id = ? and status = 'invalid'",
            [report.run_id],
        ).fetchall()
    )
    assert reasons["L0002"] == "score: 'high' is not an integer"
    assert reasons["L0005"] == "duplicate key: 2 rows of the model have it"
    assert reasons["(null)"] == "null key"
    assert set(api.records) == {f"L{i:04d}" for i in range(10)} - {"L0002", "L0005"}
    assert report.failed_rate == pytest.approx(4 / 12)  # 8 sent + 4 invalid attempted

    rows[2]["rule_score"] = "7"
    write_model(warehouse, rows[:10])
    fixed = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (fixed.invalid, fixed.added, fixed.sent) == (0, 2, 2)


def test_dry_run_previews_without_sending_or_recording(warehouse, api, tmp_path):
    write_model(warehouse, model_rows(30, L0001={"rule_score": "x"}))
    report = run_sync(warehouse, http_sync(api.url), tmp_path, dry_run=True)
    assert (report.status, report.added, report.invalid) == ("dry_run", 29, 1)
    assert report.sample[0]["lead_id"] == "L0000"
    assert {
        "lead_id": "L0001",
        "operation": "invalid",
        "reason": "score: 'x' is not an integer",
    } in report.sample
    assert api.requests == []
    assert warehouse.execute("select count(*) from exports.sync_runs").fetchone() == (0,)
    assert warehouse.execute("select count(*) from exports.sync_state").fetchone() == (0,)


def test_full_resync_sends_everything_again(warehouse, api, tmp_path):
    write_model(warehouse, model_rows(30))
    run_sync(warehouse, http_sync(api.url), tmp_path)
    report = run_sync(warehouse, http_sync(api.url), tmp_path, full_resync=True)
    assert (report.changed, report.sent) == (30, 30)


def test_the_token_never_reaches_logs_metadata_or_the_warehouse(warehouse, api, tmp_path, caplog):
    write_model(warehouse, model_rows(120))
    api.script = [("status", 500), ("reject", ["L0001", "L0002"])]
    with caplog.at_level(logging.DEBUG):
        report = run_sync(warehouse, http_sync(api.url), tmp_path, sleep=lambda s: None)
    assert report.sent == 118
    warehouse.execute("checkpoint")
    dumps = [
        caplog.text,
        json.dumps(report.as_dict(), default=str),
        str(warehouse.execute("from exports.sync_runs").fetchall()),
        str(warehouse.execute("from exports.sync_log").fetchall()),
        str(warehouse.execute("from exports.sync_state").fetchall()),
    ]
    assert not [d for d in dumps if TOKEN in d]
    assert TOKEN.encode() not in (tmp_path / "leadhouse.duckdb").read_bytes()
    assert all(r["authorized"] for r in api.requests)


def file_sync(**destination) -> SyncConfig:
    return SyncConfig(
        name="hubspot_import",
        model="marts.lead_score_exports",
        key="lead_id",
        fields={
            "email": "email",
            "lead_grade": "model_grade",
            "conversion_probability": {"column": "conversion_probability", "type": "number"},
        },
        destination={"kind": "file", "batch_size": 7, **destination},
    )


def test_csv_for_hubspot_is_complete_or_absent_and_neutralizes_formulas(warehouse, tmp_path):
    rows = model_rows(20, L0003={"email": '=HYPERLINK("http://evil")'}, L0004={"model_grade": "+A"})
    write_model(warehouse, rows)
    report = run_sync(warehouse, file_sync(column_style="hubspot"), tmp_path)
    files = sorted((tmp_path / "hubspot_import").iterdir())
    assert [Path(report.output_path)] == files
    with files[0].open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == ["Lead Id", "Email", "Lead Grade", "Conversion Probability"]
    assert len(written) == 20
    by_id = {r["Lead Id"]: r for r in written}
    assert by_id["L0003"]["Email"] == '\'=HYPERLINK("http://evil")'
    assert by_id["L0004"]["Lead Grade"] == "'+A"
    assert by_id["L0007"]["Email"] == "person7@example.com"

    # Nothing changed: no new file. One change: a file with that row only.
    assert run_sync(warehouse, file_sync(column_style="hubspot"), tmp_path).output_path is None
    rows[9]["model_grade"] = "A"
    write_model(warehouse, rows)
    changed = run_sync(warehouse, file_sync(column_style="hubspot"), tmp_path)
    with open(changed.output_path, newline="") as handle:
        assert [r["Lead Id"] for r in csv.DictReader(handle)] == ["L0009"]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_parquet_and_json_lines_files(warehouse, tmp_path, fmt):
    write_model(warehouse, model_rows(15))
    report = run_sync(warehouse, file_sync(format=fmt, column_style="salesforce"), tmp_path)
    frame = pl.read_parquet(report.output_path) if fmt == "parquet" else pl.read_ndjson(report.output_path)
    assert frame.columns == ["Lead_Id__c", "Email", "Lead_Grade__c", "Conversion_Probability__c"]
    assert frame.height == 15


def test_a_killed_file_run_is_finished_or_discarded_by_the_next(warehouse, tmp_path):
    write_model(warehouse, model_rows(10))
    config = file_sync()
    folder = tmp_path / "hubspot_import"
    folder.mkdir()
    # A run killed before its commit left a partial file: deleted, and its rows are sent again.
    (folder / "deadbeef0001.csv.partial").write_text("lead_id,email\nL0000,x\n")
    first = run_sync(warehouse, config, tmp_path)
    assert first.recovered == [
        "deadbeef0001.csv.partial deleted (its run never committed; its rows are sent again)"
    ]
    assert [p.name for p in folder.iterdir()] == [Path(first.output_path).name]
    assert first.sent == 10
    # A run killed between its commit and the rename: the next run renames its file.
    final = Path(first.output_path)
    final.rename(folder / f"{first.run_id}.csv.partial")
    second = run_sync(warehouse, config, tmp_path)
    assert second.recovered == [f"{first.run_id}.csv.partial -> {final.name} (committed before the crash)"]
    assert final.exists() and second.sent == 0


def test_boolean_filters_and_unknown_consent(warehouse, api, tmp_path):
    rows = model_rows(6, L0001={"is_do_not_contact": None}, L0002={"is_erased": None})
    write_model(warehouse, rows)
    warehouse.execute("alter table marts.lead_score_exports add column is_hot boolean")
    warehouse.execute("update marts.lead_score_exports set is_hot = lead_id in ('L0000', 'L0001', 'L0003')")
    config = http_sync(api.url, filters=[{"column": "is_hot", "in": [True]}])
    report = run_sync(warehouse, config, tmp_path)
    # L0001's consent is unknown: not sent; L0002 is not hot.
    assert (report.queried, report.excluded, report.sent) == (3, 1, 2)
    assert set(api.records) == {"L0000", "L0003"}


def test_an_api_error_is_matched_to_the_key_sent_and_an_unknown_one_stops_the_sync(warehouse, api, tmp_path):
    write_model(warehouse, model_rows(5))
    api.script = [("partial", ["l0002 "])]  # the API spells the id its own way
    report = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert (report.sent, report.rejected) == (4, 1)
    query = "select key, status from exports.sync_log where run_id = ?"
    assert dict(warehouse.execute(query, [report.run_id]).fetchall())["L0002"] == "rejected"

    api.script = [("partial", ["SOMEONE-ELSE"])]
    failed = run_sync(warehouse, http_sync(api.url), tmp_path)
    assert failed.status == "failed"
    assert "the API refused a record it was not sent ('SOMEONE-ELSE')" in failed.message
    assert warehouse.execute("select count(*) from exports.sync_state where key = 'L0002'").fetchone() == (0,)


def test_a_dry_run_without_its_destination_says_it_is_skipped(warehouse, tmp_path, monkeypatch):
    write_model(warehouse, model_rows(3))
    monkeypatch.delenv("NO_SUCH_URL", raising=False)
    config = http_sync("http://unused", destination={"kind": "http", "url_env": "NO_SUCH_URL"})
    report = run_sync(warehouse, config, tmp_path, dry_run=True)
    assert (report.status, report.message) == (
        "skipped",
        "destination not configured here: NO_SUCH_URL is not set (the CRM API's endpoint)",
    )


def test_an_endpoint_carrying_a_credential_is_refused_without_echoing_it(warehouse, tmp_path, monkeypatch):
    write_model(warehouse, model_rows(3))
    monkeypatch.setenv("CRM_URL", "https://user:hunter2@crm.example/api")
    config = http_sync("http://unused", destination={"kind": "http", "url_env": "CRM_URL"})
    report = run_sync(warehouse, config, tmp_path)
    assert report.status == "failed"
    assert "carries a credential" in report.message
    assert "hunter2" not in str(warehouse.execute("from exports.sync_runs").fetchall())


def test_a_file_whose_rename_fails_after_the_commit_is_finished_by_the_next_run(
    warehouse, tmp_path, monkeypatch
):
    from exports.destinations.files import ImportFile

    write_model(warehouse, model_rows(10))
    publish = ImportFile.publish

    def disk_full(self):
        raise OSError("no space left on device")

    monkeypatch.setattr(ImportFile, "publish", disk_full)
    with pytest.raises(OSError):
        run_sync(warehouse, file_sync(), tmp_path)
    (run_id, status) = warehouse.execute("select run_id, status from exports.sync_runs").fetchone()
    assert status == "succeeded"  # its rows are recorded as delivered: the file must not be lost
    assert [p.name for p in (tmp_path / "hubspot_import").iterdir()] == [f"{run_id}.csv.partial"]

    monkeypatch.setattr(ImportFile, "publish", publish)
    second = run_sync(warehouse, file_sync(), tmp_path)
    assert second.sent == 0 and len(second.recovered) == 1
    (final,) = (tmp_path / "hubspot_import").iterdir()
    assert final.name.endswith(f"_{run_id}.csv") and len(final.read_text().splitlines()) == 11
