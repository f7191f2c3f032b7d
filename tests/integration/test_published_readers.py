"""Readers of the published marts, in a process of their own, while the pipeline publishes new ones:
every read succeeds and sees one complete version, the old or the new, never a mix or half a file.

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
import pytest

from leadhouse.publish import MANIFEST, parquet_dir, publish
from leadhouse.settings import Settings
from sample_data.cli import main as generate
from tests.integration.published_reader import database_read
from tests.orchestration.pipeline_runs import new_dagster_home, run_pipeline

READER = Path(__file__).with_name("published_reader.py")


@dataclass(frozen=True)
class Version:
    database: dict[str, list]  # table -> [rows, fingerprint], as published_reader reads it
    parquet_rows: dict[str, int]  # mart -> rows, as the manifest lists them


Versions = dict[str, Version]  # publish time -> what that publish wrote


class Reader:
    """published_reader.py in a process of its own, stopped by its pid."""

    def __init__(self, published: Path, reads_path: Path):
        self.reads_path = reads_path
        self.process = subprocess.Popen([sys.executable, str(READER), str(published), str(reads_path)])

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
def reading(published: Path, reads_path: Path):
    reader = Reader(published, reads_path)
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


def build_version(conn: duckdb.DuckDBPyConnection, version: int) -> None:
    """A warehouse whose rows differ from version to version; the view reads the intermediate layer,
    which is never published."""
    conn.execute("create schema if not exists raw")
    conn.execute("create schema if not exists intermediate")
    conn.execute("create schema if not exists marts")
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
        "create or replace view marts.lead_status_transitions as "
        "select * from intermediate.int_status_changes where lead_id % 3 = 0"
    )


PUBLISHES = 12


def test_readers_see_one_complete_version_while_publishes_replace_it(tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    started = time.monotonic()
    with duckdb.connect(str(tmp_path / "leadhouse.duckdb")) as conn:
        build_version(conn, 1)
        publish(conn, target)
        versions = published_version(target.parent)
        with reading(target.parent, tmp_path / "reads.jsonl") as reader:
            for version in range(2, 2 + PUBLISHES):
                build_version(conn, version)
                published = publish(conn, target)
                versions |= published_version(target.parent)
            reader.wait_until_it_saw(published.published_at.isoformat())
    assert len(versions) == 1 + PUBLISHES
    report = assert_every_read_saw_one_complete_version(reader.reads(), versions)
    print(f"\n{PUBLISHES} publishes in {time.monotonic() - started:.1f} s, reader: {report}")
    assert report["database reads"] >= 2 * PUBLISHES and report["versions they saw"] >= 3
    assert report["parquet reads"] >= PUBLISHES and report["manifests they saw"] >= 3
    assert sorted(p.name for p in parquet_dir(target).iterdir()) == [
        MANIFEST,
        "dim_leads.parquet",
        "lead_status_transitions.parquet",
    ]


@pytest.mark.slow
def test_readers_see_the_old_or_the_new_marts_while_the_pipeline_rebuilds_everything(tmp_path):
    """A full materialization, as `make materialize` runs it, while a reader reads what was
    published before it (a small stand-in, so that the test runs the pipeline once)."""
    data = tmp_path / "data"
    assert generate(["--leads", "300", "--seed", "7", "--out", str(data)]) in (0, None)
    published = Settings.from_env({"LEADHOUSE_DATA_DIR": str(data)}).published_dir
    with duckdb.connect(str(tmp_path / "before.duckdb")) as conn:
        build_version(conn, 1)
        publish(conn, published / "leadhouse.duckdb")
    versions = published_version(published)
    with reading(published, tmp_path / "reads.jsonl") as reader:
        seconds, _ = run_pipeline(data, new_dagster_home(tmp_path / "dagster_home"))
        versions |= published_version(published)
        reader.wait_until_it_saw(list(versions)[-1])
    assert len(versions) == 2
    report = assert_every_read_saw_one_complete_version(reader.reads(), versions)
    print(f"\nmaterialization while reading: {seconds:.1f} s, reader: {report}")
    assert report["versions they saw"] == 2 and report["manifests they saw"] == 2
    assert report["database reads"] >= 20 and report["parquet reads"] >= 20
