"""Where Leadhouse reads and writes, from environment variables (documented in the README).

- ``LEADHOUSE_DATA_DIR`` (default ``data``): root of ``landing/<source>/``,
  ``warehouse/leadhouse.duckdb``, ``published/`` and ``exports/``.
- ``LEADHOUSE_SOURCES`` (default ``config/sources``): the source definitions.
- ``LEADHOUSE_MODEL_DIR`` (default ``models``): the model registry.
- ``LEADHOUSE_EXPORTS`` (default ``config/exports``): the reverse-ETL syncs (``exports``).
- ``LEADHOUSE_ENGINE`` (default ``duckdb``; or ``spark``): the engine dbt builds on
  (``leadhouse.engines``, docs/scale-out.md).
- ``LEADHOUSE_AS_OF`` (default: the moment each dbt command starts): the "now" of the marts that
  depend on it (scores' activity windows, follow-up queues, SLAs, staleness), an ISO date or
  timestamp in UTC. Pinning it makes a rerun give the same answer.

Defaults are relative to the project root; a relative path given in a variable is relative to
the current directory, as a user typing it in a shell expects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leadhouse.engines import engine_from_env
from leadhouse.warehouse import marts_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

_DEFAULTS = {
    "LEADHOUSE_DATA_DIR": "data",
    "LEADHOUSE_SOURCES": "config/sources",
    "LEADHOUSE_MODEL_DIR": "models",
    "LEADHOUSE_EXPORTS": "config/exports",
}


def _path(variable: str, environ: os._Environ | dict) -> Path:
    value = environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / _DEFAULTS[variable]).resolve()


def parse_as_of(text: str, name: str = "as_of") -> datetime:
    """An ISO date (midnight) or timestamp; naive means UTC, an offset is converted to UTC; to
    the second."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{name}: {text!r} is not an ISO date or timestamp; use e.g. 2026-11-01 or 2026-11-01T09:30:00Z"
        ) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0)


def as_of_var(as_of: datetime) -> str:
    """The ``as_of`` dbt var: ``YYYY-MM-DD HH:MM:SS`` in UTC (the macro ``as_of()`` reads it)."""
    return as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    sources_dir: Path
    model_dir: Path
    exports_config_dir: Path = PROJECT_ROOT / "config" / "exports"
    engine: str = "duckdb"
    as_of: datetime | None = None  # UTC; None: each dbt command's start

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        return cls(
            data_dir=_path("LEADHOUSE_DATA_DIR", environ),
            sources_dir=_path("LEADHOUSE_SOURCES", environ),
            model_dir=_path("LEADHOUSE_MODEL_DIR", environ),
            exports_config_dir=_path("LEADHOUSE_EXPORTS", environ),
            engine=engine_from_env(environ),
            as_of=parse_as_of(environ["LEADHOUSE_AS_OF"], "LEADHOUSE_AS_OF")
            if environ.get("LEADHOUSE_AS_OF")
            else None,
        )

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "leadhouse.duckdb"

    @property
    def marts_path(self) -> Path:
        """The marts' own file beside the warehouse (leadhouse.warehouse): what publishing copies."""
        return marts_path(self.warehouse_path)

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_path(self) -> Path:
        return self.published_dir / "leadhouse.duckdb"

    @property
    def extract_state_dir(self) -> Path:
        """What the database extractions remember between runs (ingest.crm_database): one folder
        per extracted source, with its watermark and key set."""
        return self.data_dir / "extract"

    @property
    def exports_dir(self) -> Path:
        """Where the reverse-ETL file destinations write (``exports.destinations``), unless a sync
        names another directory."""
        return self.data_dir / "exports"
