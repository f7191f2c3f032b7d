"""Ingest a source: find new landing files, read, map, normalize, validate, load or quarantine.

Guarantees, each enforced by a test and an asset check:
- every row read is either loaded or quarantined with its reasons (rows read = loaded +
  quarantined, per file, recorded in ``raw.ingest_ledger``);
- a file is ingested once: its SHA-256 goes into the ledger, and the same content is skipped
  next time; a changed file with the same name is ingested again as the next version;
- one file's problems never stop the others: a file that cannot be read at all is recorded as
  rejected with the reason, and the run goes on;
- a bad value keeps its row: it is nulled (or kept and flagged) and recorded in
  ``raw.field_issues``; only a row that cannot become a record is quarantined (``ingest.triage``);
- a file still being written (last line incomplete, changed moments ago) waits for a later run.
A file's rows, quarantine, field issues and ledger entry are written in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from ingest.config import SourceConfig
from ingest.normalize import MissingColumns, empty_issues, raw_json, to_canonical
from ingest.readers import ROW_NUMBER, FileRejected, read_file
from ingest.schemas import raw_schema
from ingest.triage import triage
from ingest.validation import value_issues
from ingest.warehouse import (
    FIELD_ISSUE_COLUMNS,
    LEDGER_COLUMNS,
    QUARANTINE_COLUMNS,
    append,
    ensure_raw_tables,
    storage_schema,
)

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


@dataclass
class SourceReport:
    source: str
    files: list[FileReport] = field(default_factory=list)

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


def still_being_written(path: Path, settle_seconds: float) -> bool:
    """A file whose last line has no newline yet and that changed moments ago is taken to be
    mid-write (an export or upload in progress): reading it now would load a cut-off last row."""
    size = path.stat().st_size
    if size == 0 or time.time() - path.stat().st_mtime >= settle_seconds:
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

    def ingest(self, config: SourceConfig) -> SourceReport:
        report = SourceReport(config.name)
        for path in landing_files(config, self.landing_dir):
            relative = path.relative_to(self.landing_dir).as_posix()
            sha = sha256_of(path)
            done, version = self._ledger_state(config, relative, sha)
            if done:
                report.files.append(FileReport(relative, "skipped", message="content already ingested"))
                continue
            if still_being_written(path, config.settle_seconds):
                report.files.append(FileReport(
                    relative, "deferred",
                    message=f"its last line is incomplete and it changed in the last {config.settle_seconds:g} s; "
                    "it is ingested by a later run once complete",
                ))
                continue
            file_report = self._ingest_file(config, path, relative, sha, version)
            log.info(
                "%s: %s v%d %s: %d read, %d loaded, %d quarantined %s",
                config.name, relative, version, file_report.status, file_report.rows_read,
                file_report.rows_loaded, file_report.rows_quarantined, file_report.message,
            )
            report.files.append(file_report)
        return report

    def _ingest_file(self, config: SourceConfig, path: Path, relative: str, sha: str, version: int) -> FileReport:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        lineage = {"_file": relative, "_file_sha256": sha, "_file_version": version, "_batch_id": self.batch_id}
        report = FileReport(relative, "loaded", file_version=version)
        loaded = pl.DataFrame()
        field_issues = empty_issues()
        quarantine_parts: list[pl.DataFrame] = []

        def quarantine(row_numbers: list[int] | pl.Series, raws: list[str] | pl.Series, reasons: list[list[str]] | pl.Series) -> None:
            part = pl.DataFrame(
                {"row_number": row_numbers, "raw_row": raws, "reasons": reasons},
                schema={"row_number": pl.Int64(), "raw_row": pl.String(), "reasons": pl.List(pl.String())},
            )
            quarantine_parts.append(part)
            report.reasons.update(reason_key(r) for rs in part["reasons"].to_list() for r in rs)

        try:
            result = read_file(path, config)
        except FileRejected as exc:
            report.status, report.message = "rejected", str(exc)
            result = None
        if result is not None:
            report.rows_read = result.rows_read
            if result.bad_rows:
                quarantine(
                    [b.row_number for b in result.bad_rows],
                    [b.raw for b in result.bad_rows],
                    [list(b.reasons) for b in result.bad_rows],
                )
            try:
                canonical = to_canonical(result.rows, result.columns, config, result.cell_issues)
            except MissingColumns as exc:
                # Schema drift: the whole file is held back, every row quarantined with the reason.
                report.status, report.message = "rejected", str(exc)
                quarantine(
                    result.rows[ROW_NUMBER],
                    raw_json(result.rows, result.columns),
                    [[str(exc)]] * result.rows.height,
                )
                canonical = None
            if canonical is not None:
                issues = pl.concat([
                    canonical.issues,
                    value_issues(canonical.frame, canonical.text, config.schema, now),
                ]).with_columns(
                    native_column=pl.coalesce(
                        "native_column",
                        pl.col("column_name").replace_strict(canonical.native_of, default=None, return_dtype=pl.String()),
                    )
                )
                triaged = triage(canonical.frame, issues, config.row_level_columns, config.contact_fields)
                if triaged.quarantined.height:
                    raws = result.rows.join(triaged.quarantined.select(ROW_NUMBER), on=ROW_NUMBER, how="semi")
                    raws = raws.select(ROW_NUMBER, raw_json(raws, result.columns).alias("raw_row"))
                    rows = triaged.quarantined.join(raws, on=ROW_NUMBER, how="left")
                    quarantine(rows[ROW_NUMBER], rows["raw_row"], rows["reasons"])
                loaded = triaged.loaded
                field_issues = triaged.field_issues
            if report.rows_read == 0:
                report.status, report.message = "empty", "the file has no data rows"

        quarantined = (
            (parts := pl.concat(quarantine_parts)).with_columns(
                pl.Series("reasons", [json.dumps(r) for r in parts["reasons"].to_list()], dtype=pl.String()),
                source=pl.lit(config.name),
                entity=pl.lit(config.entity),
                file=pl.lit(relative),
                file_sha256=pl.lit(sha),
                file_version=pl.lit(version, pl.Int64),
                batch_id=pl.lit(self.batch_id),
                quarantined_at=pl.lit(now, pl.Datetime("us")),
            ).select(list(QUARANTINE_COLUMNS))
            if quarantine_parts
            else pl.DataFrame(schema=QUARANTINE_COLUMNS)
        )
        report.rows_quarantined = quarantined.height
        report.rows_loaded = loaded.height
        report.field_issues = field_issues.height
        report.field_issue_reasons.update(
            f"{column or native}: {reason}"
            for column, native, reason in field_issues.select("column_name", "native_column", "reason").iter_rows()
        )
        if not report.reconciles:  # a bug, never bad data: stop before writing anything
            raise AssertionError(f"{relative}: {report.rows_read} read != {report.rows_loaded} + {report.rows_quarantined}")

        if loaded.height:
            target = storage_schema(raw_schema(config.schema))
            loaded = loaded.with_columns(
                source=pl.lit(config.name),
                _ingested_at=pl.lit(now, pl.Datetime("us")),
                **{k: pl.lit(v) for k, v in lineage.items()},
            ).select([pl.col(c).cast(t) for c, t in target.items()])
        field_issue_rows = field_issues.rename({ROW_NUMBER: "row_number"}).with_columns(
            source=pl.lit(config.name),
            entity=pl.lit(config.entity),
            file=pl.lit(relative),
            file_sha256=pl.lit(sha),
            file_version=pl.lit(version, pl.Int64),
            batch_id=pl.lit(self.batch_id),
            recorded_at=pl.lit(now, pl.Datetime("us")),
        ).select([pl.col(c).cast(t) for c, t in FIELD_ISSUE_COLUMNS.items()])

        ledger = pl.DataFrame(
            [{
                "source": config.name, "entity": config.entity, "file": relative, "file_sha256": sha,
                "file_size": path.stat().st_size, "file_version": version, "status": report.status,
                "rows_read": report.rows_read, "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined, "field_issues": report.field_issues,
                "message": report.message or None, "batch_id": self.batch_id, "ingested_at": now,
            }],
            schema=LEDGER_COLUMNS,
        )
        self.conn.execute("begin transaction")
        try:
            append(self.conn, config.schema.table, loaded)
            append(self.conn, "quarantine", quarantined)
            append(self.conn, "field_issues", field_issue_rows)
            append(self.conn, "ingest_ledger", ledger)
            self.conn.execute("commit")
        except Exception:
            self.conn.execute("rollback")
            raise
        return report
