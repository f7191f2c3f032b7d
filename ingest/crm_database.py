"""Extract tables of a PostgreSQL database (the team's CRM) into landing files, incrementally.

A source config with an ``extract:`` section (``ingest.config.ExtractConfig``) names a table, or a
query over it, a timestamp cursor column (``updated_at``) and a key (``id``). One extraction runs
in one REPEATABLE READ snapshot of the database and:

1. reads the rows changed since the previous extraction: cursor at or after the watermark minus
   ``lookback_seconds``, except the rows already extracted with the same (key, cursor). The
   watermark is the (cursor, key) of the last row in keyset order; rows tied with it on the cursor
   are told apart by their key, so a tie is never lost or read twice, and a transaction that
   commits late a row stamped before the watermark (within the lookback) still arrives, once;
2. streams them with ``COPY (...) TO STDOUT (FORMAT csv, HEADER)``, in keyset order, into
   ``landing/<source>/<source>_<sequence>.csv`` (timestamps in UTC, booleans as true/false, each
   key of a ``json_columns`` column as a column of its own), under a temporary name that is
   synced and then renamed: a file in the landing folder is always complete;
3. with ``deletions:``, streams the table's whole key set (``COPY (select key ...)``) and writes a
   record_deletion row for every key of the previous extraction's set that is gone, into
   ``landing/<deletions source>/<source>_<sequence>.csv``;
4. only then saves its state under ``<data>/extract/<source>/`` (the watermark, the keys extracted
   within the lookback window, the key set), atomically. A crash before this step leaves the old
   state: the next extraction starts from the same watermark and writes the same file names
   again, so nothing is lost, and a file rewritten after it was ingested is that file's next
   version, of which staging keeps each record's latest: no record is counted twice.

The ingestion (``ingest.pipeline.Ingestor``) then takes the files like any landing file. Without a
connection string in the environment variable ``extract.dsn_env``, or with the server
unreachable, the extraction is skipped with the reason (``ExtractionResult.reason``), never an
error. The connection string, which may carry a password, is never logged, written or returned;
a connection error is reported with the password and the string removed.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import psycopg
from psycopg import errors, sql

from ingest.config import ExtractConfig, SourceConfig
from leadhouse.postgres_dsn import masked_error

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
_TIMESTAMP_TYPES = {1184: "timestamptz", 1114: "timestamp"}  # PostgreSQL type oids
_BOOLEAN_TYPE = 16
_JSON_TYPES = {3802: "jsonb", 114: "json"}
_MAX_JSON_KEYS = 1_000
_COPY_BUFFER_BYTES = 8 << 20


class ExtractionError(RuntimeError):
    """The database does not hold what the source config says (a missing table or column, a
    cursor that is no timestamp); the message names the config, the key and the fix."""


@dataclass
class ExtractionResult:
    """What one extraction did, for logs, asset metadata and the summary (never the DSN)."""

    source: str
    status: str  # extracted | skipped
    reason: str = ""  # why it was skipped
    rows: int = 0
    deletions: int = 0
    files: list[str] = field(default_factory=list)  # written, relative to the landing folder
    watermark: dict | None = None  # {cursor, key} of the last row extracted so far
    at: str = ""  # when it ran (UTC, ISO 8601)
    seconds: float = 0.0

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    def describe(self) -> str:
        if self.skipped:
            return f"{self.source}: skipped: {self.reason}"
        deleted = f", {self.deletions:,} deletion(s)" if self.deletions else ""
        return f"{self.source}: {self.rows:,} row(s) extracted{deleted} in {self.seconds:.1f} s"


def extract(
    config: SourceConfig,
    landing_dir: Path,
    state_root: Path,
    environ: Mapping[str, str] | None = None,
) -> ExtractionResult:
    """Extract what changed in ``config``'s table since the last extraction into
    ``landing_dir``; its state lives in ``state_root/<source>/``. Skipped (with the reason) when
    the connection string is not set or the server cannot be reached."""
    spec = _spec(config)
    environ = os.environ if environ is None else environ
    started = time.perf_counter()
    store = _StateStore(Path(state_root) / config.name)
    with store.locked():
        state = store.load()
        dsn = (environ.get(spec.dsn_env) or "").strip()
        reason = f"{spec.dsn_env} is not set" if not dsn else ""
        conn = None
        if dsn:
            try:
                conn = psycopg.connect(
                    dsn,
                    autocommit=True,
                    connect_timeout=max(1, round(spec.connect_timeout_seconds)),
                    application_name="leadhouse-extract",
                )
            except psycopg.Error as exc:
                reason = (
                    f"the server of {spec.dsn_env} is unreachable: {masked_error(dsn, exc)}"
                    if isinstance(exc, psycopg.OperationalError)
                    # libpq's message on a string it cannot read would quote parts of it
                    else f"{spec.dsn_env} is not a valid PostgreSQL connection string"
                )
        if conn is None:
            result = ExtractionResult(config.name, "skipped", reason=reason, at=_now_iso())
            result.watermark = state.get("watermark")
            store.save(state | {"last_run": asdict(result)})
            log.info("%s", result.describe())  # a skip is the caller's to report (the asset warns)
            return result
        with conn:
            result = _Extraction(config, spec, conn, Path(landing_dir), store, state).run(started)
    log.info("%s", result.describe())
    return result


def last_runs(configs: list[SourceConfig], state_root: Path) -> dict[str, dict | None]:
    """The last extraction of every extracted source (None: never run), from its saved state."""
    return {
        c.name: _StateStore(Path(state_root) / c.name).load().get("last_run") for c in configs if c.extract
    }


def _position(cursor_and_key: tuple[str, str]) -> tuple[datetime, str]:
    """Where a (cursor, key) pair sits in the extraction order (the cursor as a time, not as text)."""
    return datetime.fromisoformat(cursor_and_key[0]), cursor_and_key[1]


def summary_line(configs: list[SourceConfig], state_root: Path) -> str | None:
    """One line on the database sources' last extractions (None when no source is extracted)."""
    runs = last_runs(configs, state_root)
    if not runs:
        return None
    names = ", ".join(runs) if len(runs) <= 2 else f"{len(runs)} sources"
    done = {name: run for name, run in runs.items() if run}
    if not done:
        return f"CRM database ({names}): not extracted yet"
    reasons = {run["reason"] for run in done.values() if run["status"] == "skipped"}
    if (
        len(done) == len(runs)
        and all(run["status"] == "skipped" for run in done.values())
        and len(reasons) == 1
    ):
        return f"CRM database ({names}): skipped: {reasons.pop()}"
    parts = []
    for name, run in runs.items():
        if not run:
            parts.append(f"{name} not run")
        elif run["status"] == "skipped":
            parts.append(f"{name} skipped ({run['reason']})")
        else:
            deleted = f" + {run['deletions']:,} deleted" if run["deletions"] else ""
            parts.append(f"{name} {run['rows']:,}{deleted}")
    rows = sum(run["rows"] for run in done.values())
    return f"CRM database: {rows:,} rows extracted in the last run ({'; '.join(parts)})"


def _spec(config: SourceConfig) -> ExtractConfig:
    if config.extract is None:
        raise ValueError(f"{config.name}: the source has no extract section")
    return config.extract


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _StateStore:
    """``state.json`` and the key files it names, in one folder per source. The JSON is replaced
    atomically and names the key files of its own extraction, so a crash leaves the previous
    state whole; files no state names are leftovers and removed."""

    def __init__(self, folder: Path):
        self.folder = folder

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One extraction of a source at a time (a schedule and a manual run may overlap)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load(self) -> dict:
        path = self.folder / STATE_FILE
        if not path.is_file():
            return {"sequence": 0, "watermark": None, "recent_keys": None, "key_set": None}
        return json.loads(path.read_text())

    def keys(self, state: dict, entry: str, columns: list[str]) -> pl.DataFrame:
        name = state.get(entry)
        if not name:
            return pl.DataFrame(schema={c: pl.String() for c in columns})
        return pl.read_parquet(self.folder / name)

    def write_parquet(self, name: str, frame: pl.DataFrame) -> str:
        with _durable(self.folder / name) as handle:
            frame.write_parquet(handle)
        return name

    def save(self, state: dict) -> None:
        with _durable(self.folder / STATE_FILE) as handle:
            handle.write(json.dumps(state, indent=2).encode() + b"\n")
        keep = {STATE_FILE, ".lock", state.get("recent_keys"), state.get("key_set")}
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)


@contextmanager
def _durable(path: Path) -> Iterator[io.BufferedWriter]:
    """Write ``path`` under a temporary name, sync it, rename it into place, sync the folder: the
    file is either absent (or its old version) or complete, even after a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    try:
        with temporary.open("wb", buffering=_COPY_BUFFER_BYTES) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class _Extraction:
    """One extraction of one source, on one connection, in one snapshot."""

    def __init__(
        self,
        config: SourceConfig,
        spec: ExtractConfig,
        conn: psycopg.Connection,
        landing_dir: Path,
        store: _StateStore,
        state: dict,
    ):
        self.config, self.spec, self.conn = config, spec, conn
        self.landing_dir, self.store, self.state = landing_dir, store, state
        self.sequence = state["sequence"] + 1
        self.file_name = f"{config.name}_{self.sequence:06d}.csv"
        self.table = sql.Identifier(spec.pg_schema, spec.table).as_string(conn)
        self.rows = f"({spec.query.replace('{table}', self.table)})" if spec.query else self.table
        self.key = f"q.{self._ident(spec.key)}"
        self.cursor = f"q.{self._ident(spec.cursor)}"

    def _ident(self, name: str) -> str:
        return sql.Identifier(name).as_string(self.conn)

    def _literal(self, value) -> str:
        return sql.Literal(value).as_string(self.conn)

    def _fail(self, key: str, message: str) -> ExtractionError:
        return ExtractionError(f"{self.config.path or self.config.name}: extract.{key}: {message}")

    def run(self, started: float) -> ExtractionResult:
        conn, spec = self.conn, self.spec
        conn.execute("set timezone to 'UTC'")  # timestamps in the files and the state: UTC
        conn.execute("set datestyle to 'ISO'")
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction():
            (snapshot_at,) = conn.execute("select now()").fetchone()  # takes the snapshot
            columns = self._columns()
            cursor_type = _TIMESTAMP_TYPES[columns[spec.cursor]]
            self._load_seen_keys()
            increment = self._increment(cursor_type)
            last = conn.execute(
                f"select {self.cursor}::text, {self.key}::text from {self.rows} as q where {increment} "
                f"order by {self.cursor} desc, {self.key} desc limit 1"
            ).fetchone()
            files, rows = [], 0
            if last:
                rows = self._copy_rows(columns, increment)
                files.append(f"{self.config.name}/{self.file_name}")
            watermark = self.state.get("watermark")
            # Only late rows (committed below the watermark): the watermark stays where it was.
            if last and (
                watermark is None or _position(last) > _position((watermark["cursor"], watermark["key"]))
            ):
                watermark = {"cursor": last[0], "key": last[1]}
            recent = self._recent_keys(watermark, cursor_type, increment)
            key_set, deleted = self._deletions(snapshot_at) if spec.deletions else (None, 0)
            if deleted:
                files.append(f"{spec.deletions}/{self.file_name}")
        result = ExtractionResult(
            self.config.name, "extracted", rows=rows, deletions=deleted, files=files, watermark=watermark
        )
        result.at = _now_iso()
        # New names every time: the state being replaced keeps naming its own files until then.
        generation = time.time_ns()
        new_state = dict(self.state, watermark=watermark)
        if files:
            new_state["sequence"] = self.sequence
        new_state["recent_keys"] = self.store.write_parquet(f"recent_keys_{generation}.parquet", recent)
        if key_set is not None:
            new_state["key_set"] = self.store.write_parquet(f"key_set_{generation}.parquet", key_set)
        result.seconds = time.perf_counter() - started
        new_state["last_run"] = asdict(result)
        self.store.save(new_state)  # last: the files above are durable before the watermark moves
        return result

    def _columns(self) -> dict[str, int]:
        """The rows' columns and their type oids; the key, cursor and json columns checked."""
        spec = self.spec
        try:
            described = self.conn.execute(f"select * from {self.rows} as q limit 0").description
        except errors.UndefinedTable:
            raise self._fail(
                "table",
                f"{spec.relation} does not exist in the database of {spec.dsn_env}; create it (for the demo: "
                "python -m sample_data.crm_database) or fix extract.schema / extract.table",
            ) from None
        except psycopg.Error as exc:
            raise self._fail("query", f"the database refuses it: {' '.join(str(exc).split())}") from None
        columns = {d.name: d.type_code for d in described}
        for key in ("key", "cursor"):
            name = getattr(spec, key)
            if name not in columns:
                raise self._fail(
                    key, f"'{name}' is not a column of {spec.relation}; use one of: {', '.join(columns)}"
                )
        if columns[spec.cursor] not in _TIMESTAMP_TYPES:
            raise self._fail(
                "cursor",
                f"'{spec.cursor}' is not a timestamp column; name the timestamp the database sets on every "
                "insert and update (updated_at)",
            )
        for name in spec.json_columns:
            if columns.get(name) not in _JSON_TYPES:
                raise self._fail("json_columns", f"'{name}' is not a json or jsonb column of {spec.relation}")
        return columns

    def _load_seen_keys(self) -> None:
        """The (key, cursor) pairs extracted within the lookback window, into a temporary table
        the increment leaves out."""
        self.conn.execute(
            f"create temporary table leadhouse_seen on commit drop as "
            f"select {self.key}::text as key, {self.cursor} as cursor_value from {self.rows} as q limit 0"
        )
        seen = self.store.keys(self.state, "recent_keys", ["key", "cursor_value"])
        if seen.height:
            with self.conn.cursor().copy(
                "copy leadhouse_seen (key, cursor_value) from stdin (format csv)"
            ) as copy:
                copy.write(seen.write_csv(include_header=False))
            self.conn.execute("analyze leadhouse_seen")

    def _increment(self, cursor_type: str) -> str:
        """The rows not yet extracted: from the watermark minus the lookback on, except those
        already extracted with the same key and cursor."""
        not_seen = (
            "not exists (select 1 from leadhouse_seen as s "
            f"where s.key = {self.key}::text and s.cursor_value = {self.cursor})"
        )
        watermark = self.state.get("watermark")
        if not watermark:
            return f"{self.cursor} is not null"
        since = (
            f"cast({self._literal(watermark['cursor'])} as {cursor_type}) "
            f"- make_interval(secs => {float(self.spec.lookback_seconds)!r})"
        )
        return f"{self.cursor} >= {since} and {not_seen}"

    def _json_keys(self, column: str, increment: str) -> list[str]:
        keys = [
            key
            for (key,) in self.conn.execute(
                f"select distinct k from {self.rows} as q, jsonb_object_keys(q.{self._ident(column)}::jsonb) as k "
                f"where {increment} and jsonb_typeof(q.{self._ident(column)}::jsonb) = 'object' order by 1"
            ).fetchall()
        ]
        if len(keys) > _MAX_JSON_KEYS:
            raise self._fail(
                "json_columns",
                f"'{column}' has {len(keys):,} distinct keys in these rows (more than {_MAX_JSON_KEYS:,} columns); "
                "remove it from json_columns to keep it as one JSON column",
            )
        return keys

    def _select_list(self, columns: dict[str, int], increment: str) -> list[str]:
        """Every column as the ingestion reads it best: timestamps in UTC without an offset,
        booleans as true/false, each key of a json column as a column of its own (named
        ``<column>.<key>`` where a column of the row has the key's name)."""
        selected = []
        for name, type_code in columns.items():
            if name in self.spec.json_columns:
                continue
            column = f"q.{self._ident(name)}"
            if type_code == 1184:
                column = f"({column} at time zone 'UTC')"
            elif type_code == _BOOLEAN_TYPE:
                column = f"{column}::text"
            selected.append(f"{column} as {self._ident(name)}")
        taken = set(columns)
        for name in self.spec.json_columns:
            for key in self._json_keys(name, increment):
                output = key if key and key not in taken else f"{name}.{key}"
                taken.add(output)
                selected.append(
                    f"q.{self._ident(name)}::jsonb ->> {self._literal(key)} as {self._ident(output)}"
                )
        return selected

    def _copy_rows(self, columns: dict[str, int], increment: str) -> int:
        selected = self._select_list(columns, increment)
        # Keyset order; a query may give a key several rows, which every column then orders, so
        # the same rows always make the same file (a re-extraction after a crash is byte-equal).
        order = [self.cursor, self.key]
        if self.spec.query:
            order += [str(position) for position in range(1, len(selected) + 1)]
        statement = (
            f"copy (select {', '.join(selected)} from {self.rows} as q where {increment} "
            f"order by {', '.join(order)}) to stdout (format csv, header)"
        )
        path = self.landing_dir / self.config.name / self.file_name
        cursor = self.conn.cursor()
        with _durable(path) as handle, cursor.copy(statement) as copy:
            for data in copy:  # COPY's data messages, written as they arrive
                handle.write(data)
        return cursor.rowcount

    def _recent_keys(self, watermark: dict | None, cursor_type: str, increment: str) -> pl.DataFrame:
        """The pairs extracted so far whose cursor is within the lookback of the new watermark:
        the next extraction reads them again and must leave them out."""
        if not watermark:
            return pl.DataFrame(schema={"key": pl.String(), "cursor_value": pl.String()})
        since = (
            f"cast({self._literal(watermark['cursor'])} as {cursor_type}) "
            f"- make_interval(secs => {float(self.spec.lookback_seconds)!r})"
        )
        statement = (
            f"copy (select key, cursor_value::text from leadhouse_seen where cursor_value >= {since} "
            f"union select {self.key}::text, {self.cursor}::text from {self.rows} as q "
            f"where {increment} and {self.cursor} >= {since}) to stdout (format csv)"
        )
        return _read_copy(self.conn, statement, ["key", "cursor_value"])

    def _deletions(self, snapshot_at: datetime) -> tuple[pl.DataFrame, int]:
        """The table's key set now, and a record_deletion row for each key of the previous set
        that is gone, written to the deletions source's landing folder."""
        current = _read_copy(
            self.conn,
            f"copy (select {self._ident(self.spec.key)}::text from {self.table}) to stdout (format csv)",
            ["key"],
        )
        previous = self.store.keys(self.state, "key_set", ["key"])
        gone = previous.join(current, on="key", how="anti").sort("key")
        if gone.height:
            stamp = snapshot_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            deletions = gone.select(
                source_record_id=pl.lit(f"{self.config.name}:") + pl.col("key"),
                record_source=pl.lit(self.config.name),
                record_id=pl.col("key"),
                deleted_at=pl.lit(stamp),
            )
            with _durable(self.landing_dir / self.spec.deletions / self.file_name) as handle:
                deletions.write_csv(handle)
        return current, gone.height


def _read_copy(conn: psycopg.Connection, statement: str, columns: list[str]) -> pl.DataFrame:
    """The CSV a ``COPY ... TO STDOUT (format csv)`` streams, as text columns."""
    buffer = io.BytesIO()
    with conn.cursor().copy(statement) as copy:
        for data in copy:
            buffer.write(data)
    if not buffer.tell():
        return pl.DataFrame(schema={c: pl.String() for c in columns})
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema={c: pl.String() for c in columns})
