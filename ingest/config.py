"""Source definitions: one YAML file per source, validated on load.

A source config says where a source's files are, how to read them and how its native columns map
onto the canonical schema of its entity (``ingest.schemas``). Adding a CSV or JSON Lines source
takes a config file and nothing else. Errors name the file, the key and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.schemas import ENTITIES, Entity

DEFAULT_FILES = {"csv": "*.csv", "jsonl": "*.jsonl"}
DATETIME_KINDS = ("datetime", "date")


class SourceConfigError(ValueError):
    """A source config is wrong; the message names the file, the key and the fix."""


class CsvOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delimiter: str = Field(",", min_length=1, max_length=1)
    quote: str = Field('"', min_length=1, max_length=1)
    encoding: str = "utf-8"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            b"a".decode(value)  # unknown names and non-text codecs (base64, ...) raise LookupError
        except LookupError:
            raise ValueError(
                f"'{value}' is not a text encoding Python knows; use e.g. utf-8, latin-1, cp1252, utf-16"
            ) from None
        except UnicodeError:
            pass  # a real encoding ("a" alone is not valid UTF-16)
        return value


class SplitName(BaseModel):
    """Fill first_name/last_name from one full-name column ("Jane Doe" or "DOE, JANE")."""

    model_config = ConfigDict(extra="forbid")

    column: str
    order: Literal["first_last", "last_first"] = "first_last"


SQL_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class ExtractConfig(BaseModel):
    """Where an extracted source's rows come from (``ingest.crm_database``): a PostgreSQL table (or
    a query over it) read incrementally by a timestamp cursor into ``landing/<source>/``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["postgres"]
    # The environment variable holding the connection string (never the string itself: it may
    # carry a password, and configs are committed).
    dsn_env: str = Field("LEADHOUSE_CRM_DSN", pattern=r"^[A-Z_][A-Z0-9_]*$")
    pg_schema: str = Field("public", alias="schema", pattern=SQL_NAME)
    table: str = Field(pattern=SQL_NAME)
    # A timestamp column the source system sets on every insert and update (never null).
    cursor: str = Field("updated_at", pattern=SQL_NAME)
    # The row's id: with the cursor, what tells rows extracted before from new ones.
    key: str = Field("id", pattern=SQL_NAME)
    # Rows whose cursor is at most this much older than the watermark are read again (and those
    # already extracted at the same key and cursor left out): a transaction that commits after an
    # extraction a row stamped before its watermark still arrives.
    lookback_seconds: float = Field(300.0, ge=0)
    # The rows, when not the table as it is: a select over `{table}` returning the key and cursor
    # columns (e.g. several status records per lead row).
    query: str | None = None
    # jsonb columns whose keys become columns of their own (kept in `attributes` unless mapped).
    json_columns: list[str] = []
    # The record_deletion source that receives a record for every row deleted from the table.
    deletions: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    connect_timeout_seconds: float = Field(10.0, gt=0)

    @field_validator("json_columns")
    @classmethod
    def _json_columns_are_names(cls, value: list[str]) -> list[str]:
        for column in value:
            if not re.match(SQL_NAME, column):
                raise ValueError(f"'{column}' is not a column name (letters, digits and _)")
        return value

    @field_validator("query")
    @classmethod
    def _query_reads_the_table(cls, value: str | None) -> str | None:
        if value is not None and "{table}" not in value:
            raise ValueError(
                "the query must read the table as {table} (replaced by the quoted schema.table); "
                "e.g. select ... from {table} as l"
            )
        return value

    @property
    def relation(self) -> str:
        return f"{self.pg_schema}.{self.table}"


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    entity: str  # a key of ingest.schemas.ENTITIES
    description: str = ""
    format: Literal["csv", "jsonl"]
    files: str | None = None
    csv: CsvOptions = CsvOptions()
    # canonical column -> native column (dotted paths reach into nested JSON objects)
    columns: dict[str, str] = {}
    # canonical column -> constant, used where the source has no value
    defaults: dict[str, Any] = {}
    date_formats: dict[str, list[str]] = {}
    split_name: SplitName | None = None
    phone_region: str = "US"
    timezone: str = "UTC"
    null_values: list[str] = [""]
    require_any: list[str] | None = None
    # Columns whose bad value quarantines the whole row (by default only the entity's required
    # columns do; any other bad value is nulled and recorded in raw.field_issues).
    strict: list[str] = []
    # A file not ending in a newline and modified less than this many seconds ago may still be
    # being written: it waits for the next run.
    settle_seconds: float = Field(60.0, ge=0)
    # A source whose rows are read from a database by Leadhouse itself (ingest.crm_database)
    # before they are ingested, instead of being dropped into its landing folder by someone else.
    extract: ExtractConfig | None = None
    path: Path | None = Field(None, exclude=True)

    @property
    def schema(self) -> Entity:
        return ENTITIES[self.entity]

    @property
    def file_glob(self) -> str:
        return self.files or DEFAULT_FILES[self.format]

    @property
    def contact_fields(self) -> tuple[str, ...]:
        """At least one of these must be present on every row."""
        if self.require_any is None:
            return self.schema.require_any
        return tuple(self.require_any)

    @property
    def row_level_columns(self) -> tuple[str, ...]:
        """Columns whose missing or bad value quarantines the row: the record's id (a blank one
        is derived from the row's content where the entity allows), the entity's required columns
        and the config's strict ones."""
        return tuple(dict.fromkeys(("source_record_id", *self.schema.required, *self.strict)))

    def mapping(self, native_columns: list[str]) -> dict[str, str]:
        """canonical -> native for this file: the configured mapping, plus every native column
        that already carries a canonical name and is not mapped elsewhere."""
        mapped = dict(self.columns)
        used = set(mapped.values())
        for column in self.schema.columns:
            name = column.name
            if not column.derived and name not in mapped and name in native_columns and name not in used:
                mapped[name] = name
        return mapped

    @field_validator("entity")
    @classmethod
    def _entity_is_known(cls, value: str) -> str:
        if value not in ENTITIES:
            raise ValueError(
                f"'{value}' is not an entity; use one of: {', '.join(ENTITIES)} (docs/schemas.md)"
            )
        return value

    @field_validator("date_formats")
    @classmethod
    def _formats_not_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for column, formats in value.items():
            if not formats:
                raise ValueError(f"date_formats.{column} is empty; list at least one format")
        return value

    @model_validator(mode="after")
    def _keys_are_canonical(self) -> SourceConfig:
        schema = self.schema
        known = [c.name for c in schema.columns if not c.derived]
        for section in ("columns", "defaults", "date_formats"):
            for key in getattr(self, section):
                if key not in known:
                    derived = key in schema.column_names
                    raise ValueError(
                        f"{section}.{key}: '{key}' is "
                        + (
                            "computed by the ingestion, not read from the source; remove it"
                            if derived
                            else f"not a column of the {schema.name} schema; use one of: {', '.join(known)} "
                            "(docs/schemas.md)"
                        )
                    )
        for key in self.strict:
            if key not in known:
                raise ValueError(
                    f"strict: '{key}' is not a column of the {schema.name} schema; use one of: {', '.join(known)}"
                )
        for key in self.date_formats:
            if schema.column(key).kind not in DATETIME_KINDS:
                raise ValueError(f"date_formats.{key}: '{key}' is not a date or timestamp column")
        for key in self.require_any or []:
            if key not in known:
                raise ValueError(f"require_any: '{key}' is not a column of the {schema.name} schema")
        if self.split_name and self.entity != "lead":
            raise ValueError("split_name: only lead sources have first_name/last_name")
        if self.extract:
            if self.format != "csv":
                raise ValueError(
                    "format: an extracted source is written as CSV by its extraction; use format: csv"
                )
            if self.files is not None or self.csv != CsvOptions():
                raise ValueError(
                    "extract: the extraction names and writes the files of its source; remove files and csv"
                )
            if self.extract.deletions == self.name:
                raise ValueError(
                    f"extract.deletions: '{self.name}' is this source; name the record_deletion source"
                )
        return self


_PATTERN_FIXES = {
    SQL_NAME: "use a plain SQL name: letters, digits and _, not starting with a digit",
    r"^[a-z][a-z0-9_]*$": "use lower_snake_case: a-z, 0-9 and _, starting with a letter",
    r"^[A-Z_][A-Z0-9_]*$": "name an environment variable: A-Z, 0-9 and _, e.g. LEADHOUSE_CRM_DSN",
}


def _format_validation_error(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling (docs/adding_a_source.md)"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "string_pattern_mismatch":
            pattern = item["ctx"]["pattern"]
            message = f"{item['input']!r} is not allowed here; " + _PATTERN_FIXES.get(
                pattern, f"it must match {pattern}"
            )
        lines.append(f"  {key}: {message}")
    return f"{path}: invalid source config\n" + "\n".join(lines)


def load_source_config(path: Path) -> SourceConfig:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourceConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceConfigError(f"{path}: expected a mapping of keys (name, entity, format, ...)")
    try:
        config = SourceConfig(**data, path=path)
    except ValidationError as exc:
        raise SourceConfigError(_format_validation_error(path, exc)) from exc
    if config.name != path.stem:
        raise SourceConfigError(
            f"{path}: name: '{config.name}' differs from the file name; rename the file to "
            f"{config.name}.yml or set name: {path.stem}"
        )
    return config


def load_source_configs(directory: Path) -> list[SourceConfig]:
    """Every ``*.yml``/``*.yaml`` in ``directory``, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SourceConfigError(f"{directory}: source config directory does not exist (LEADHOUSE_SOURCES)")
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))
    configs = [load_source_config(p) for p in paths]
    if not configs:
        raise SourceConfigError(f"{directory}: no source configs (*.yml) found (LEADHOUSE_SOURCES)")
    by_name = {c.name: c for c in configs}
    for config in configs:
        target = config.extract.deletions if config.extract else None
        if target is None:
            continue
        if target not in by_name:
            raise SourceConfigError(
                f"{config.path}: extract.deletions: '{target}' is not a source in {directory}; add "
                f"{target}.yml (entity: record_deletion, format: csv) or remove the key"
            )
        if by_name[target].entity != "record_deletion" or by_name[target].extract:
            raise SourceConfigError(
                f"{config.path}: extract.deletions: '{target}' is a {by_name[target].entity} source; name "
                "a source with entity: record_deletion and no extract section"
            )
    return configs


def extracted_sources(configs: list[SourceConfig]) -> set[str]:
    """The sources whose landing files an extraction writes: the extracted ones and the
    record_deletion sources they feed."""
    return {c.name for c in configs if c.extract} | {
        c.extract.deletions for c in configs if c.extract and c.extract.deletions
    }
