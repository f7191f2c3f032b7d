"""Publish a read-only copy of the warehouse for BI tools and notebooks.

DuckDB allows one writing process. The pipeline owns ``warehouse/leadhouse.duckdb``; readers open
``published/leadhouse.duckdb``, which is replaced atomically after each successful build, so a
reader never sees a half-written file and never blocks the pipeline. The copy is written beside it
(``leadhouse.duckdb.tmp``); a publish that was killed leaves that file, which readers never open
and the next publish (or ``make materialize``) removes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

# Relations dbt builds beside a model while it materializes it and drops afterwards; a killed build
# (and dbt-duckdb's incremental Python models, always) leaves them. dbt drops them before and after
# each run (macros/maintenance/drop_leftover_relations.sql); the copy never carries one.
DBT_LEFTOVER_MARKERS = ("__dbt_tmp", "__dbt_backup")
_PUBLISHING = "leadhouse_publish"


def unfinished_copy(target: Path) -> list[Path]:
    """The files of a copy being written, or left by a publish that was killed: the database and its
    write-ahead log (DuckDB would replay a stale log into a new file of the same name)."""
    staging = target.with_suffix(".duckdb.tmp")
    return [staging, staging.with_name(staging.name + ".wal")]


def discard_unfinished_copy(target: Path) -> list[Path]:
    """Remove what a killed publish left; return the files removed."""
    removed = [path for path in unfinished_copy(target) if path.exists()]
    for path in removed:
        path.unlink()
    return removed


def publish(conn: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy every schema of the connected warehouse to ``target``, except dbt's leftover relations;
    return row counts per table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = unfinished_copy(target)[0]
    discard_unfinished_copy(target)
    source_db = conn.execute("select current_database()").fetchone()[0]
    conn.execute(f"attach '{staging}' as {_PUBLISHING}")
    try:
        conn.execute(f"copy from database {source_db} to {_PUBLISHING}")
        _drop_dbt_leftovers(conn)
        tables = conn.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            f"where database_name = '{_PUBLISHING}' order by 1, 2"
        ).fetchall()
    finally:
        conn.execute(f"detach {_PUBLISHING}")
    os.replace(staging, target)
    return {f"{schema}.{table}": rows for schema, table, rows in tables}


def _drop_dbt_leftovers(conn: duckdb.DuckDBPyConnection) -> None:
    leftovers = conn.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        f"where table_catalog = '{_PUBLISHING}' and ("
        + " or ".join(f"contains(table_name, '{marker}')" for marker in DBT_LEFTOVER_MARKERS)
        + ")"
    ).fetchall()
    for schema, name, kind in leftovers:
        log.warning("not publishing %s.%s, a relation a dbt build left behind", schema, name)
        conn.execute(
            f'drop {"view" if kind == "VIEW" else "table"} {_PUBLISHING}."{schema}"."{name}" cascade'
        )
