"""Reading the published marts from a process of its own while the pipeline publishes, and telling
which published version each read saw (tests/integration/test_published_readers.py,
tests/orchestration/test_crash_recovery.py).

The reader (published_reader.py) holds one connection to the published copy open throughout and,
in a loop, opens a new connection per read and reads every Parquet file the manifest lists. A version
is what one publish wrote, read right after it: the copy's tables (rows and a fingerprint of their
values) and the manifest (publish time, rows per mart).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from leadhouse.publish import MANIFEST
from leadhouse.warehouse import connect as connect_warehouse
from tests.integration.published_reader import database_read

READER = Path(__file__).with_name("published_reader.py")


@dataclass(frozen=True)
class Version:
    database: dict[str, list]  # table -> [rows, fingerprint], as published_reader reads it
    parquet_rows: dict[str, int]  # mart -> rows, as the manifest lists them


Versions = dict[str, Version]  # publish time -> what that publish wrote


class Reader:
    """published_reader.py in a process of its own, stopped by its pid."""

    def __init__(self, published: Path, reads_path: Path, pause_seconds: float | None = None):
        self.reads_path = reads_path
        pause = [] if pause_seconds is None else [str(pause_seconds)]
        self.process = subprocess.Popen(
            [sys.executable, str(READER), str(published), str(reads_path), *pause]
        )

    def reads(self) -> list[dict]:
        if not self.reads_path.exists():
            return []
        lines = self.reads_path.read_text().splitlines(keepends=True)
        return [json.loads(line) for line in lines if line.endswith("\n")]  # the last may be half written

    def wait_until(self, condition, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self.reads()):
            assert self.process.poll() is None, f"the reader ended (rc {self.process.returncode})"
            assert time.monotonic() < deadline, "the reader did not get there in time"
            time.sleep(0.05)

    def wait_until_it_saw(self, published_at: str) -> None:
        """Until a new connection and a manifest read saw the version published at ``published_at``."""
        self.wait_until(
            lambda reads: any(
                r["kind"] == "parquet" and r["manifest"]["published_at"] == published_at for r in reads
            )
        )
        seen = len(self.reads())
        self.wait_until(lambda reads: any(r["kind"] == "database" for r in reads[seen:]))

    def stop(self) -> None:
        os.kill(self.process.pid, signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0
        assert not Path(f"/proc/{self.process.pid}").exists()  # reaped: no process left


@contextmanager
def reading(published: Path, reads_path: Path, pause_seconds: float | None = None):
    """A reader for the duration of the block (`pause_seconds` between its reads: default
    published_reader.PAUSE_SECONDS)."""
    reader = Reader(published, reads_path, pause_seconds)
    try:
        reader.wait_until(lambda reads: bool(reads))  # it holds the copy open
        yield reader
        reader.stop()
    finally:
        if reader.process.poll() is None:
            os.kill(reader.process.pid, signal.SIGKILL)
            reader.process.wait()


def published_version(published: Path) -> Versions:
    """The version a publish just wrote, as the reader sees it: the database's tables (rows and
    fingerprint) and the manifest's rows per mart, which must agree."""
    manifest = json.loads((published / "parquet" / MANIFEST).read_text())
    rows = {entry["table"]: entry["rows"] for entry in manifest["files"]}
    with duckdb.connect(str(published / "leadhouse.duckdb"), read_only=True) as conn:
        database = database_read(conn, "leadhouse")
    assert database["views"] == []  # every mart a table
    assert {table: n for table, (n, _) in database["tables"].items()} == {
        f"marts.{t}": n for t, n in rows.items()
    }
    return {manifest["published_at"]: Version(database["tables"], rows)}


def assert_every_read_saw_one_complete_version(reads: list[dict], versions: Versions) -> dict[str, int]:
    """Every read saw exactly one published version (a Parquet file: the one its publish time
    names), the connection held open the first one throughout; returns counts for the report."""
    assert [r["error"] for r in reads if r["kind"] == "error"] == []
    by_tables = {json.dumps(v.database, sort_keys=True): at for at, v in versions.items()}
    assert len(by_tables) == len(versions), "two versions with the same content would be indistinguishable"

    def version_of(read: dict) -> str:
        assert read["views"] == []
        found = by_tables.get(json.dumps(read["tables"], sort_keys=True))
        assert found, f"a read saw no published version: {read['tables']}"
        return found

    seen = Counter(version_of(r) for r in reads if r["kind"] == "database")
    held = {version_of(r) for r in reads if r["kind"] == "held"}
    assert held == {next(iter(versions))}  # the one published before the reader started
    parquet = [r for r in reads if r["kind"] == "parquet"]
    mixed = 0
    for read in parquet:
        manifest = read["manifest"]
        assert versions[manifest["published_at"]].parquet_rows == manifest["rows"]
        for table, file in read["files"].items():
            assert versions[file["published_at"]].parquet_rows[table] == file["rows"], (table, file)
        mixed += any(f["published_at"] != manifest["published_at"] for f in read["files"].values())
    assert mixed < len(parquet)
    return {
        "database reads": sum(seen.values()),
        "versions they saw": len(seen),
        "held-connection reads": sum(r["kind"] == "held" for r in reads),
        "parquet reads": len(parquet),
        "manifests they saw": len({r["manifest"]["published_at"] for r in parquet}),
        "parquet reads during a publish (files of two versions)": mixed,
    }


def build_version(warehouse: Path, version: int) -> None:
    """A warehouse (and its marts file) whose rows differ from version to version; a mart reads the
    intermediate layer, which is never published."""
    with connect_warehouse(warehouse) as conn:
        _build_version(conn, version)


def _build_version(conn: duckdb.DuckDBPyConnection, version: int) -> None:
    conn.execute("create schema if not exists raw")
    conn.execute("create schema if not exists intermediate")
    conn.execute(f"create or replace table raw.lead_records as from range({1_000 * version})")
    conn.execute(
        "create or replace table intermediate.int_status_changes as "
        f"select range as lead_id, {version} as version from range({200_000 + 1_000 * version})"
    )
    conn.execute(
        "create or replace table marts.dim_leads as select range as lead_id, "
        f"{version} as version, md5(range::varchar) as name from range({300_000 + 2_000 * version})"
    )
    conn.execute(
        "create or replace table marts.lead_status_transitions as "
        "select * from intermediate.int_status_changes where lead_id % 3 = 0"
    )
