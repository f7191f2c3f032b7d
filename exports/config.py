"""Sync definitions: one YAML file per sync under ``config/exports/``, validated on load.

A sync says which warehouse model to read, which column is the key, how its columns map onto the
destination's fields (and to which type), which rows to send (filters), the mode and the
destination. Consent is not optional: a row whose lead is do-not-contact or erased is never sent,
and a field a destination may not hold is refused when the file is loaded. Errors name the file,
the key and the fix (the style of ``ingest.config``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leadhouse.config_files import ConfigFileError, read_yaml

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
FIELD_TYPES = ("string", "integer", "number", "boolean", "timestamp", "date")
MODES = ("upsert", "update_only", "insert_only", "mirror")
# The warehouse columns every export model carries for consent (marts/exports/_exports__models.yml).
CONSENT_COLUMNS = ("is_do_not_contact", "is_erased")


class SyncConfigError(ConfigFileError):
    """A sync config is wrong; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMapping(_Strict):
    """A destination field: the model column it comes from and the type it must convert to."""

    column: str = Field(pattern=IDENTIFIER)
    type: Literal["string", "integer", "number", "boolean", "timestamp", "date"] = "string"


class Filter(_Strict):
    """Rows whose ``column`` is one of ``in`` (and, with ``not_null``, has a value)."""

    column: str = Field(pattern=IDENTIFIER)
    in_: list[str | int | float | bool] | None = Field(None, alias="in")
    not_null: bool = False

    @model_validator(mode="after")
    def _says_something(self) -> Filter:
        if self.in_ is None and not self.not_null:
            raise ValueError(f"filter on {self.column} needs `in: [...]` or `not_null: true`")
        if self.in_ is not None and not self.in_:
            raise ValueError(f"filter on {self.column}: `in` is empty; list at least one value")
        return self


class Retry(_Strict):
    max_attempts: int = Field(6, ge=1, le=20)
    initial_seconds: float = Field(0.5, gt=0)
    max_wait_seconds: float = Field(60.0, gt=0)  # also the ceiling on a Retry-After the server asks for


class _Destination(_Strict):
    batch_size: int = Field(1000, ge=1, le=100_000)
    requests_per_second: float | None = Field(None, gt=0)  # the destination's rate limit
    retry: Retry = Retry()
    # Fields the destination may hold; a mapped field outside this list is refused on load.
    allowed_fields: list[str] | None = None


class PostgresDestination(_Destination):
    kind: Literal["postgres"]
    dsn_env: str = Field("LEADHOUSE_CRM_DSN", pattern=IDENTIFIER)
    db_schema: str = Field("public", alias="schema", pattern=IDENTIFIER)
    table: str = Field(pattern=IDENTIFIER)
    key_column: str = Field(pattern=IDENTIFIER)
    batch_size: int = Field(10_000, ge=1, le=100_000)


class HttpDestination(_Destination):
    kind: Literal["http"]
    url: str | None = None
    url_env: str | None = Field(None, pattern=IDENTIFIER)  # wins over url when set in the environment
    token_env: str | None = Field(None, pattern=IDENTIFIER)
    upsert_path: str = "/batch/upsert"
    delete_path: str = "/batch/delete"
    batch_size: int = Field(100, ge=1, le=1000)
    timeout_seconds: float = Field(10.0, gt=0)

    @model_validator(mode="after")
    def _has_url(self) -> HttpDestination:
        if not self.url and not self.url_env:
            raise ValueError("give `url` or `url_env` (the environment variable holding the endpoint)")
        if self.url and re.search(r"(token|key|secret|password)=", self.url, re.IGNORECASE):
            raise ValueError(
                "the url carries a credential; put it in the environment variable named by token_env"
            )
        return self


class FileDestination(_Destination):
    kind: Literal["file"]
    format: Literal["csv", "parquet", "jsonl"] = "csv"
    # Column names of the file: the mapping's own, or the import templates' style of a CRM.
    column_style: Literal["as_mapped", "hubspot", "salesforce"] = "as_mapped"
    # Under <LEADHOUSE_DATA_DIR>/exports/ unless absolute; one file per run, named by its run.
    directory: str | None = None
    batch_size: int = Field(50_000, ge=1, le=1_000_000)


Destination = Annotated[PostgresDestination | HttpDestination | FileDestination, Field(discriminator="kind")]


class SyncConfig(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    model: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")  # schema.table in the warehouse
    key: str = Field(pattern=IDENTIFIER)
    mode: Literal["upsert", "update_only", "insert_only", "mirror"] = "upsert"
    # destination field -> model column (a bare column name) or {column, type}
    fields: dict[str, FieldMapping]
    filters: list[Filter] = []
    destination: Destination
    # The invalid + rejected share of the rows a run tried to send above which its check fails.
    max_failed_rate: float = Field(0.01, ge=0, le=1)
    path: Path | None = Field(None, exclude=True)

    @field_validator("fields", mode="before")
    @classmethod
    def _bare_columns(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"column": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("fields")
    @classmethod
    def _not_empty(cls, value: dict[str, FieldMapping]) -> dict[str, FieldMapping]:
        if not value:
            raise ValueError("map at least one field (destination field: model column)")
        for name in value:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_ .-]*$", name):
                raise ValueError(
                    f"'{name}' is not a field name a destination accepts (letters, digits, _ . -)"
                )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SyncConfig:
        destination = self.destination
        if destination.allowed_fields is not None:
            refused = [f for f in self.fields if f not in destination.allowed_fields]
            if refused:
                raise ValueError(
                    f"fields: {', '.join(refused)} may not be sent to this destination "
                    f"(destination.allowed_fields: {', '.join(destination.allowed_fields)}); remove them"
                )
        if isinstance(destination, FileDestination) and self.mode in ("update_only", "mirror"):
            raise ValueError(
                f"mode: a file destination cannot {self.mode.replace('_', ' ')}; use upsert or insert_only"
            )
        if isinstance(destination, HttpDestination) and self.mode in ("update_only", "insert_only"):
            raise ValueError(
                f"mode: a batch upsert API cannot {self.mode.replace('_', ' ')} (it creates or updates); "
                "use upsert or mirror"
            )
        if isinstance(destination, PostgresDestination) and destination.key_column in self.fields:
            raise ValueError(
                f"fields.{destination.key_column}: the key column is written from `key`; remove it from fields"
            )
        return self

    @property
    def schema_name(self) -> str:
        return self.model.split(".")[0]

    @property
    def table_name(self) -> str:
        return self.model.split(".")[1]


def _format_validation_error(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = [str(p) for p in item["loc"] if not str(p).startswith(("function-", "tagged-union"))]
        location = [p for p in location if p not in ("postgres", "http", "file")] or ["(top level)"]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling (docs/exports.md)"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "union_tag_invalid":
            message = "destination.kind must be postgres, http or file"
        lines.append(f"  {'.'.join(location)}: {message}")
    return f"{path}: invalid sync config\n" + "\n".join(lines)


def load_sync_config(path: Path) -> SyncConfig:
    path = Path(path)
    data = read_yaml(path, "sync config", SyncConfigError)
    if not isinstance(data, dict):
        raise SyncConfigError(
            f"{path}: expected a mapping of keys (name, model, key, fields, destination, ...)"
        )
    try:
        config = SyncConfig(**data, path=path)
    except ValidationError as exc:
        raise SyncConfigError(_format_validation_error(path, exc)) from exc
    if config.name != path.stem:
        raise SyncConfigError(
            f"{path}: name: '{config.name}' differs from the file name; rename the file to "
            f"{config.name}.yml or set name: {path.stem}"
        )
    return config


def load_sync_configs(directory: Path) -> list[SyncConfig]:
    """Every ``*.yml``/``*.yaml`` in ``directory``, sorted by name (none is fine: nothing to sync)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SyncConfigError(f"{directory}: sync config directory does not exist (LEADHOUSE_EXPORTS)")
    return [load_sync_config(p) for p in sorted(directory.iterdir()) if p.suffix in (".yml", ".yaml")]
