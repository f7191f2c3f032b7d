"""Ingest a source: find new landing files, read, map, normalize, validate, load or quarantine.

Guarantees, each enforced by a test and an asset check:
- every row read is either loaded or quarantined with its reasons (rows read = loaded +
  quarantined, per file, recorded in ``raw.ingest_ledger``);
- a file is ingested once: its SHA-256 goes into the ledger, and the same content is skipped
  next time; a changed file with the same name is ingested again as the next version;
- one file's problems never stop the others: a file that cannot be read at all is recorded as
  rejected with the reason, and the run goes on;
- a file is ingested completely or not at all: chunks are committed as they are written and the
  ledger entry last; a file without one (a killed run) has its rows removed before the next run;
- a bad value keeps its row: it is nulled (or kept and flagged) and recorded in
  ``raw.field_issues``; only a row that cannot become a record is quarantined (``ingest.triage``);
- a file still being written (last line incomplete, changed moments ago) waits for a later run.
- a file rewritten while it is read (its size or modification time changed since it was hashed)
  keeps nothing and waits for a later run, so a ledger hash always names the rows loaded.

"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.config import SourceConfig
from ingest.normalize import ContentIds, MissingColumns, empty_issues, raw_json, to_canonical
from ingest.raw_tables import (
    FIELD_ISSUE_COLUMNS,
    LEDGER_COLUMNS,
    QUARANTINE_COLUMNS,
    ROW_GROUP_ROWS,
    append,
    ensure_raw_tables,
    storage_schema,
)
from ingest.readers import ROW_NUMBER, FileRejected, ReadResult, read_file, rejected_rows
from ingest.schemas import raw_schema
from ingest.triage import triage
from ingest.validation import value_issues

log = logging.getLogger(__name__)


@dataclass
class FileReport:
    file: str
    status: str  # loaded | rejected | empty | skipped | deferred
    file_version: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    field_issues: int = 0
    message: str = ""
    reasons: Counter = field(default_factory=Counter)  # quarantine reasons
    field_issue_reasons: Counter = field(default_factory=Counter)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined

    def add(self, chunk: PreparedChunk) -> None:
        self.rows_read += chunk.rows_read
        self.rows_loaded += chunk.loaded.height
        self.rows_quarantined += chunk.quarantined.height
        self.field_issues += chunk.field_issues.height
        self.reasons.update(chunk.reasons)
        self.field_issue_reasons.update(chunk.field_issue_reasons)


@dataclass
class SourceReport:
    source: str
    files: list[FileReport] = field(default_factory=list)
    unfinished_rows_removed: int = 0  # leftovers of a killed ingestion, cleaned up first

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def reasons(self) -> Counter:
        return sum((f.reasons for f in self.files), Counter())

    @property
    def field_issue_reasons(self) -> Counter:
        return sum((f.field_issue_reasons for f in self.files), Counter())

    @property
    def new_files(self) -> list[FileReport]:
        return [f for f in self.files if f.status not in ("skipped", "deferred")]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reason_key(reason: str) -> str:
    """Group reasons by field and kind, not by value ("email: 'x' is not valid" -> "email: is not valid")."""
    field_name, _, rest = reason.partition(": ")
    if rest.startswith("'") and "' " in rest[1:]:
        rest = rest[rest.index("' ", 1) + 2 :]
    return f"{field_name}: {rest}" if rest else reason


def _identity(path: Path) -> tuple[int, int]:
    """Size and modification time: what changes when a file is rewritten."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def still_being_written(path: Path, settle_seconds: float) -> bool:
    """A file whose last line has no newline yet and that changed moments ago is taken to be
    mid-write (an export or upload in progress): reading it now would load a cut-off last row."""
    stat = path.stat()
    size = stat.st_size
    if size == 0 or time.time() - stat.st_mtime >= settle_seconds:
        return False
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) not in (b"\n", b"\r")


def landing_files(config: SourceConfig, landing_dir: Path) -> list[Path]:
    folder = landing_dir / config.name
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(config.file_glob) if p.is_file())


class Ingestor:
    """Ingests sources into one DuckDB connection (the single writer)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, landing_dir: Path, batch_id: str | None = None):
        self.conn = conn
        self.landing_dir = Path(landing_dir)
        self.batch_id = batch_id or uuid.uuid4().hex
        # Each chunk's append ends in a part-filled row group. Compacting those when DuckDB
        # checkpoints rewrote the whole table (3.9 s after 6 million activities, paid by the
        # next source's commits); emptied row groups are still freed. As in the dbt profile.
        conn.execute("set max_vacuum_tasks = 0")
        ensure_raw_tables(conn)

    def _ledger_state(self, config: SourceConfig, relative: str, sha: str) -> tuple[bool, int]:
        """(already ingested, next version number) for a file."""
        seen = self.conn.execute(
            "select count(*) from raw.ingest_ledger where source = ? and file_sha256 = ?", [config.name, sha]
        ).fetchone()[0]
        versions = self.conn.execute(
            "select count(distinct file_sha256) from raw.ingest_ledger where source = ? and file = ?",
            [config.name, relative],
        ).fetchone()[0]
        return seen > 0, versions + 1

    def remove_unfinished(self, config: SourceConfig) -> int:
        """Delete the rows of this source's files that have no ledger entry: the leftovers of an
        ingestion that was killed mid-file (chunks are committed as they are written; the ledger
        entry, written last, is what makes a file ingested). Returns the rows removed."""
        removed = 0
        for table, sha_column in (
            (config.schema.table, "_file_sha256"),
            ("quarantine", "file_sha256"),
            ("field_issues", "file_sha256"),
        ):
            removed += self.conn.execute(
                f"delete from raw.{table} where source = $source and {sha_column} not in "
                "(select file_sha256 from raw.ingest_ledger where source = $source)",
                {"source": config.name},
            ).fetchone()[0]
        if removed:
            log.warning("%s: removed %d rows of an ingestion that did not finish", config.name, removed)
        return removed

    def ingest(self, config: SourceConfig) -> SourceReport:
        report = SourceReport(config.name)
        report.unfinished_rows_removed = self.remove_unfinished(config)
        for path in landing_files(config, self.landing_dir):
            relative = path.relative_to(self.landing_dir).as_posix()
            before = _identity(path)
            sha = sha256_of(path)
            done, version = self._ledger_state(config, relative, sha)
            if done:
                report.files.append(FileReport(relative, "skipped", message="content already ingested"))
                continue
            if still_being_written(path, config.settle_seconds):
                report.files.append(
                    FileReport(
                        relative,
                        "deferred",
                        message=f"its last line is incomplete and it changed in the last {config.settle_seconds:g} s; "
                        "it is ingested by a later run once complete",
                    )
                )
                continue
            file_report = self._ingest_file(config, path, relative, sha, version, before)
            log.info(
                "%s: %s v%d %s: %d read, %d loaded, %d quarantined %s",
                config.name,
                relative,
                version,
                file_report.status,
                file_report.rows_read,
                file_report.rows_loaded,
                file_report.rows_quarantined,
                file_report.message,
            )
            report.files.append(file_report)
        return report

    def _ingest_file(
        self,
        config: SourceConfig,
        path: Path,
        relative: str,
        sha: str,
        version: int,
        hashed: tuple[int, int] | None = None,
    ) -> FileReport:
        """Read the file chunk by chunk and write each chunk's rows, quarantine and field issues
        in a transaction of its own (one transaction for the whole file held all of it in
        memory until the commit: 1.6 GB more for 6 million activities); the ledger entry comes
        last. A file whose ingestion fails or is killed has no ledger entry, and its rows are
        removed (here on failure, by ``remove_unfinished`` on the next run after a kill).
        While DuckDB writes one chunk, the next is read and normalized in a second thread (both
        release the GIL), so the two cores work at once."""
        now = datetime.now(UTC).replace(tzinfo=None)
        report = FileReport(relative, "loaded", file_version=version)
        file_lineage = {
            "source": config.name,
            "entity": config.entity,
            "file": relative,
            "file_sha256": sha,
            "file_version": version,
            "batch_id": self.batch_id,
        }
        state = _FileState(config, ContentIds())
        held = RowGroupRemainder()
        try:
            try:
                chunks = (
                    prepare_chunk(config, chunk, state, now, file_lineage)
                    for chunk in read_file(path, config)
                )
                for prepared in in_background(chunks):
                    report.add(prepared)
                    prepared.write(self.conn, config.schema.table, held)
            except FileRejected as exc:
                report.status, report.message = "rejected", str(exc)
                # Rejected for its header: its rows still go to quarantine, each with the reason.
                state.rejected = str(exc)
                unread = ReadResult(
                    pl.DataFrame(schema={ROW_NUMBER: pl.Int64()}), rejected_rows(path, config, str(exc))
                )
                prepared = prepare_chunk(config, unread, state, now, file_lineage)
                report.add(prepared)
                prepared.write(self.conn, config.schema.table, held)
            held.flush(self.conn, config.schema.table)
            if hashed is not None and _identity(path) != hashed:
                # Rewritten between hashing and reading: the rows read may not be the content
                # the ledger would name. Nothing of it is kept; a later run reads it whole.
                self.remove_unfinished(config)
                return FileReport(
                    relative,
                    "deferred",
                    file_version=version,
                    message="it changed while it was being read; it is ingested by a later run",
                )
            if report.rows_read == 0 and report.status != "rejected":
                report.status, report.message = "empty", "the file has no data rows"
            elif state.rejected:
                report.status, report.message = "rejected", state.rejected
            if not report.reconciles:  # a bug, never bad data: nothing of the file is kept
                raise AssertionError(
                    f"{relative}: {report.rows_read} read != {report.rows_loaded} + {report.rows_quarantined}"
                )
            ledger = pl.DataFrame(
                [
                    {
                        **{
                            k: file_lineage[k]
                            for k in ("source", "entity", "file", "file_sha256", "file_version")
                        },
                        "file_size": path.stat().st_size,
                        "status": report.status,
                        "rows_read": report.rows_read,
                        "rows_loaded": report.rows_loaded,
                        "rows_quarantined": report.rows_quarantined,
                        "field_issues": report.field_issues,
                        "message": report.message or None,
                        "batch_id": self.batch_id,
                        "ingested_at": now,
                    }
                ],
                schema=LEDGER_COLUMNS,
            )
            append(self.conn, "ingest_ledger", ledger)
        except BaseException:
            try:
                self.conn.execute("rollback")
            except duckdb.Error:
                pass  # no transaction was open
            self.remove_unfinished(config)
            raise
        return report


@dataclass
class _FileState:
    """What one file's chunks share."""

    config: SourceConfig
    content_ids: ContentIds
    rejected: str = ""  # set once a chunk shows the file does not match its config


@dataclass
class PreparedChunk:
    """One chunk of a file, ready to append: rows, field issues and quarantine in storage form."""

    rows_read: int
    loaded: pl.DataFrame
    field_issues: pl.DataFrame
    quarantined: pl.DataFrame
    reasons: Counter
    field_issue_reasons: Counter

    lineage: dict[str, tuple[object, pl.DataType]] = field(default_factory=dict)  # loaded rows' constants

    def write(
        self, conn: duckdb.DuckDBPyConnection, raw_table: str, held: RowGroupRemainder | None = None
    ) -> None:
        """Append the chunk in one transaction; with ``held``, only whole row groups of its rows
        (with the rows held back from the chunks before), the rest held for the next chunk."""
        loaded = self.loaded if held is None else held.take(self.loaded, self.lineage)
        conn.execute("begin transaction")
        append(conn, raw_table, loaded, self.lineage)
        append(conn, "field_issues", self.field_issues)
        append(conn, "quarantine", self.quarantined)
        conn.execute("commit")


class RowGroupRemainder:
    """The loaded rows of a file written in whole row groups: each chunk's append ends on a row
    group boundary and the rows past it wait for the next chunk, the last ones for ``flush``.

    DuckDB ends every append in a row group of its own, so a file of 28 chunks left 28 part-filled
    row groups in raw.activities. The ingestion does not compact them (``max_vacuum_tasks`` 0), so
    the next writer's checkpoint did: 13.5 s of the retention step at 1,000,000 leads
    (docs/performance.md). A file's rows are its own until its ledger entry is written, so holding
    some back between chunks changes nothing a reader sees."""

    def __init__(self) -> None:
        self.rows: pl.DataFrame | None = None
        self.lineage: dict[str, tuple[object, pl.DataType]] = {}

    def take(self, loaded: pl.DataFrame, lineage: dict[str, tuple[object, pl.DataType]]) -> pl.DataFrame:
        """The rows to append now: whole row groups of the held rows and ``loaded``."""
        self.lineage = lineage
        if self.rows is None:
            rows = loaded
        elif loaded.height == 0:  # nothing new (a chunk all quarantined has no columns either)
            rows = self.rows
        else:
            rows = pl.concat([self.rows, loaded], how="diagonal_relaxed")
        whole = rows.height - rows.height % ROW_GROUP_ROWS
        self.rows = rows.slice(whole) if whole < rows.height else None
        # One piece: DuckDB writes each record batch of a parallel insert on its own, so the held
        # rows and the new ones as two pieces could end in two part-filled row groups.
        return rows.slice(0, whole).rechunk()

    def flush(self, conn: duckdb.DuckDBPyConnection, raw_table: str) -> None:
        """Append the rows still held (the file's last, part-filled row group)."""
        if self.rows is not None and self.rows.height:
            conn.execute("begin transaction")
            append(conn, raw_table, self.rows, self.lineage)
            conn.execute("commit")
        self.rows = None


def prepare_chunk(
    config: SourceConfig, result: ReadResult, state: _FileState, now: datetime, file_lineage: dict
) -> PreparedChunk:
    """Map, normalize, validate and triage one chunk (no database: it runs beside the writer)."""
    quarantine_parts: list[pl.DataFrame] = []
    schema = {"row_number": pl.Int64(), "raw_row": pl.String(), "reasons": pl.List(pl.String())}
    if result.bad_rows:
        quarantine_parts.append(
            pl.DataFrame(
                {
                    "row_number": [b.row_number for b in result.bad_rows],
                    "raw_row": [b.raw for b in result.bad_rows],
                    "reasons": [list(b.reasons) for b in result.bad_rows],
                },
                schema=schema,
            )
        )
    loaded = pl.DataFrame()
    field_issues = empty_issues()
    canonical = None
    if not state.rejected:
        try:
            canonical = to_canonical(
                result.rows, result.columns, config, result.cell_issues, state.content_ids
            )
        except MissingColumns as exc:
            # Schema drift: the whole file is held back, every row quarantined with the reason.
            state.rejected = str(exc)
    if state.rejected:
        quarantine_parts.append(
            pl.DataFrame(
                {
                    "row_number": result.rows[ROW_NUMBER],
                    "raw_row": raw_json(result.rows, result.columns),
                    "reasons": [[state.rejected]] * result.rows.height,
                },
                schema=schema,
            )
        )
    elif canonical is not None:
        issues = pl.concat(
            [
                canonical.issues,
                value_issues(canonical.frame, canonical.text, config.schema, now),
            ]
        ).with_columns(
            native_column=pl.coalesce(
                "native_column",
                pl.col("column_name").replace_strict(
                    canonical.native_of, default=None, return_dtype=pl.String()
                ),
            )
        )
        triaged = triage(canonical.frame, issues, config.row_level_columns, config.contact_fields)
        if triaged.quarantined.height:
            raws = result.rows.join(triaged.quarantined.select(ROW_NUMBER), on=ROW_NUMBER, how="semi")
            raws = raws.select(ROW_NUMBER, raw_json(raws, result.columns).alias("raw_row"))
            rows = triaged.quarantined.join(raws, on=ROW_NUMBER, how="left")
            quarantine_parts.append(
                rows.select(pl.col(ROW_NUMBER).alias("row_number"), "raw_row", "reasons").cast(schema)
            )
        loaded = triaged.loaded
        field_issues = triaged.field_issues

    reasons: Counter = Counter()
    quarantined = pl.DataFrame(schema=QUARANTINE_COLUMNS)
    if quarantine_parts:
        parts = pl.concat(quarantine_parts)
        reason_lists = parts["reasons"].to_list()
        reasons.update(reason_key(r) for rs in reason_lists for r in rs)
        quarantined = parts.with_columns(
            pl.Series("reasons", [json.dumps(r) for r in reason_lists], dtype=pl.String()),
            **{k: pl.lit(v) for k, v in file_lineage.items()},
            quarantined_at=pl.lit(now, pl.Datetime("us")),
        ).select([pl.col(c).cast(t) for c, t in QUARANTINE_COLUMNS.items()])
    issue_reasons = Counter(
        f"{column or native}: {reason}"
        for column, native, reason in field_issues.select(
            "column_name", "native_column", "reason"
        ).iter_rows()
    )
    lineage = {
        "source": (config.name, pl.String()),
        "_ingested_at": (now, pl.Datetime("us")),
        "_file": (file_lineage["file"], pl.String()),
        "_file_sha256": (file_lineage["file_sha256"], pl.String()),
        "_file_version": (file_lineage["file_version"], pl.Int64()),
        "_batch_id": (file_lineage["batch_id"], pl.String()),
    }
    if loaded.height:
        loaded = loaded.select(
            [
                pl.col(c).cast(t)
                for c, t in storage_schema(raw_schema(config.schema)).items()
                if c not in lineage
            ]
        )
    field_issue_rows = (
        field_issues.rename({ROW_NUMBER: "row_number"})
        .with_columns(
            **{k: pl.lit(v) for k, v in file_lineage.items()},
            recorded_at=pl.lit(now, pl.Datetime("us")),
        )
        .select([pl.col(c).cast(t) for c, t in FIELD_ISSUE_COLUMNS.items()])
    )
    return PreparedChunk(
        result.rows_read, loaded, field_issue_rows, quarantined, reasons, issue_reasons, lineage
    )


_DONE = object()


def in_background(items: Iterator, depth: int = 1) -> Iterator:
    """Yield ``items``, produced in a second thread up to ``depth`` ahead of the consumer. An
    exception in the producer is raised in the consumer, at the item it would have been."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        handoff.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put((_DONE, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            handoff.put((_DONE, exc))

    worker = threading.Thread(target=produce, name="leadhouse-ingest-prepare", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                handoff.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.1)
