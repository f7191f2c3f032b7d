"""The retention cleanup: delete the old rows ``config/retention.yml`` describes, never one a mart
still references, and keep an account of every row removed.

Per rule, in one transaction: count the rows older than the cutoff (``as_of`` minus
``older_than_days``: the caller's clock, so a rerun with the same ``as_of`` selects the same rows and
deletes nothing more), list the ones to remove in ``ops.retention_removed`` (table, lineage, key,
age; never the row's values), delete them, and write the rule's counts in ``ops.retention_audit``.
A crash leaves a rule either done and accounted for, or untouched.

Safety before deleting anything:
- every column a rule names is checked against the database first (present, and a timestamp or a
  date where it tells age); a rule that does not fit stops the whole run (``RetentionError``)
  before any change;
- a table that does not exist yet is no error (nothing to delete), and a referenced relation that
  does not exist yet (before dbt's first build) makes the rule delete nothing: an absent mart
  cannot say which rows it references. Both are written in the audit row's ``note``.

``ingest.reconcile`` counts the raw rows listed in ``ops.retention_removed`` as still loaded,
quarantined or recorded as field issues, so the ingestion's invariant holds after a cleanup. A dry
run deletes nothing and lists nothing removed; its audit row says what it would have deleted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from leadhouse.warehouse import WAREHOUSE_CATALOGS
from ops.config import TIME_TYPES, RetentionConfig, RetentionRule
from ops.run_failures import SCHEMA, as_utc

log = logging.getLogger(__name__)

AUDIT_TABLE = f"{SCHEMA}.retention_audit"
REMOVED_TABLE = f"{SCHEMA}.retention_removed"

# Timestamps are naive UTC, as in the raw layer (ingest.raw_tables).
DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {AUDIT_TABLE} (
    run_id varchar not null,
    rule varchar not null,
    table_name varchar not null,
    as_of timestamp not null,
    cutoff timestamp not null,
    outcome varchar not null,
    rows_older bigint not null,
    rows_kept_recently_loaded bigint not null,
    rows_kept_referenced bigint not null,
    rows_selected bigint not null,
    rows_deleted bigint not null,
    dry_run boolean not null,
    note varchar,
    recorded_at timestamp not null
);
create table if not exists {REMOVED_TABLE} (
    run_id varchar not null,
    rule varchar not null,
    table_name varchar not null,
    source varchar,
    file varchar,
    file_version bigint,
    row_number bigint,
    row_key varchar,
    age_value timestamp,
    removed_at timestamp not null,
    recorded_at timestamp not null
);
"""

APPLIED, DRY_RUN, SKIPPED = "applied", "dry_run", "skipped"


class RetentionError(RuntimeError):
    """The configuration does not fit the warehouse (a column is missing): nothing was deleted."""


@dataclass
class RuleOutcome:
    """One rule's run. ``rows_older`` = ``rows_kept_recently_loaded`` + ``rows_kept_referenced`` +
    ``rows_selected``; ``rows_deleted`` is ``rows_selected``, or 0 in a dry run or when skipped."""

    rule: str
    table: str
    cutoff: datetime
    outcome: str  # applied | dry_run | skipped
    rows_older: int = 0
    rows_kept_recently_loaded: int = 0
    rows_kept_referenced: int = 0
    rows_selected: int = 0
    rows_deleted: int = 0
    note: str | None = None

    def describe(self) -> str:
        """One line: what the rule did, what it kept and why."""
        did = {
            APPLIED: f"{self.rows_deleted:,} deleted",
            DRY_RUN: f"{self.rows_selected:,} would be deleted (dry run)",
            SKIPPED: "skipped",
        }[self.outcome]
        line = (
            f"{self.rule} ({self.table}, older than {self.cutoff:%Y-%m-%d %H:%M} UTC): {did}; kept "
            f"{self.rows_kept_referenced:,} referenced, {self.rows_kept_recently_loaded:,} recently loaded"
        )
        return line + (f" ({self.note})" if self.note else "")


@dataclass
class RetentionReport:
    run_id: str
    as_of: datetime
    dry_run: bool
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def rows_deleted(self) -> int:
        return sum(rule.rows_deleted for rule in self.rules)

    @property
    def skipped(self) -> list[RuleOutcome]:
        return [rule for rule in self.rules if rule.outcome == SKIPPED]

    def summary(self) -> str:
        return "\n".join(rule.describe() for rule in self.rules)

    def metadata(self) -> dict[str, Any]:
        """The run in plain values (for the orchestration's materialization metadata)."""
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "rows_deleted": self.rows_deleted,
            "skipped_rules": [rule.rule for rule in self.skipped],
            "rules": {
                rule.rule: {
                    "table": rule.table,
                    "outcome": rule.outcome,
                    "cutoff": rule.cutoff.isoformat(),
                    "rows_older": rule.rows_older,
                    "rows_kept_recently_loaded": rule.rows_kept_recently_loaded,
                    "rows_kept_referenced": rule.rows_kept_referenced,
                    "rows_selected": rule.rows_selected,
                    "rows_deleted": rule.rows_deleted,
                    "note": rule.note,
                }
                for rule in self.rules
            },
        }


def ensure_retention_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(DDL)


def _quote(name: str) -> str:
    """``schema.table`` or ``column`` as a quoted identifier (names are validated by ops.config)."""
    return ".".join(f'"{part}"' for part in name.split("."))


def _columns(conn: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str] | None:
    """Columns (name -> type) of a table or view of the current database; None when it does not exist."""
    schema, name = relation.split(".")
    rows = conn.execute(
        "select column_name, data_type from information_schema.columns "
        f"where table_catalog in {WAREHOUSE_CATALOGS} and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return dict(rows) if rows else None


@dataclass
class _Plan:
    """What one rule will do, found before anything is changed."""

    rule: RetentionRule
    cutoff: datetime  # naive UTC
    table_exists: bool = True
    missing_relations: list[str] = field(default_factory=list)
    age_type: str = "TIMESTAMP"
    loaded_type: str = "TIMESTAMP"

    @property
    def skip_note(self) -> str | None:
        if not self.table_exists:
            return f"{self.rule.table} does not exist: nothing to delete"
        if self.missing_relations:
            return (
                f"{', '.join(self.missing_relations)} does not exist (dbt has not built it yet): nothing "
                "deleted, since a missing mart cannot say which rows it references"
            )
        return None


def _plan(conn: duckdb.DuckDBPyConnection, rule: RetentionRule, as_of: datetime) -> tuple[_Plan, list[str]]:
    """The rule's plan, and the problems that forbid running any rule."""
    plan = _Plan(rule, (as_of - timedelta(days=rule.older_than_days)).replace(tzinfo=None))
    where = f"rules[{rule.name}]"
    columns = _columns(conn, rule.table)
    if columns is None:
        plan.table_exists = False
        return plan, []
    problems = []
    needed = {rule.age_column: "age_column", rule.cleanable.loaded_column: "its load time"} | {
        column: "unless_referenced_by" for reference in rule.unless_referenced_by for column in reference.on
    }
    for column, role in needed.items():
        if column not in columns:
            problems.append(
                f"{where}: {rule.table} has no column {column!r} ({role}); is the warehouse older than the code?"
            )
    plan.age_type = columns.get(rule.age_column, "TIMESTAMP")
    plan.loaded_type = columns.get(rule.cleanable.loaded_column, "TIMESTAMP")
    for column, data_type in (
        (rule.age_column, plan.age_type),
        (rule.cleanable.loaded_column, plan.loaded_type),
    ):
        if data_type not in TIME_TYPES:
            problems.append(f"{where}: {rule.table}.{column} is {data_type}, not a timestamp or a date")
    for reference in rule.unless_referenced_by:
        relation_columns = _columns(conn, reference.relation)
        if relation_columns is None:
            plan.missing_relations.append(reference.relation)
            continue
        for column in reference.on.values():
            if column not in relation_columns:
                problems.append(
                    f"{where}.unless_referenced_by: {reference.relation} has no column {column!r}; "
                    "match the rule's `on` to the mart's columns"
                )
    return plan, problems


def _execute(conn: duckdb.DuckDBPyConnection, sql: str, parameters: dict) -> duckdb.DuckDBPyConnection:
    """``sql`` with the named parameters it uses (DuckDB refuses any it does not)."""
    return conn.execute(sql, {name: parameters[name] for name in set(re.findall(r"\$(\w+)", sql))})


def _before(column: str, data_type: str, parameter: str) -> str:
    """``t.<column> < $<parameter>`` in UTC whatever the column's type: a TIMESTAMP WITH TIME ZONE
    is compared with the aware parameter, the naive ones with the naive UTC one."""
    suffix = "_tz" if data_type == "TIMESTAMP WITH TIME ZONE" else ""
    return f"t.{_quote(column)} < ${parameter}{suffix}"


def _as_naive_utc(column: str, data_type: str) -> str:
    if data_type == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', t.{_quote(column)})"
    return f"cast(t.{_quote(column)} as timestamp)"


def _referenced(rule: RetentionRule) -> str:
    """True when a relation of ``unless_referenced_by`` has a row matching ``t``."""
    checks = [
        f"exists (select 1 from {_quote(reference.relation)} as ref where "
        + " and ".join(
            f"ref.{_quote(relation_column)} is not distinct from t.{_quote(table_column)}"
            for table_column, relation_column in reference.on.items()
        )
        + ")"
        for reference in rule.unless_referenced_by
    ]
    return "(" + " or ".join(checks) + ")" if checks else "false"


def _apply(
    conn: duckdb.DuckDBPyConnection, plan: _Plan, as_of: datetime, run_id: str, dry_run: bool
) -> RuleOutcome:
    """Count, list, delete and audit one rule; the caller holds the transaction."""
    rule, table = plan.rule, plan.rule.cleanable
    skip_note = plan.skip_note
    outcome = RuleOutcome(
        rule.name,
        rule.table,
        plan.cutoff,
        SKIPPED if skip_note else DRY_RUN if dry_run else APPLIED,
        note=skip_note,
    )
    as_of_naive = as_of.replace(tzinfo=None)
    loaded_cutoff = as_of - timedelta(days=rule.keep_if_loaded_within_days)
    parameters = {
        "cutoff": plan.cutoff,
        "cutoff_tz": plan.cutoff.replace(tzinfo=UTC),
        "loaded_cutoff": loaded_cutoff.replace(tzinfo=None),
        "loaded_cutoff_tz": loaded_cutoff,
    }
    old = _before(rule.age_column, plan.age_type, "cutoff")
    # A row whose load time is unknown is kept, like one loaded recently.
    loaded_before = (
        f"coalesce({_before(table.loaded_column, plan.loaded_type, 'loaded_cutoff')}, false)"
        if rule.keep_if_loaded_within_days
        else "true"
    )
    if plan.table_exists:
        # With a referenced relation missing, no row counts as referenced: none is selected either.
        referenced = "false" if plan.missing_relations else _referenced(rule)
        # The old rows first, a scan of one column: the usual answer is none, and then the marts
        # (8.4 M activities at 1,000,000 leads) are never joined.
        (older,) = _execute(
            conn, f"select count(*) from {_quote(rule.table)} as t where {old}", parameters
        ).fetchone()
        if older:  # else the counts stay 0
            outcome.rows_older, outcome.rows_kept_recently_loaded, outcome.rows_kept_referenced = _execute(
                conn,
                f"select count(*), count(*) filter (where not {loaded_before}), "
                f"count(*) filter (where {loaded_before} and {referenced}) "
                f"from {_quote(rule.table)} as t where {old}",
                parameters,
            ).fetchone()
        if not skip_note:
            outcome.rows_selected = (
                outcome.rows_older - outcome.rows_kept_recently_loaded - outcome.rows_kept_referenced
            )
    selected = f"{old} and {loaded_before} and not {_referenced(rule)}"
    if outcome.outcome == APPLIED and outcome.rows_selected:
        (listed,) = _execute(
            conn,
            f"insert into {REMOVED_TABLE} (run_id, rule, table_name, source, file, file_version, row_number, "
            "row_key, age_value, removed_at, recorded_at) "
            f"select $run_id, $rule, $table, {table.source}, {table.file}, {table.file_version}, "
            f"{table.row_number}, {table.row_key}, {_as_naive_utc(rule.age_column, plan.age_type)}, "
            f"$as_of, $recorded_at from {_quote(rule.table)} as t where {selected}",
            parameters
            | {
                "run_id": run_id,
                "rule": rule.name,
                "table": rule.table,
                "as_of": as_of_naive,
                "recorded_at": datetime.now(UTC).replace(tzinfo=None),
            },
        ).fetchone()
        (deleted,) = _execute(
            conn, f"delete from {_quote(rule.table)} as t where {selected}", parameters
        ).fetchone()
        if not listed == deleted == outcome.rows_selected:
            raise RetentionError(
                f"rules[{rule.name}]: selected {outcome.rows_selected:,} rows of {rule.table} but listed "
                f"{listed:,} and deleted {deleted:,}; rolled back, nothing deleted"
            )
        outcome.rows_deleted = deleted
    conn.execute(
        f"insert into {AUDIT_TABLE} (run_id, rule, table_name, as_of, cutoff, outcome, rows_older, "
        "rows_kept_recently_loaded, rows_kept_referenced, rows_selected, rows_deleted, dry_run, note, recorded_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            rule.name,
            rule.table,
            as_of_naive,
            plan.cutoff,
            outcome.outcome,
            outcome.rows_older,
            outcome.rows_kept_recently_loaded,
            outcome.rows_kept_referenced,
            outcome.rows_selected,
            outcome.rows_deleted,
            dry_run,
            outcome.note,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    return outcome


def run_retention(
    conn: duckdb.DuckDBPyConnection,
    config: RetentionConfig,
    as_of: datetime,
    run_id: str,
    dry_run: bool = False,
) -> RetentionReport:
    """Apply every enabled rule of ``config`` as of ``as_of`` (naive: UTC), each in its own
    transaction (``conn``: a write connection outside a transaction). Raises ``RetentionError``
    before any change when a rule does not fit the warehouse."""
    as_of = as_utc(as_of)
    plans, problems = [], []
    for rule in config.enabled_rules:
        plan, rule_problems = _plan(conn, rule, as_of)
        plans.append(plan)
        problems += rule_problems
    if problems:
        raise RetentionError(
            "retention cannot run; nothing was deleted:\n" + "\n".join(f"  {p}" for p in problems)
        )
    ensure_retention_tables(conn)
    report = RetentionReport(run_id, as_of, dry_run)
    for plan in plans:
        conn.begin()
        try:
            outcome = _apply(conn, plan, as_of, run_id, dry_run)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        log.info("retention %s: %s", plan.rule.name, outcome.note or f"{outcome.rows_deleted:,} rows deleted")
        report.rules.append(outcome)
    return report
