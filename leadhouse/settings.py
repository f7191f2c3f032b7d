"""Where Leadhouse reads and writes, from environment variables (documented in the README).

- ``LEADHOUSE_DATA_DIR`` (default ``data``): root of ``landing/<source>/``,
  ``warehouse/leadhouse.duckdb``, ``published/`` and ``exports/``.
- ``LEADHOUSE_SOURCES`` (default ``config/sources``): the source definitions.
- ``LEADHOUSE_MODEL_DIR`` (default ``models``): the model registry.
- ``LEADHOUSE_ENGINE`` (default ``duckdb``; or ``spark``): the engine dbt builds on
  (``leadhouse.engines``, docs/scale-out.md).

Defaults are relative to the project root; a relative path given in a variable is relative to
the current directory, as a user typing it in a shell expects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from leadhouse.engines import engine_from_env

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

_DEFAULTS = {
    "LEADHOUSE_DATA_DIR": "data",
    "LEADHOUSE_SOURCES": "config/sources",
    "LEADHOUSE_MODEL_DIR": "models",
}


def _path(variable: str, environ: os._Environ | dict) -> Path:
    value = environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / _DEFAULTS[variable]).resolve()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    sources_dir: Path
    model_dir: Path
    engine: str = "duckdb"

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        return cls(
            data_dir=_path("LEADHOUSE_DATA_DIR", environ),
            sources_dir=_path("LEADHOUSE_SOURCES", environ),
            model_dir=_path("LEADHOUSE_MODEL_DIR", environ),
            engine=engine_from_env(environ),
        )

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "leadhouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_path(self) -> Path:
        return self.published_dir / "leadhouse.duckdb"

    @property
    def exports_dir(self) -> Path:
        """Where the reverse-ETL exports (``exports/``, not yet built) will write files."""
        return self.data_dir / "exports"
