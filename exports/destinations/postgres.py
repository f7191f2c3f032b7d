"""A table in the CRM's PostgreSQL: each batch COPYed into a temporary table and applied with one
statement inside one transaction (UPDATE ... FROM, INSERT ... ON CONFLICT, DELETE ... USING).

A batch PostgreSQL refuses for its data (a value the column cannot take, a unique email already
used) is split in halves until the refused rows are alone: they are rejected with PostgreSQL's
message, the rest is written. A lost connection is transient (retried with a new connection).
"""

from __future__ import annotations

import io

import polars as pl
import psycopg
from psycopg import sql

from exports.config import PostgresDestination, SyncConfig
from exports.delivery import Delivery, DestinationError, TransientError
from exports.destinations import KEY, DeliversAtOnce, Rejections, required_env
from leadhouse.postgres_dsn import masked_error

_BATCH_TABLE = "leadhouse_sync_batch"
# Refusals that are about a row although psycopg classes them otherwise: a CRM trigger's RAISE
# EXCEPTION (P0001) and a value beyond a limit, such as an index row too large (54000).
_ROW_REFUSALS = ("P0001", "54000")


class _RowRefused(Exception):
    """PostgreSQL refused this batch because of some of its rows (``_ROW_REFUSALS``)."""


# The key as the warehouse sent it: PostgreSQL would answer with its own spelling (a uuid lower-cased).
_SENT_KEY = "leadhouse_sent_key"


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class PostgresTable(DeliversAtOnce):
    def __init__(
        self, destination: PostgresDestination, config: SyncConfig, delivery: Delivery, identity: str
    ):
        self.destination = destination
        self.fields = list(config.fields)
        self.delivery = delivery
        self.identity = identity
        self._dsn = required_env(destination.dsn_env, "the CRM database's connection string")
        self._conn: psycopg.Connection | None = None
        try:
            delivery.call(self._connect)
            self._check_table()
        except BaseException:
            self.close()
            raise

    # -- connection ---------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(
                    self._dsn, connect_timeout=10, application_name="leadhouse-export"
                )
            except psycopg.OperationalError as exc:
                message = masked_error(self._dsn, exc)
                raise TransientError(f"cannot connect to the CRM database: {message}") from None
        return self._conn

    def _check_table(self) -> None:
        conn = self._connect()
        try:
            rows = conn.execute(
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
                (self.destination.db_schema, self.destination.table),
            ).fetchall()
            conn.rollback()
        except psycopg.Error as exc:
            raise DestinationError(f"{self.identity}: {_first_line(exc)}") from None
        columns = {r[0] for r in rows}
        if not columns:
            raise DestinationError(f"{self.identity}: no such table (or no privilege to see it)")
        missing = [c for c in [self.destination.key_column, *self.fields] if c not in columns]
        if missing:
            raise DestinationError(f"{self.identity}: no column {', '.join(missing)}; fix the sync's fields")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    # -- writes ---------------------------------------------------------------------------------

    def _identifiers(self, names: list[str]) -> sql.Composed:
        return sql.SQL(", ").join(sql.Identifier(n) for n in names)

    def _statement(self, mode: str, fields: list[str]) -> sql.Composed:
        table = sql.Identifier(self.destination.db_schema, self.destination.table)
        key = sql.Identifier(self.destination.key_column)
        batch = sql.Identifier(_BATCH_TABLE)
        columns = [self.destination.key_column, *fields]
        if mode == "update_only":
            assignments = sql.SQL(", ").join(sql.SQL("{0} = b.{0}").format(sql.Identifier(f)) for f in fields)
            return sql.SQL(
                "update {t} as t set {a} from {b} as b where t.{k} = b.{k} returning b.{sent}"
            ).format(t=table, a=assignments, b=batch, k=key, sent=sql.Identifier(_SENT_KEY))
        if mode == "delete":
            return sql.SQL(
                "delete from {t} as t using {b} as b where t.{k} = b.{k} returning b.{sent}"
            ).format(t=table, b=batch, k=key, sent=sql.Identifier(_SENT_KEY))
        conflict = (
            sql.SQL("do nothing")
            if mode == "insert_only"
            else sql.SQL("do update set {}").format(
                sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(f)) for f in fields)
            )
        )
        return sql.SQL("insert into {t} ({c}) select {c} from {b} on conflict ({k}) {conflict}").format(
            t=table, c=self._identifiers(columns), b=batch, k=key, conflict=conflict
        )

    def _apply(self, batch: pl.DataFrame, mode: str, fields: list[str]) -> set[str]:
        """One transaction: the batch into a temporary table, then the statement; the keys it touched."""
        conn = self._connect()
        columns = [self.destination.key_column, *fields]
        data = io.BytesIO()
        batch.select(KEY, *fields, pl.col(KEY).alias(_SENT_KEY)).write_csv(data, include_header=False)
        table = sql.Identifier(self.destination.db_schema, self.destination.table)
        try:
            with conn.transaction():
                with conn.cursor() as cur:
                    cur.execute(
                        sql.SQL(
                            "create temp table {b} on commit drop as select {c}, ''::text as {s} from {t} with no data"
                        ).format(
                            b=sql.Identifier(_BATCH_TABLE),
                            c=self._identifiers(columns),
                            s=sql.Identifier(_SENT_KEY),
                            t=table,
                        )
                    )
                    with cur.copy(
                        sql.SQL("copy {b} ({c}) from stdin (format csv)").format(
                            b=sql.Identifier(_BATCH_TABLE), c=self._identifiers([*columns, _SENT_KEY])
                        )
                    ) as copy:
                        copy.write(data.getvalue())
                    cur.execute(self._statement(mode, fields))
                    return {row[0] for row in cur.fetchall()} if cur.description else set()
        except (psycopg.DataError, psycopg.IntegrityError):
            raise  # this batch's rows: _write isolates them
        except psycopg.Error as exc:
            if exc.sqlstate in _ROW_REFUSALS:
                raise _RowRefused(_first_line(exc)) from None
            if not isinstance(exc, psycopg.OperationalError | psycopg.errors.ConnectionException):
                # a privilege, a missing column: no row of any batch will pass
                raise DestinationError(f"{self.identity}: {_first_line(exc)}") from None
            if self._conn is not None and not self._conn.closed:
                self._conn.close()
            raise TransientError(f"{self.identity}: {_first_line(exc)}") from None

    def _write(self, batch: pl.DataFrame, mode: str, fields: list[str]) -> tuple[set[str], Rejections]:
        try:
            return self.delivery.call(lambda: self._apply(batch, mode, fields)), {}
        except (psycopg.DataError, psycopg.IntegrityError, _RowRefused) as exc:
            if batch.height == 1:
                return set(), {batch[KEY][0]: f"refused by {self.identity}: {_first_line(exc)}"}
        half = batch.height // 2
        first_done, first_refused = self._write(batch.head(half), mode, fields)
        second_done, second_refused = self._write(batch.tail(batch.height - half), mode, fields)
        return first_done | second_done, first_refused | second_refused

    def upsert(self, batch: pl.DataFrame, mode: str) -> Rejections:
        touched, rejected = self._write(batch, mode, self.fields)
        if mode == "update_only":
            for key in batch[KEY]:
                if key not in touched and key not in rejected:
                    rejected[key] = f"no row with {self.destination.key_column} = {key} in {self.identity}"
        # insert_only: a row already there is left as it is (that is the mode), not refused
        return rejected

    def delete(self, keys: list[str]) -> Rejections:
        _, rejected = self._write(pl.DataFrame({KEY: keys}, schema={KEY: pl.String}), "delete", [])
        return rejected  # a row already gone is what a delete wants
