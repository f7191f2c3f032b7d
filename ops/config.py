"""Retention settings: ``config/retention.yml``, validated on load.

A rule names a table, the timestamp that makes its rows old and how old is too old, and the marts
that may still reference its rows. The settings become SQL (``ops.retention``): table and column
names are identifiers in it, so nothing passes unchecked. Tables come from a fixed list
(``CLEANABLE_TABLES``: the raw layer's activities, status changes, quarantine and field issues, the
export log, the run failures; never a lead record, the ledger or a mart), columns must be the
table's as the project creates it, and a referenced relation must be a mart dbt builds. Errors
name the file, the key and the fix.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exports.engine import ensure_export_tables
from ingest.raw_tables import ensure_raw_tables
from ingest.schemas import ACTIVITY, STATUS_CHANGE
from leadhouse.config_files import ConfigFileError, identifier_problems, read_yaml, validation_error_lines
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from ops.run_failures import ensure_run_failure_table

CONFIG_PATH = PROJECT_ROOT / "config" / "retention.yml"
CONFIG_FILE = "config/retention.yml"
DOCS = "the comments in config/retention.yml"
MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
RELATION = re.compile(r"^marts\.([a-z][a-z0-9_]{0,62})$")
TIME_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE")


@dataclass(frozen=True)
class CleanableTable:
    """A table retention may delete from, and what ``ops.retention_removed`` keeps of a removed
    row: SQL expressions over the row (alias ``t``) for its lineage, so a removed raw row still
    reconciles with the ledger (``ingest.reconcile``), and a key that traces it, never its values.
    ``loaded_column`` is when the row arrived in the warehouse."""

    name: str
    loaded_column: str
    row_key: str
    source: str = "null"
    file: str = "null"
    file_version: str = "null"
    row_number: str = "null"


def _raw_entity_table(table: str) -> CleanableTable:
    return CleanableTable(
        name=f"raw.{table}",
        loaded_column="_ingested_at",
        row_key="t.source_record_id",
        source="t.source",
        file="t._file",
        file_version="t._file_version",
        row_number="t._row_number",
    )


def _raw_lineage_table(table: str, loaded_column: str, row_key: str) -> CleanableTable:
    return CleanableTable(
        name=f"raw.{table}",
        loaded_column=loaded_column,
        row_key=row_key,
        source="t.source",
        file="t.file",
        file_version="t.file_version",
        row_number="t.row_number",
    )


CLEANABLE_TABLES: dict[str, CleanableTable] = {
    table.name: table
    for table in (
        _raw_entity_table(ACTIVITY.table),
        _raw_entity_table(STATUS_CHANGE.table),
        # A quarantined row has no trustworthy id: its lineage is its key.
        _raw_lineage_table("quarantine", "quarantined_at", "null"),
        _raw_lineage_table(
            "field_issues", "recorded_at", "coalesce(t.column_name, 'attributes.' || t.native_column)"
        ),
        CleanableTable("exports.sync_log", "logged_at", "concat_ws('/', t.sync, t.run_id, t.key)"),
        CleanableTable("ops.run_failures", "recorded_at", "t.run_id"),
    )
}

TableName = Literal[tuple(CLEANABLE_TABLES)]  # type: ignore[valid-type]


@functools.cache
def table_columns() -> dict[str, dict[str, str]]:
    """Columns (name -> DuckDB type) of every cleanable table, as the project's own DDL creates
    them (in an in-memory database): one definition of each table, read rather than copied."""
    with duckdb.connect() as conn:
        ensure_raw_tables(conn)
        ensure_export_tables(conn)
        ensure_run_failure_table(conn)
        rows = conn.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns"
        ).fetchall()
    columns: dict[str, dict[str, str]] = {name: {} for name in CLEANABLE_TABLES}
    for table, column, data_type in rows:
        if table in columns:
            columns[table][column] = data_type
    return columns


def mart_models(marts_dir: Path = MARTS_DIR) -> set[str]:
    """The models of ``dbt_project/models/marts/`` (built into the ``marts`` schema)."""
    return {path.stem for pattern in ("*.sql", "*.py") for path in marts_dir.rglob(pattern)}


class RetentionConfigError(ConfigFileError):
    """The retention config is wrong; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reference(_Strict):
    relation: str
    on: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _on_read_as_true(cls, data: Any) -> Any:
        """YAML 1.1 (PyYAML) reads an unquoted ``on:`` key as the boolean true."""
        if not (isinstance(data, dict) and True in data):
            return data
        if "on" in data:
            raise ValueError("`on` is given twice (an unquoted on: and a quoted 'on':); keep one")
        return {("on" if key is True else key): value for key, value in data.items()}


class RetentionRule(_Strict):
    name: str
    table: TableName
    age_column: str
    older_than_days: int = Field(ge=1, le=36_500)
    keep_if_loaded_within_days: int = Field(0, ge=0, le=36_500)
    unless_referenced_by: list[Reference] = []
    enabled: bool = True

    @property
    def cleanable(self) -> CleanableTable:
        return CLEANABLE_TABLES[self.table]


class RetentionConfig(_Strict):
    version: int
    rules: list[RetentionRule]

    @property
    def enabled_rules(self) -> list[RetentionRule]:
        return [rule for rule in self.rules if rule.enabled]


def _rule_problems(rule: RetentionRule, marts: set[str]) -> list[tuple[str, str]]:
    where = f"rules[{rule.name}]"
    columns = table_columns()[rule.table]
    problems = identifier_problems(f"{where}.name", rule.name, "a rule name")
    time_columns = [name for name, data_type in columns.items() if data_type in TIME_TYPES]
    if rule.age_column not in time_columns:
        problems.append(
            (
                f"{where}.age_column",
                f"{rule.table} has no timestamp column {rule.age_column!r}; use one of {time_columns}",
            )
        )
    for position, reference in enumerate(rule.unless_referenced_by):
        key = f"{where}.unless_referenced_by[{position}]"
        match = RELATION.match(reference.relation)
        if not match:
            problems.append((f"{key}.relation", f"name a mart as marts.<model> (not {reference.relation!r})"))
        elif match.group(1) not in marts:
            problems.append(
                (
                    f"{key}.relation",
                    f"dbt builds no mart {match.group(1)!r} (no such model under dbt_project/models/marts/); "
                    "check the spelling",
                )
            )
        if not reference.on:
            problems.append((f"{key}.on", f"map one or more columns of {rule.table} to the relation's"))
        for table_column, relation_column in reference.on.items():
            if table_column not in columns:
                problems.append(
                    (
                        f"{key}.on.{table_column}",
                        f"{rule.table} has no column {table_column!r}; use one of {list(columns)}",
                    )
                )
            problems += identifier_problems(
                f"{key}.on.{table_column}", relation_column, "a column of the relation"
            )
    return problems


def _problems(config: RetentionConfig, marts: set[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if config.version != 1:
        problems.append(
            ("version", f"version {config.version} is not supported; this Leadhouse reads version 1")
        )
    seen: set[str] = set()
    for rule in config.rules:
        if rule.name in seen:
            problems.append(
                (f"rules[{rule.name}].name", f"name {rule.name!r} is used twice; give each rule its own")
            )
        seen.add(rule.name)
        problems += _rule_problems(rule, marts)
    return problems


def parse_retention_config(
    data: Any, path: Path = CONFIG_PATH, marts: set[str] | None = None
) -> RetentionConfig:
    """Validate settings already read (``path`` names them in errors); referenced relations are
    checked against ``marts`` (default: the models under dbt_project/models/marts/)."""
    if not isinstance(data, dict):
        raise RetentionConfigError(f"{path}: expected a mapping of keys (version, rules)")
    try:
        config = RetentionConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS)
    else:
        problems = _problems(config, mart_models() if marts is None else marts)
        lines = [f"  {key}: {message}" for key, message in problems]
        if not lines:
            return config
    raise RetentionConfigError(f"{path}: invalid retention config\n" + "\n".join(lines))


def load_retention_config(path: Path | None = None) -> RetentionConfig:
    """``config/retention.yml`` (or ``path``), validated."""
    path = CONFIG_PATH if path is None else Path(path)
    return parse_retention_config(read_yaml(path, "retention config", RetentionConfigError), path)
