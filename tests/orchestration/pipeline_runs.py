"""Helpers for the tests that run the real pipeline as `make materialize` runs it, in subprocesses
on temporary paths, and kill or stop it: processes, their output, the warehouse's state."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from exports.engine import ensure_export_tables
from ingest.raw_tables import ensure_raw_tables
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from leadhouse.warehouse import WAREHOUSE_CATALOGS
from leadhouse.warehouse import connect as connect_warehouse
from ml.workflow import ensure_ml_tables
from ops.retention import ensure_retention_tables

BIN = Path(sys.executable).parent
# What `make materialize` runs (the Makefile's recipe; test_makefile_recovers_before_materializing).
RECOVER = [sys.executable, "-m", "orchestration.recover"]
MATERIALIZE = [
    str(BIN / "dagster"),
    "job",
    "execute",
    "-j",
    "materialize_everything",
    "-m",
    "orchestration.definitions",
]
RERUN_TIMEOUT_SECONDS = 180


def new_dagster_home(path: Path) -> Path:
    """A Dagster instance configured as the repository's (one-writer pool, run monitoring)."""
    path.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", path / "dagster.yaml")
    return path


def pipeline_env(data_dir: Path, dagster_home: Path) -> dict[str, str]:
    return os.environ | {
        "LEADHOUSE_DATA_DIR": str(data_dir),
        "LEADHOUSE_MODEL_DIR": str(data_dir / "models"),  # never the repository's models/
        "DAGSTER_HOME": str(dagster_home),
        # One "now" for every run, so a rerun's time-dependent marts (queues, windows) equal the
        # uninterrupted run's.
        "LEADHOUSE_AS_OF": "2026-11-01T00:00:00Z",
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


class Started:
    """A command in a session of its own (so everything it starts can be found), its output read
    on a thread (a full pipe would stall it)."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 120) -> None:
        """Until a line of output contains `text`; fails if the output ends or time runs out first."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                if any(text in line for line in self.lines[seen:]):
                    return
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if self._ended or remaining <= 0:
                    raise AssertionError(
                        f"no {text!r} in its output (rc {self.process.poll()}):\n{self.tail()}"
                    )
                self._changed.wait(remaining)

    def output(self) -> str:
        self._reader.join(timeout=10)
        return "".join(self.lines)

    def tail(self, lines: int = 40) -> str:
        return "".join(self.lines[-lines:])

    def kill_session(self) -> None:
        """SIGKILL to whatever is left of it (test cleanup)."""
        for pid, _ in session_processes(self.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


def session_processes(session_id: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of a session: (pid, command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session_id and fields[0] not in ("Z", "X"):
            found.append((int(entry.name), command.strip()))
    return found


def wait_until_gone(session_id: int, timeout: float) -> list[tuple[int, str]]:
    """Waits for every process of the session to end; returns those still there after `timeout`."""
    deadline = time.monotonic() + timeout
    while (left := session_processes(session_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def run_pipeline(data_dir: Path, dagster_home: Path) -> tuple[float, str]:
    """Recovery, then a materialization of every asset, to completion; (wall seconds, output)."""
    env = pipeline_env(data_dir, dagster_home)
    started = time.monotonic()
    output = []
    for args in (RECOVER, MATERIALIZE):
        result = subprocess.run(
            args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=RERUN_TIMEOUT_SECONDS
        )
        output.append(result.stdout + result.stderr)
        assert result.returncode == 0, f"{args} failed:\n{output[-1][-4000:]}"
    return time.monotonic() - started, "".join(output)


def run_states(dagster_home: Path) -> list[tuple[dg.DagsterRunStatus, set[str]]]:
    """(status, pools it holds slots in) of each run of the instance, oldest first."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        storage = instance.event_log_storage
        holding = {
            key: storage.get_concurrency_info(key).active_run_ids for key in storage.get_concurrency_keys()
        }
        return [
            (run.status, {key for key, run_ids in holding.items() if run.run_id in run_ids})
            for run in reversed(instance.get_runs())
        ]


@dataclass(frozen=True)
class WarehouseState:
    relations: frozenset[str]  # schema.name of every table and view
    counts: dict[str, int]  # rows of every raw table and mart
    identity_map_hash: str  # marts.lead_identity_map's content (it has no run-specific column)

    def published(self) -> WarehouseState:
        """What the published copy of this warehouse holds: its marts alone (leadhouse.publish)."""
        return WarehouseState(
            frozenset(r for r in self.relations if r.startswith("marts.")),
            {r: n for r, n in self.counts.items() if r.startswith("marts.")},
            self.identity_map_hash,
        )


def warehouse_state(path: Path) -> WarehouseState:
    with connect_warehouse(path, read_only=True) as conn:
        relations = frozenset(
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select table_schema, table_name from information_schema.tables "
                f"where table_catalog in {WAREHOUSE_CATALOGS}"
            ).fetchall()
        )
        counted = sorted(r for r in relations if r.split(".")[0] in ("raw", "marts"))
        counts = {r: conn.execute(f"select count(*) from {r}").fetchone()[0] for r in counted}
        identity_hash = conn.execute(
            """
            select md5(string_agg(
                concat_ws('|', source, source_record_id, lead_id, match_rule,
                          cast(round(match_probability, 9) as varchar), matched_by),
                '\n' order by source, source_record_id))
            from marts.lead_identity_map
            """
        ).fetchone()[0]
    return WarehouseState(relations, counts, identity_hash)


def expected_relations() -> frozenset[str]:
    """What the warehouse should hold: the dbt project's models and seeds (from the manifest the
    definitions load) but the day partitions, the raw tables the ingestion creates, the conversion
    model's, the syncs' and the retention cleanup's tables."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    built = {
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["config"]["materialized"] != "ephemeral"
        and "daily_partitioned" not in node["tags"]  # make backfill builds those, not make materialize
    }
    with duckdb.connect() as conn:
        ensure_raw_tables(conn)
        ensure_ml_tables(conn)
        ensure_export_tables(conn)
        ensure_retention_tables(conn)  # the retention cleanup runs in every full materialization
        raw = {
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where schema_name in ('raw', 'ml', 'exports', 'ops')"
            ).fetchall()
        }
    return frozenset(built | raw)


STOP_LIMIT_SECONDS = 10  # a stop signal ends everything within this (docs/operations.md)


def stop(started: Started, send) -> float:
    """Sends the signal (`send()`), then asserts the command and everything it started end within
    the limit; returns how long that took."""
    signaled = time.monotonic()
    send()
    try:
        started.process.wait(timeout=STOP_LIMIT_SECONDS)
        left = wait_until_gone(started.pid, timeout=STOP_LIMIT_SECONDS - (time.monotonic() - signaled))
        seconds = time.monotonic() - signaled
        assert not left, f"still running {seconds:.1f} s after the signal: {left}"
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_LIMIT_SECONDS} s after the signal:\n{started.tail()}")
    finally:
        started.kill_session()
    return seconds


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
