"""Publish the marts for readers: BI tools, notebooks, anything that reads Parquet.

DuckDB allows one writing process. The pipeline owns ``warehouse/leadhouse.duckdb`` and the marts'
own file beside it, ``warehouse/leadhouse_marts.duckdb`` (leadhouse.warehouse); readers open what
this module publishes after each successful build, and never block the pipeline:

- ``published/leadhouse.duckdb`` (``publish_copy``): a copy of the marts file, the ``marts``
  schema (dims, facts, marts), every relation a table. Copied as a file (about 2 s for the 1.8 GB
  of marts at 1,000,000 leads; rewriting their 47.7 M rows took 41 s), then cleaned of what a dbt
  build left behind, as ``leadhouse.duckdb.tmp``, and renamed over the old copy: a reader that has
  the old one open keeps reading it, one that opens the file after the rename gets the new one,
  complete.
- ``published/parquet/<mart>.parquet`` (``publish_parquet``): each mart of the published copy as
  one file, written as ``.<mart>.parquet.tmp`` and renamed over the old file, so every file is
  complete. Each carries the publish time in its key-value metadata (``leadhouse_published_at``),
  and ``_manifest.json``, renamed into place after every file of the publish, lists the files,
  their rows and that time: a reader who finds a file whose time differs from the manifest's read
  it while a publish was under way, and reads again. It reads the copy, not the warehouse, so the
  pipeline's writer is free meanwhile (20-25 s at 1,000,000 leads).

Raw, staging and intermediate tables stay in the pipeline's warehouse file. A publish that was
killed leaves temporary files that readers never open and the next publish (or
``make materialize``) removes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadhouse.warehouse import MARTS_CATALOG, MARTS_SCHEMA, sql_identifier, sql_string

log = logging.getLogger(__name__)

PUBLISHED_SCHEMA = MARTS_SCHEMA
# Relations dbt builds beside a model while it materializes it and drops afterwards; a killed build
# (and dbt-duckdb's incremental Python models, always) leaves them. dbt drops them before and after
# each run (macros/maintenance/drop_leftover_relations.sql); the published marts never carry one.
DBT_LEFTOVER_MARKERS = ("__dbt_tmp", "__dbt_backup")
MANIFEST = "_manifest.json"
PUBLISHED_AT_KEY = "leadhouse_published_at"  # in every Parquet file's key-value metadata
PARQUET_ZSTD_LEVEL = 1  # the Parquet files' zstd level (_write_parquet says why)
_TEMPORARY_SUFFIX = ".tmp"


class PublishError(RuntimeError):
    """The marts cannot be published as they are; nothing was replaced."""


@dataclass(frozen=True)
class Publication:
    published_at: datetime
    database: Path
    parquet_dir: Path
    rows: dict[str, int]  # per mart
    copy_seconds: float = 0.0  # writing the DuckDB copy
    parquet_seconds: float = 0.0  # writing the Parquet files


def parquet_dir(target: Path) -> Path:
    """Where the Parquet files of the copy ``target`` go: ``<its folder>/parquet``."""
    return target.parent / "parquet"


def unfinished_copy(target: Path) -> list[Path]:
    """The files of a copy being written, or left by a publish that was killed: the database and its
    write-ahead log (DuckDB would replay a stale log into a new file of the same name)."""
    staging = target.with_suffix(".duckdb" + _TEMPORARY_SUFFIX)
    return [staging, staging.with_name(staging.name + ".wal")]


def discard_unfinished_copy(target: Path) -> list[Path]:
    """Remove what a killed publish left (the copy's files and the Parquet files not yet renamed
    into place); return the files removed."""
    return _discard(unfinished_copy(target)) + _discard(_parquet_temporaries(target))


def _discard(paths: list[Path]) -> list[Path]:
    """Remove those of ``paths`` that exist; return them."""
    removed = [path for path in paths if path.exists()]
    for path in removed:
        path.unlink()
    return removed


def _parquet_temporaries(target: Path) -> list[Path]:
    return sorted(p for p in parquet_dir(target).glob(f".*{_TEMPORARY_SUFFIX}") if p.is_file())


def publish(marts_file: Path, target: Path) -> Publication:
    """Publish the marts of the marts file ``marts_file`` (leadhouse.warehouse.marts_path): the
    DuckDB copy at ``target`` (``publish_copy``), then one Parquet file per mart under
    ``parquet_dir(target)`` written from it (``publish_parquet``). The pipeline runs the two as two
    assets, so the writer's slot is free while the Parquet files are written."""
    copied = publish_copy(marts_file, target)
    written = publish_parquet(target)
    return dataclasses.replace(copied, parquet_seconds=written.parquet_seconds)


def publish_copy(marts_file: Path, target: Path) -> Publication:
    """The DuckDB copy of the marts file ``marts_file`` (leadhouse.warehouse.marts_path) at ``target``.

    No other connection may hold ``marts_file`` (the writer pool's rule; DuckDB refuses otherwise).
    The copy is written under a temporary name and renamed into place when it is complete: at
    1,000,000 leads 1.7 s after the start. A failure replaces nothing."""
    published_at = datetime.now(UTC)
    _discard(unfinished_copy(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        rows = _write_copy(Path(marts_file), unfinished_copy(target)[0])
    except BaseException:
        _discard(unfinished_copy(target))
        raise
    # The copy carries its publish time as its modification time: the Parquet files written from it
    # carry the same (publish_parquet).
    nanoseconds = round(published_at.timestamp() * 1_000_000) * 1_000
    os.utime(unfinished_copy(target)[0], ns=(nanoseconds, nanoseconds))
    _sync(unfinished_copy(target)[0])  # on disk before its name says it is complete (0.65 s for 1.8 GB)
    os.replace(unfinished_copy(target)[0], target)
    _sync(target.parent)
    return Publication(
        published_at, target, parquet_dir(target), rows, copy_seconds=time.perf_counter() - started
    )


def publish_parquet(database: Path) -> Publication:
    """Each mart of the published copy ``database`` as one Parquet file under ``parquet_dir(database)``,
    and the manifest listing them.

    It reads the published copy, never the warehouse, so it needs no writer slot; one runs at a
    time (its own pool). The files are written under temporary names, renamed into place one by one
    and last the manifest; a failure leaves the previous files with their manifest, which still
    agree with each other. The Parquet files of marts that no longer exist are removed. The files
    and the manifest carry the copy's publish time (its modification time, set by publish_copy)."""
    folder = parquet_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    _discard(_parquet_temporaries(database))
    started = time.perf_counter()
    try:
        rows, published_at = _write_parquet(database, folder)
    except BaseException:
        _discard(_parquet_temporaries(database))
        raise
    files = {mart: folder / f"{mart}.parquet" for mart in rows}
    for file in files.values():
        os.replace(_temporary(file), file)
    manifest = {
        "published_at": published_at.isoformat(),
        "database": database.name,
        "files": [{"file": file.name, "table": mart, "rows": rows[mart]} for mart, file in files.items()],
    }
    manifest_path = folder / MANIFEST
    _temporary(manifest_path).write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(_temporary(manifest_path), manifest_path)
    # After the manifest, so every file the manifest in place lists exists.
    for stale in sorted(set(folder.glob("*.parquet")) - set(files.values())):
        stale.unlink()
    return Publication(published_at, database, folder, rows, parquet_seconds=time.perf_counter() - started)


def _sync(path: Path) -> None:
    """fsync a file, or a folder (so a rename in it survives a power cut)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_copy(marts_file: Path, staging: Path) -> dict[str, int]:
    """The copy of ``marts_file`` at ``staging``, the marts alone and each a table; rows per mart."""
    if not marts_file.exists():
        raise FileNotFoundError(f"{marts_file}: no marts to publish (the dbt build writes them)")
    # Checkpointed, the file holds every committed change and no write-ahead log is left beside it.
    with duckdb.connect(str(marts_file)) as conn:
        conn.execute("checkpoint")
    shutil.copyfile(marts_file, staging)
    # Opened under the catalog name it has in the warehouse (leadhouse.warehouse.MARTS_CATALOG), so a
    # view that names its tables the way dbt does reads the copy's own tables.
    with duckdb.connect() as conn:
        conn.execute(f"attach {sql_string(staging)} as {MARTS_CATALOG}")
        conn.execute(f"use {MARTS_CATALOG}")
        marts = _marts(conn)
        if not marts:
            raise PublishError(
                f"{marts_file} holds no marts: nothing to publish, the published copy is left as it is "
                "(build the warehouse first)"
            )
        for mart, kind in marts.items():
            if kind == "VIEW":
                _view_as_table(conn, mart)
        rows = {
            mart: conn.execute(f"select count(*) from {_published(mart)}").fetchone()[0] for mart in marts
        }
        conn.execute(f"checkpoint {MARTS_CATALOG}")
    return rows


def _write_parquet(database: Path, folder: Path) -> tuple[dict[str, int], datetime]:
    """Each mart of the published copy ``database`` as a Parquet file under its temporary name; rows
    per mart, and the copy's publish time."""
    if not database.exists():
        raise FileNotFoundError(
            f"{database}: no published copy to write the Parquet files from (materialize published/warehouse first)"
        )
    with duckdb.connect() as conn:
        while True:  # the time of the copy that was opened, though a publish renames another one in
            modified = database.stat().st_mtime_ns
            conn.execute(f"attach {sql_string(database)} as {MARTS_CATALOG} (read_only)")
            if database.stat().st_mtime_ns == modified:
                break
            conn.execute(f"detach {MARTS_CATALOG}")
        published_at = datetime.fromtimestamp(modified // 1_000_000_000, UTC).replace(
            microsecond=modified // 1_000 % 1_000_000
        )
        marts = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = ? order by 1",
                [MARTS_CATALOG, PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        rows = {
            mart: conn.execute(f"select count(*) from {_published(mart)}").fetchone()[0] for mart in marts
        }
        # A mart's rows have no order (each is a table built by a parallel query): letting DuckDB
        # write each file's row groups as its threads finish them took 19 s instead of 22 s at
        # 1,000,000 leads. zstd at level 1, not DuckDB's default 3: the 53 marts at 1,000,000
        # leads in 19.2 s instead of 23.6 s (four runs each), the files 1 % larger (1.236 GB
        # against 1.224 GB); snappy was 17.8 s for files 1.5 times the size (docs/performance.md).
        conn.execute("set preserve_insertion_order = false")
        for mart in marts:
            conn.execute(
                f"copy (from {_published(mart)}) to {sql_string(_temporary(folder / f'{mart}.parquet'))} "
                f"(format parquet, compression zstd, compression_level {PARQUET_ZSTD_LEVEL}, "
                f"kv_metadata {{{PUBLISHED_AT_KEY}: {sql_string(published_at.isoformat())}}})"
            )
    return rows, published_at


def _view_as_table(conn: duckdb.DuckDBPyConnection, mart: str) -> None:
    """Every published mart is a table: the view ``mart`` is replaced by its rows (and fails the
    publish when it reads what the copy does not hold)."""
    rows = _published(f"{mart}{_TEMPORARY_SUFFIX}")
    try:
        conn.execute(f"create table {rows} as from {_published(mart)}")
    except duckdb.Error as exc:
        raise PublishError(
            f"{PUBLISHED_SCHEMA}.{mart} is a view that does not read from the marts file alone, so it "
            f"cannot be published; build it as a table, as every mart is ({exc})"
        ) from exc
    conn.execute(f"drop view {_published(mart)}")
    conn.execute(f"alter table {rows} rename to {sql_identifier(mart)}")


def _marts(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The tables and views of the copy's marts schema, each with its table_type; the relations a
    dbt build left behind are dropped from the copy, and anything outside the schema too."""
    kinds = dict(
        conn.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? order by 1",
            [PUBLISHED_SCHEMA],
        ).fetchall()
    )
    names = list(kinds)
    leftovers = [name for name in names if any(marker in name for marker in DBT_LEFTOVER_MARKERS)]
    for name in leftovers:
        log.warning("not publishing %s.%s, a relation a dbt build left behind", PUBLISHED_SCHEMA, name)
    for schema, name, kind in conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() and (table_schema <> ? or table_name in (select unnest(?)))",
        [PUBLISHED_SCHEMA, leftovers],
    ).fetchall():
        conn.execute(
            f"drop {'view' if kind == 'VIEW' else 'table'} {sql_identifier(schema)}.{sql_identifier(name)}"
        )
    return {name: kind for name, kind in kinds.items() if name not in leftovers}


def _temporary(path: Path) -> Path:
    """A name beside ``path`` that no reader globbing ``*.parquet`` or opening ``path`` picks up."""
    return path.with_name(f".{path.name}{_TEMPORARY_SUFFIX}")


def _published(mart: str) -> str:
    return f"{MARTS_CATALOG}.{PUBLISHED_SCHEMA}.{sql_identifier(mart)}"
