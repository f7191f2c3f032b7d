"""One sync run: read the model, keep what consent allows, diff against what the destination last
accepted, deliver the difference in batches, and log every row's fate in the warehouse.

Tables (schema ``exports``, created on first use; docs/exports.md):
- ``sync_state``: per sync, destination and key, the fingerprint of the mapped values the
  destination last accepted. A row is sent when its fingerprint differs (or it is new); the first
  run (or ``full_resync``) sends everything; a row the destination refused keeps its old state, so
  it is sent again next run.
- ``sync_runs``: one row per run with its counts and status (running, succeeded, failed,
  interrupted, skipped).
- ``sync_log``: one row per row sent or refused (operation, status, message, batch).

Order of work per batch: the destination is written first, then its fate and the new state are
committed in one warehouse transaction. A crash between the two re-sends that batch on the next
run, which every destination applies idempotently by key: nothing duplicated, nothing lost. Files
are deferred: one file per run, renamed to its final name only after the run is committed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from exports.config import CONSENT_COLUMNS, SyncConfig
from exports.delivery import Delivery, DestinationError, DestinationUnavailable, TransientError
from exports.destinations import KEY, Destination, destination_identity, open_destination

log = logging.getLogger(__name__)

SQL_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "timestamp": "timestamptz",
    "date": "date",
}
COUNTED = (
    "queried",
    "added",
    "changed",
    "removed",
    "unchanged",
    "excluded",
    "invalid",
    "rejected",
    "sent",
    "failed",
)

DDL = """
create schema if not exists exports;
create table if not exists exports.sync_state (
    sync varchar not null,
    destination varchar not null,
    key varchar not null,
    fingerprint varchar not null,
    synced_at timestamptz not null,
    run_id varchar not null,
    primary key (sync, destination, key)
);
create table if not exists exports.sync_runs (
    sync varchar not null,
    run_id varchar not null,
    destination varchar,
    mode varchar not null,
    full_resync boolean not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_queried bigint, rows_added bigint, rows_changed bigint, rows_removed bigint,
    rows_unchanged bigint, rows_excluded bigint, rows_invalid bigint, rows_rejected bigint,
    rows_sent bigint, rows_failed bigint,
    retries bigint,
    status varchar not null,
    message varchar,
    output_path varchar
);
create table if not exists exports.sync_log (
    sync varchar not null,
    run_id varchar not null,
    key varchar,
    operation varchar not null,
    status varchar not null,
    message varchar,
    batch integer,
    logged_at timestamptz not null
);
"""


def ensure_export_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(DDL)


@dataclass
class SyncReport:
    sync: str
    run_id: str
    destination: str | None = None
    status: str = "running"
    message: str = ""
    queried: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    excluded: int = 0
    invalid: int = 0
    rejected: int = 0
    sent: int = 0
    failed: int = 0
    retries: int = 0
    seconds: float = 0.0
    output_path: str | None = None
    sample: list[dict] = field(default_factory=list)  # a dry run's preview of the diff
    recovered: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Rows this run tried to deliver or found invalid."""
        return self.added + self.changed + self.removed + self.invalid

    @property
    def failed_rate(self) -> float:
        return failed_rate(self.invalid, self.rejected, self.attempted)

    def as_dict(self) -> dict:
        return asdict(self) | {"failed_rate": self.failed_rate}

    def summary(self) -> str:
        parts = [f"{name} {getattr(self, name):,}" for name in COUNTED]
        return (
            f"{self.sync} [{self.status}] "
            + ", ".join(parts)
            + (f" ({self.message})" if self.message else "")
        )


def failed_rate(invalid: int, rejected: int, attempted: int) -> float:
    """The share of the rows a run tried (sent or found invalid) that were invalid or rejected."""
    return (invalid + rejected) / attempted if attempted else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def plan_sql(config: SyncConfig) -> str:
    """The model's rows as the destination will receive them: key, typed fields, a fingerprint of
    the fields, why a row cannot be sent (null or duplicate key, a value the type refuses) and
    whether consent excludes it."""
    fields = list(config.fields.items())
    typed = []
    checks = []
    for i, (name, mapping) in enumerate(fields):
        column = _quote(mapping.column)
        sql_type = SQL_TYPES[mapping.type]
        typed.append(f"try_cast({column} as {sql_type}) as f{i}")
        typed.append(f"({column} is not null and try_cast({column} as {sql_type}) is null) as bad{i}")
        typed.append(f"cast({column} as varchar) as raw{i}")
        checks.append(
            f"case when bad{i} then {_literal(f'{name}: ' + chr(39))} || left(raw{i}, 80) || "
            f"{_literal(chr(39) + ' is not ' + ('an ' if mapping.type == 'integer' else 'a ') + mapping.type)} end"
        )
    where = []
    for condition in config.filters:
        column = _quote(condition.column)
        if condition.in_ is not None:
            values = ", ".join(
                _literal(str(v).lower() if isinstance(v, bool) else str(v)) for v in condition.in_
            )
            where.append(f"cast({column} as varchar) in ({values})")
        if condition.not_null:
            where.append(f"{column} is not null")
    consent = " or ".join(f"coalesce({_quote(c)}, true)" for c in CONSENT_COLUMNS)  # unknown: not sent
    fingerprint = ", ".join(f"coalesce(cast(f{i} as varchar), chr(0))" for i in range(len(fields)))
    return f"""
        with model_rows as (
            select
                cast({_quote(config.key)} as varchar) as sync_key,
                {", ".join(typed)},
                ({consent}) as excluded_by_consent
            from {_quote(config.schema_name)}.{_quote(config.table_name)}
            {"where " + " and ".join(where) if where else ""}
        ),
        keyed as (
            select *, count(*) over (partition by sync_key) as key_rows
            from model_rows
        )
        select
            sync_key,
            {", ".join(f"f{i}" for i in range(len(fields)))},
            md5(concat_ws(chr(31), {fingerprint})) as fingerprint,
            case
                when sync_key is null then 'null key'
                when key_rows > 1 then 'duplicate key: ' || key_rows || ' rows of the model have it'
                else nullif(concat_ws('; ', {", ".join(checks)}), '')
            end as invalid_reason,
            excluded_by_consent
        from keyed
    """


def check_model(conn: duckdb.DuckDBPyConnection, config: SyncConfig) -> None:
    columns = {
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [config.schema_name, config.table_name],
        ).fetchall()
    }
    where = f"{config.path or config.name}"
    if not columns:
        raise DestinationError(f"{where}: model {config.model} is not in the warehouse; build it first (dbt)")
    needed = {config.key, *CONSENT_COLUMNS, *(m.column for m in config.fields.values())}
    needed |= {f.column for f in config.filters}
    missing = sorted(needed - columns)
    if missing:
        raise DestinationError(
            f"{where}: {config.model} has no column {', '.join(missing)} (every export model carries "
            f"{' and '.join(CONSENT_COLUMNS)}; docs/exports.md)"
        )


class SyncRun:
    """One run of one sync against a warehouse connection (the single writer)."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        config: SyncConfig,
        exports_dir: Path,
        run_id: str | None = None,
        full_resync: bool = False,
        progress: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.conn = conn
        # Timestamps are typed, fingerprinted and sent in UTC whatever the host's zone.
        conn.execute("set TimeZone = 'UTC'")
        self.config = config
        self.exports_dir = exports_dir
        self.full_resync = full_resync
        self.progress = progress or log.info
        self.report = SyncReport(sync=config.name, run_id=run_id or uuid.uuid4().hex[:12])
        destination = config.destination
        self.delivery = Delivery(destination.retry, destination.requests_per_second, self.progress, sleep)

    # -- planning -------------------------------------------------------------------------------

    def _plan(self, identity: str) -> None:
        config = self.config
        check_model(self.conn, config)
        self.conn.execute(f"create or replace temp table sync_plan as {plan_sql(config)}")
        insert_only = config.mode == "insert_only"
        self.conn.execute(
            f"""
            create or replace temp table sync_diff as
            select
                plan.*,
                case
                    when plan.invalid_reason is not null then 'invalid'
                    when plan.excluded_by_consent then 'excluded'
                    when state.key is null then 'add'
                    when {"false" if insert_only else "true"}
                        and (? or state.fingerprint <> plan.fingerprint) then 'change'
                    else 'unchanged'
                end as operation
            from sync_plan as plan
            left join (select key, fingerprint from exports.sync_state where sync = ? and destination = ?) as state
                on plan.sync_key = state.key
            """,
            [self.full_resync, config.name, identity],
        )
        removed = []
        if config.mode == "mirror":
            removed = [
                row[0]
                for row in self.conn.execute(
                    """
                    select key from exports.sync_state as state
                    where sync = ? and destination = ?
                      and not exists (
                          select 1 from sync_plan as plan
                          where plan.sync_key = state.key and not plan.excluded_by_consent
                      )
                    order by key
                    """,
                    [config.name, identity],
                ).fetchall()
            ]
        self.removed_keys = removed
        counts = dict(
            self.conn.execute("select operation, count(*) from sync_diff group by operation").fetchall()
        )
        report = self.report
        report.queried = sum(counts.values())
        report.added = counts.get("add", 0)
        report.changed = counts.get("change", 0)
        report.unchanged = counts.get("unchanged", 0)
        report.excluded = counts.get("excluded", 0)
        report.invalid = counts.get("invalid", 0)
        report.removed = len(removed)

    def _rows_to_send(self) -> pl.DataFrame:
        fields = ", ".join(f"f{i} as {_quote(name)}" for i, name in enumerate(self.config.fields))
        return self.conn.execute(
            f"""
            select sync_key as {KEY}, {fields}, fingerprint, operation
            from sync_diff where operation in ('add', 'change')
            order by sync_key
            """
        ).pl()

    # -- recording ------------------------------------------------------------------------------

    def _start(self, identity: str | None, status: str = "running") -> None:
        report = self.report
        self.started_at = _now()
        self.conn.execute(
            "update exports.sync_runs set status = 'interrupted', finished_at = ?, "
            "message = 'the run stopped before it finished (killed or crashed); the next run resumed its work' "
            "where sync = ? and status = 'running'",
            [self.started_at, report.sync],
        )
        self.conn.execute(
            "insert into exports.sync_runs (sync, run_id, destination, mode, full_resync, started_at, status) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [
                report.sync,
                report.run_id,
                identity,
                self.config.mode,
                self.full_resync,
                self.started_at,
                status,
            ],
        )

    def _finish(self, status: str, message: str = "") -> None:
        report = self.report
        report.status = status
        report.message = message
        report.retries = self.delivery.retries
        self.conn.execute(
            """
            update exports.sync_runs set
                finished_at = ?, rows_queried = ?, rows_added = ?, rows_changed = ?, rows_removed = ?,
                rows_unchanged = ?, rows_excluded = ?, rows_invalid = ?, rows_rejected = ?, rows_sent = ?,
                rows_failed = ?, retries = ?, status = ?, message = ?, output_path = ?
            where sync = ? and run_id = ?
            """,
            [
                _now(), report.queried, report.added, report.changed, report.removed, report.unchanged,
                report.excluded, report.invalid, report.rejected, report.sent, report.failed, report.retries,
                status, message or None, report.output_path, report.sync, report.run_id,
            ],
        )  # fmt: skip

    def _log_invalid(self) -> None:
        self.conn.execute(
            """
            insert into exports.sync_log
            select ?, ?, sync_key, 'check', 'invalid', invalid_reason, null, ?
            from sync_diff where operation = 'invalid'
            """,
            [self.report.sync, self.report.run_id, _now()],
        )

    def _record(
        self, identity: str, outcomes: list[tuple[int, pl.DataFrame, dict[str, str]]], run_done: bool = False
    ) -> None:
        """The fate of delivered batches and the state they leave, in one transaction (with
        ``run_done``, the run's success too: a deferred destination's rows count all at once)."""
        now = _now()
        logs, accepted, removed = [], [], []
        for batch, frame, rejected in outcomes:
            refused = pl.Series("refused", [k in rejected for k in frame[KEY]], dtype=pl.Boolean)
            frame = frame.with_columns(refused)
            logs.append(
                frame.select(
                    pl.col(KEY).alias("key"),
                    pl.col("operation"),
                    pl.when(pl.col("refused"))
                    .then(pl.lit("rejected"))
                    .otherwise(pl.lit("sent"))
                    .alias("status"),
                    pl.col(KEY)
                    .replace_strict(rejected, default=None, return_dtype=pl.String)
                    .alias("message"),
                    pl.lit(batch, pl.Int32).alias("batch"),
                )
            )
            done = frame.filter(~pl.col("refused"))
            accepted.append(done.filter(pl.col("operation") != "remove").select(KEY, "fingerprint"))
            removed.append(done.filter(pl.col("operation") == "remove").select(KEY))
        log_rows = pl.concat(logs) if logs else pl.DataFrame()
        accepted_rows = pl.concat(accepted) if accepted else pl.DataFrame()
        removed_rows = pl.concat(removed) if removed else pl.DataFrame()
        report = self.report
        for _, frame, rejected in outcomes:
            report.rejected += len(rejected)
            report.sent += frame.height - len(rejected)
        self.conn.begin()
        try:
            if log_rows.height:
                self.conn.register("batch_log", log_rows)
                self.conn.execute(
                    "insert into exports.sync_log "
                    "select ?, ?, key, operation, status, message, batch, ? from batch_log",
                    [report.sync, report.run_id, now],
                )
                self.conn.unregister("batch_log")
            if accepted_rows.height:
                self.conn.register("batch_accepted", accepted_rows)
                self.conn.execute(
                    "insert or replace into exports.sync_state "
                    f"select ?, ?, {KEY}, fingerprint, ?, ? from batch_accepted",
                    [report.sync, identity, now, report.run_id],
                )
                self.conn.unregister("batch_accepted")
            if removed_rows.height:
                self.conn.register("batch_removed", removed_rows)
                self.conn.execute(
                    f"delete from exports.sync_state where sync = ? and destination = ? "
                    f"and key in (select {KEY} from batch_removed)",
                    [report.sync, identity],
                )
                self.conn.unregister("batch_removed")
            if run_done:
                self._finish("succeeded")
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def _log_failed(self, batch: int, frame: pl.DataFrame, reason: str) -> None:
        self.report.failed += frame.height
        failed = frame.select(
            pl.col(KEY).alias("key"),
            pl.col("operation"),
        )
        self.conn.register("batch_failed", failed)
        self.conn.execute(
            "insert into exports.sync_log select ?, ?, key, operation, 'failed', ?, ?, ? from batch_failed",
            [self.report.sync, self.report.run_id, reason, batch, _now()],
        )
        self.conn.unregister("batch_failed")

    # -- the run ----------------------------------------------------------------------------------

    def committed_output(self, run_id: str) -> str | None:
        row = self.conn.execute(
            "select output_path from exports.sync_runs where sync = ? and run_id = ? and status = 'succeeded'",
            [self.config.name, run_id],
        ).fetchone()
        return row[0] if row else None

    def dry_run(self, sample_size: int = 10) -> SyncReport:
        """The counts and a sample of the diff; nothing sent, nothing recorded."""
        ensure_export_tables(self.conn)
        try:
            identity = destination_identity(self.config, self.exports_dir)
        except DestinationUnavailable as exc:
            self.report.status, self.report.message = "skipped", f"destination not configured here: {exc}"
            return self.report
        except DestinationError as exc:
            self.report.status, self.report.message = "failed", str(exc)
            return self.report
        self.report.destination = identity
        self._plan(identity)
        sample = self._rows_to_send().head(sample_size).drop("fingerprint")
        self.report.sample = sample.rename({KEY: self.config.key}).to_dicts()
        self.report.sample += [
            {self.config.key: k, "operation": "remove"} for k in self.removed_keys[:sample_size]
        ]
        invalid = self.conn.execute(
            "select sync_key, invalid_reason from sync_diff where operation = 'invalid' order by sync_key limit ?",
            [sample_size],
        ).fetchall()
        self.report.sample += [{self.config.key: k, "operation": "invalid", "reason": r} for k, r in invalid]
        self.report.status = "dry_run"
        return self.report

    def run(self) -> SyncReport:
        ensure_export_tables(self.conn)
        report = self.report
        began = time.perf_counter()
        try:
            identity = destination_identity(self.config, self.exports_dir)
        except DestinationUnavailable as exc:
            self._start(None, "skipped")
            self._finish("skipped", f"destination not configured here: {exc}")
            return report
        except DestinationError as exc:
            self._start(None)
            self._finish("failed", str(exc))
            return report
        report.destination = identity
        self._start(identity)
        self.committed = False  # a deferred destination's rows are recorded as delivered
        try:
            destination = open_destination(self.config, report.run_id, self.exports_dir, self.delivery)
        except DestinationUnavailable as exc:
            self._finish("skipped", f"destination not configured here: {exc}")
            return report
        except (DestinationError, TransientError) as exc:
            self._finish("failed", str(exc))
            return report
        except Exception as exc:
            self._finish(
                "failed", f"unexpected {type(exc).__name__} opening the destination; see the run's log"
            )
            raise
        try:
            report.recovered = destination.recover(self.committed_output)
            for line in report.recovered:
                self.progress(f"recovered: {line}")
            self._plan(identity)
            self._log_invalid()
            self.progress(
                f"{report.sync}: {report.queried:,} rows in {self.config.model}: {report.added:,} new, "
                f"{report.changed:,} changed, {report.removed:,} removed, {report.unchanged:,} unchanged, "
                f"{report.excluded:,} excluded by consent, {report.invalid:,} invalid"
            )
            self._deliver(destination, identity)
        except (DestinationError, TransientError) as exc:
            destination.discard()
            self._finish("failed", str(exc))
            return report
        except Exception as exc:  # a bug or an error nobody foresaw: recorded, then raised as it is
            if not self.committed:
                destination.discard()
                self._finish("failed", f"unexpected {type(exc).__name__}; see the run's log")
            # else: the run is committed as succeeded and its file waits as .partial: the next run's
            # recover() gives it its final name (discarding it would lose rows the state calls sent)
            raise
        finally:
            destination.close()
            report.seconds = round(time.perf_counter() - began, 3)
        return report

    def _deliver(self, destination: Destination, identity: str) -> None:
        report = self.report
        rows = self._rows_to_send()
        batch_size = self.config.destination.batch_size
        batches = [rows.slice(start, batch_size) for start in range(0, rows.height, batch_size)]
        if self.removed_keys:
            removals = pl.DataFrame(
                {KEY: self.removed_keys, "fingerprint": None, "operation": "remove"},
                schema={KEY: pl.String, "fingerprint": pl.String, "operation": pl.String},
            )
            batches += [removals.slice(s, batch_size) for s in range(0, removals.height, batch_size)]
        pending: list[tuple[int, pl.DataFrame, dict[str, str]]] = []
        for number, frame in enumerate(batches, start=1):
            is_removal = frame["operation"][0] == "remove"
            try:
                if is_removal:
                    rejected = destination.delete(frame[KEY].to_list())
                else:
                    rejected = destination.upsert(frame.drop("fingerprint", "operation"), self.config.mode)
            except (TransientError, DestinationError) as exc:
                reason = f"not delivered: {exc}"
                for earlier_number, earlier, _ in pending:  # in a file that is now discarded
                    self._log_failed(earlier_number, earlier, "not delivered: the run's file was discarded")
                self._log_failed(number, frame, reason)
                for later_number, later in enumerate(batches[number:], start=number + 1):
                    self._log_failed(
                        later_number, later, "not attempted: an earlier batch could not be delivered"
                    )
                raise
            if destination.deferred:
                pending.append((number, frame, rejected))
            else:
                self._record(identity, [(number, frame, rejected)])
            self.progress(
                f"{report.sync}: batch {number}/{len(batches)}: {frame.height - len(rejected):,} "
                f"{'removed' if is_removal else 'sent'}, {len(rejected):,} rejected"
            )
        if destination.deferred:
            report.output_path = destination.output_path() if pending else None
            destination.finish()
            self._record(identity, pending, run_done=True)
            self.committed = True
            if pending:
                destination.publish()
        else:
            self._finish("succeeded")


def run_sync(
    conn: duckdb.DuckDBPyConnection,
    config: SyncConfig,
    exports_dir: Path,
    run_id: str | None = None,
    full_resync: bool = False,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncReport:
    sync = SyncRun(conn, config, exports_dir, run_id, full_resync, progress, sleep)
    return sync.dry_run() if dry_run else sync.run()


def last_run(conn: duckdb.DuckDBPyConnection, sync: str) -> dict | None:
    """The newest finished run of a sync (what its asset check judges)."""
    ensure_export_tables(conn)
    frame = conn.execute(
        "select * from exports.sync_runs where sync = ? and status <> 'running' order by started_at desc limit 1",
        [sync],
    ).pl()
    return frame.to_dicts()[0] if frame.height else None


@dataclass(frozen=True)
class DeliveryVerdict:
    passed: bool
    description: str
    failed_rate: float | None


def judge_delivery(run: dict | None, max_failed_rate: float) -> DeliveryVerdict:
    """Whether a sync's newest run delivered well enough: its invalid + rejected rows are at most
    ``max_failed_rate`` of the rows it tried; a run that could not deliver fails; a skipped run
    (no destination here) passes and says why."""
    if run is None:
        return DeliveryVerdict(True, "the sync has not run yet", None)
    status = run["status"]
    if status == "skipped":
        return DeliveryVerdict(True, f"skipped: {run['message']}", None)
    if status != "succeeded":
        return DeliveryVerdict(False, f"the run {status}: {run['message'] or 'no message'}", None)
    attempted = sum(run[c] or 0 for c in ("rows_added", "rows_changed", "rows_removed", "rows_invalid"))
    refused = (run["rows_invalid"] or 0) + (run["rows_rejected"] or 0)
    rate = failed_rate(run["rows_invalid"] or 0, run["rows_rejected"] or 0, attempted)
    passed = rate <= max_failed_rate
    return DeliveryVerdict(
        passed,
        f"{refused:,} of {attempted:,} rows invalid or rejected ({rate:.2%}; at most {max_failed_rate:.2%})",
        rate,
    )
