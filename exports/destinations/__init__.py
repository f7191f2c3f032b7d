"""Where a sync delivers: the CRM's PostgreSQL table, a CRM's batch HTTP API, files for CRM import.

Every destination takes a batch as a polars DataFrame whose first column, ``KEY``, is the sync key
(text) and whose other columns are the destination's fields, already typed; it answers with the
keys it refused and why (``Rejections``). A call that may succeed if repeated raises
``exports.delivery.TransientError``; the engine retries it (``exports.delivery.Delivery``). Every
write is idempotent by key, so a batch sent twice (a crash before its fate was recorded) leaves
the destination as sending it once would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import polars as pl

from exports.config import FileDestination, HttpDestination, PostgresDestination, SyncConfig
from exports.delivery import Delivery, DestinationError, DestinationUnavailable
from leadhouse.postgres_dsn import UnreadableDsn, location

KEY = "__key"
Rejections = dict[str, str]  # key -> the destination's reason


class Destination(Protocol):
    # Where the rows go, without secrets: the sync state is kept per identity, so pointing a sync at
    # another destination sends everything there.
    identity: str
    # True: rows count as delivered only once ``publish`` ran (a file is complete or not at all).
    deferred: bool

    def upsert(self, batch: pl.DataFrame, mode: str) -> Rejections: ...

    def delete(self, keys: list[str]) -> Rejections: ...

    def finish(self) -> None: ...  # deferred destinations: make the output durable before the commit

    def output_path(self) -> str | None: ...

    def publish(self) -> str | None: ...

    def discard(self) -> None: ...

    def recover(self, committed_output: Callable[[str], str | None]) -> list[str]: ...

    def close(self) -> None: ...


class DeliversAtOnce:
    """A destination whose writes count as delivered when they return (a database, an API): nothing
    to finish, publish or recover after a crash."""

    deferred = False

    def finish(self) -> None:
        return None

    def output_path(self) -> str | None:
        return None

    def publish(self) -> str | None:
        return None

    def discard(self) -> None:
        return None

    def recover(self, committed_output: Callable[[str], str | None]) -> list[str]:
        return []


def required_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise DestinationUnavailable(f"{name} is not set ({what})")
    return value


def _file_directory(config: SyncConfig, exports_dir: Path) -> Path:
    directory = Path(config.destination.directory) if config.destination.directory else exports_dir
    if not directory.is_absolute():
        directory = exports_dir / directory
    return directory / config.name


def http_url(destination: HttpDestination) -> str:
    url = (os.environ.get(destination.url_env) if destination.url_env else None) or destination.url
    if not url:
        raise DestinationUnavailable(f"{destination.url_env} is not set (the CRM API's endpoint)")
    parts = urlsplit(url)
    if parts.username or parts.password or re.search(r"(token|key|secret|password)=", parts.query, re.I):
        # never echoed: the URL would end up in run records and logs
        raise DestinationError(
            f"{destination.url_env or 'url'}: the endpoint carries a credential; put the token in the "
            "variable token_env names"
        )
    return url.rstrip("/")


def postgres_location(dsn: str) -> str:
    """host:port/database of a connection string (leadhouse.postgres_dsn), never its password."""
    try:
        return location(dsn)
    except UnreadableDsn as exc:
        raise DestinationError(str(exc)) from None


def destination_identity(config: SyncConfig, exports_dir: Path) -> str:
    """Where ``config`` delivers, without credentials (a password or token never appears)."""
    destination = config.destination
    if isinstance(destination, PostgresDestination):
        where = postgres_location(required_env(destination.dsn_env, "the CRM database's connection string"))
        return f"postgres://{where}/{destination.db_schema}.{destination.table}"
    if isinstance(destination, HttpDestination):
        return f"http:{http_url(destination)}"
    return f"file:{_file_directory(config, exports_dir)}"


def open_destination(config: SyncConfig, run_id: str, exports_dir: Path, delivery: Delivery) -> Destination:
    """The destination of ``config``; raises DestinationUnavailable when this machine has none."""
    destination = config.destination
    if isinstance(destination, PostgresDestination):
        from exports.destinations.postgres import PostgresTable

        return PostgresTable(destination, config, delivery, destination_identity(config, exports_dir))
    if isinstance(destination, HttpDestination):
        from exports.destinations.http import HttpBatchApi

        return HttpBatchApi(destination, delivery, http_url(destination))
    if isinstance(destination, FileDestination):
        from exports.destinations.files import ImportFile

        return ImportFile(destination, config, run_id, _file_directory(config, exports_dir))
    raise TypeError(f"unknown destination {destination!r}")
