"""Failed runs recorded in the warehouse (``ops.run_failures``), so the people who read the warehouse
see what failed beside the data it failed to build, and alerts have a record to point at.

A run-failure sensor calls ``record_run_failure`` with plain values while the failed run may still
hold the warehouse: DuckDB lets one process write a file, and a pipeline run writes it for minutes.
So a failure is first appended to a spool file (JSON Lines, one ``write`` with the file opened for
appending, then ``fsync``: a crash loses nothing that was acknowledged), and only then written to
the warehouse with every failure spooled before it. When the warehouse stays locked for the
``lock_wait_seconds`` the sensor can afford, the failure waits in the spool: the next call, or a
pipeline step calling ``flush_spooled_failures`` with the connection it holds, writes it. Writes
are idempotent on ``run_id`` (a failure spooled twice, or written and then flushed again after a
crash before the spool was emptied, is one row), and the spool is emptied only after the commit.

The spool's lock file (``flock``) orders appends and flushes between processes; it is never held
while waiting for the warehouse, so a pipeline step that holds the warehouse and flushes cannot
wait on a sensor that waits on the warehouse.

Error messages are kept short (their first lines) and URLs in them lose their credentials and query
strings: the same text goes to the alert webhook (``ops.alerts``), often a chat channel.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

log = logging.getLogger(__name__)

SCHEMA = "ops"
TABLE = f"{SCHEMA}.run_failures"
SPOOL_FILE = "run_failures.jsonl"
UNREADABLE_FILE = "run_failures.unreadable.jsonl"
LOCK_FILE = ".run_failures.lock"

ERROR_LINES = 5
ERROR_CHARACTERS = 2000

# Timestamps as the raw layer stores them: naive UTC TIMESTAMP (ingest.raw_tables). The lists and
# the tags are JSON text, as the raw layer keeps its JSON (raw.quarantine.reasons).
DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {TABLE} (
    run_id varchar primary key,
    job_name varchar not null,
    failed_at timestamp not null,
    error_message varchar,
    failed_steps varchar,
    partition_key varchar,
    asset_keys varchar,
    tags varchar,
    ui_url varchar,
    recorded_at timestamp not null
);
"""

_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]+@")
_URL_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#]+)\?[^\s#'\"]*")
_SECRET_SETTINGS = re.compile(r"(?i)\b(password|passwd|pwd|token|secret|api_key|apikey)=[^\s&;,'\"]+")


def redact(text: str) -> str:
    """``text`` without the secrets an error message may carry in a URL or a connection string: a
    URL's user and password, its query string, ``password=...`` and the like."""
    text = _URL_CREDENTIALS.sub(r"\1[redacted]@", text)
    text = _URL_QUERY.sub(r"\1?[redacted]", text)
    return _SECRET_SETTINGS.sub(r"\1=[redacted]", text)


def short_error(text: str | None, lines: int = ERROR_LINES, characters: int = ERROR_CHARACTERS) -> str:
    """The first ``lines`` non-blank lines of an error, redacted, at most ``characters`` long: what
    failed, not the whole traceback (Dagster keeps that with the run)."""
    kept = [line.rstrip() for line in (text or "").splitlines() if line.strip()][:lines]
    short = redact("\n".join(kept))
    return short if len(short) <= characters else short[: characters - 1] + "…"


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class RunFailure:
    """A failed run as the sensor sees it, in plain values (no Dagster type)."""

    run_id: str
    job_name: str
    failed_at: datetime
    error_message: str = ""
    failed_steps: list[str] = field(default_factory=list)
    partition: str | None = None
    asset_keys: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    ui_url: str | None = None

    def __post_init__(self) -> None:
        if not self.run_id:
            raise ValueError("a run failure needs the run's run_id")
        self.failed_at = as_utc(self.failed_at)
        self.error_message = short_error(self.error_message)
        self.failed_steps = [str(step) for step in self.failed_steps]
        self.asset_keys = [str(key) for key in self.asset_keys]
        self.tags = {str(name): str(value) for name, value in self.tags.items()}

    @property
    def error_first_line(self) -> str:
        return self.error_message.split("\n", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "job_name": self.job_name,
            "failed_at": self.failed_at.isoformat(),
            "error_message": self.error_message,
            "failed_steps": self.failed_steps,
            "partition": self.partition,
            "asset_keys": self.asset_keys,
            "tags": self.tags,
            "ui_url": self.ui_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunFailure:
        return cls(**(data | {"failed_at": datetime.fromisoformat(data["failed_at"])}))


def ensure_run_failure_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(DDL)


@contextmanager
def _spool_lock(spool_dir: Path) -> Iterator[None]:
    """The spool to this process alone while it appends or flushes (an advisory ``flock``)."""
    spool_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(spool_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _fsync_directory(directory: Path) -> None:
    """Make a file's creation, rename or removal in ``directory`` survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _append_durably(path: Path, data: bytes) -> None:
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # A line cut short by a crash would swallow the next one: start on a line of its own.
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _fsync_directory(path.parent)


def spool_failure(spool_dir: Path, failure: RunFailure) -> None:
    """Append ``failure`` to the spool, durably, before anything else is tried."""
    line = json.dumps(failure.to_json(), ensure_ascii=False, sort_keys=True) + "\n"
    with _spool_lock(Path(spool_dir)):
        _append_durably(Path(spool_dir) / SPOOL_FILE, line.encode("utf-8"))


def spooled_failures(spool_dir: Path) -> list[RunFailure]:
    """The failures waiting in the spool, oldest first (unreadable lines left out)."""
    return _read_spool(Path(spool_dir) / SPOOL_FILE)[0]


def _read_spool(path: Path) -> tuple[list[RunFailure], list[str]]:
    """(failures, lines that are not one): a line cut by a crash, or edited by hand."""
    failures, unreadable = [], []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            failures.append(RunFailure.from_json(json.loads(line)))
        except (ValueError, TypeError, KeyError):
            unreadable.append(line)
    return failures, unreadable


def _insert(conn: duckdb.DuckDBPyConnection, failures: list[RunFailure]) -> int:
    """Insert the failures whose run_id is not recorded yet; the number inserted."""
    first_of_each: dict[str, RunFailure] = {}
    for failure in failures:
        first_of_each.setdefault(failure.run_id, failure)
    recorded_at = datetime.now(UTC).replace(tzinfo=None)
    inserted = 0
    for failure in first_of_each.values():
        (count,) = conn.execute(
            f"insert into {TABLE} (run_id, job_name, failed_at, error_message, failed_steps, "
            "partition_key, asset_keys, tags, ui_url, recorded_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (run_id) do nothing",
            [
                failure.run_id,
                failure.job_name,
                failure.failed_at.replace(tzinfo=None),
                failure.error_message,
                json.dumps(failure.failed_steps),
                failure.partition,
                json.dumps(failure.asset_keys),
                json.dumps(failure.tags, sort_keys=True),
                failure.ui_url,
                recorded_at,
            ],
        ).fetchone()
        inserted += count
    return inserted


def flush_spooled_failures(conn: duckdb.DuckDBPyConnection, spool_dir: Path) -> int:
    """Write every spooled failure into ``ops.run_failures`` (one transaction; ``conn`` must be a
    write connection outside a transaction) and empty the spool once committed; the number of
    failures taken from the spool (already recorded ones included). Lines that are no failure are
    moved to ``run_failures.unreadable.jsonl`` beside the spool, with a warning, not dropped."""
    spool_dir = Path(spool_dir)
    path = spool_dir / SPOOL_FILE
    with _spool_lock(spool_dir):
        failures, unreadable = _read_spool(path)
        if failures:
            ensure_run_failure_table(conn)
            conn.begin()
            try:
                inserted = _insert(conn, failures)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            log.info("recorded %d run failure(s) from the spool (%d new)", len(failures), inserted)
        if unreadable:
            _append_durably(spool_dir / UNREADABLE_FILE, "".join(f"{line}\n" for line in unreadable).encode())
            log.warning(
                "%d line(s) of %s are no run failure; moved to %s", len(unreadable), path, UNREADABLE_FILE
            )
        if failures or unreadable:
            path.unlink()
            _fsync_directory(spool_dir)
    return len(failures)


def is_lock_conflict(error: BaseException) -> bool:
    """DuckDB's answer when another process holds the file for writing."""
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


def _connect_when_free(warehouse_path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """A write connection, retried while another process holds the file (RetryError when it
    still does after ``wait_seconds``)."""
    retrying = Retrying(
        stop=stop_after_delay(wait_seconds),
        wait=wait_exponential_jitter(initial=0.05, max=1.0, jitter=0.05),
        retry=retry_if_exception(is_lock_conflict),
    )
    return retrying(duckdb.connect, str(warehouse_path))


def record_run_failure(
    warehouse_path: Path, spool_dir: Path, failure: RunFailure, *, lock_wait_seconds: float = 5.0
) -> str:
    """Spool ``failure``, then write the spool into the warehouse: ``"recorded"`` when it is in
    ``ops.run_failures``, ``"spooled"`` when it waits in the spool (the warehouse is locked by
    another process for longer than ``lock_wait_seconds``, does not exist yet, or refused the
    write; the reason is logged). Never creates the warehouse: a path that is not one is more
    likely a wrong setting than a first run, and the spool keeps the failure either way."""
    warehouse_path, spool_dir = Path(warehouse_path), Path(spool_dir)
    spool_failure(spool_dir, failure)
    if not warehouse_path.is_file():
        log.warning(
            "run %s failed; no warehouse at %s yet, so the failure waits in %s",
            failure.run_id,
            warehouse_path,
            spool_dir / SPOOL_FILE,
        )
        return "spooled"
    try:
        conn = _connect_when_free(warehouse_path, lock_wait_seconds)
    except RetryError:
        log.warning(
            "run %s failed; the warehouse is still locked by another process after %g s, so the "
            "failure waits in %s (the next recording or flush writes it)",
            failure.run_id,
            lock_wait_seconds,
            spool_dir / SPOOL_FILE,
        )
        return "spooled"
    except duckdb.Error as exc:
        log.warning(
            "run %s failed; the warehouse cannot be opened (%s), so it stays spooled", failure.run_id, exc
        )
        return "spooled"
    try:
        with conn:
            flush_spooled_failures(conn, spool_dir)
    except duckdb.Error as exc:
        log.warning(
            "run %s failed; writing it to the warehouse failed (%s), so it stays spooled", failure.run_id, exc
        )
        return "spooled"
    return "recorded"
