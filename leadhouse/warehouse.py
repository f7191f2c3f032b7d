"""The pipeline's DuckDB warehouse: two files, opened as one.

- ``warehouse/leadhouse.duckdb``: raw, staging, intermediate, ml, exports and ops tables;
- ``warehouse/leadhouse_marts.duckdb`` beside it: the ``marts`` schema alone, which dbt builds
  there (macros/generate_database_name.sql, the profile's ``attach``).

The marts have a file of their own so that publishing them (leadhouse.publish) is a file copy, not
a rewrite of every row: at 1,000,000 leads, 1.8 GB of marts copy in about 2 s, where writing the
47.7 M rows into a new database took 41 s (docs/performance.md).

``connect`` opens the warehouse with the marts file attached as ``leadhouse_marts`` and
``leadhouse_marts.marts`` on the search path, so every query that names ``marts.<table>`` reads
the same table as before the split; everything else (``create schema ml``, ``raw.web_forms``)
stays in the warehouse file. ``attach_marts`` does the same on a connection opened elsewhere
(dagster-duckdb's resource).

A warehouse built before the split holds its marts in its own ``marts`` schema. The first
writable connection moves them (``move_marts_into_their_file``): the incremental histories
(lead_merge_history, the daily facts) keep their rows, the rest dbt rebuilds anyway.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

MARTS_CATALOG = "leadhouse_marts"  # the marts file's name in a warehouse connection
MARTS_SCHEMA = "marts"
MARTS_FILE = f"{MARTS_CATALOG}.duckdb"
# SQL for ``table_catalog in ...`` of information_schema: the relations a query names without a
# catalog, in the warehouse file or its marts file.
WAREHOUSE_CATALOGS = f"(current_database(), '{MARTS_CATALOG}')"


def marts_path(warehouse: Path) -> Path:
    """The marts file of the warehouse file ``warehouse``: beside it."""
    return Path(warehouse).with_name(MARTS_FILE)


def copy_warehouse(source: Path, target: Path) -> None:
    """Copy the closed warehouse file ``source`` and its marts file (when there is one) to
    ``target`` and the marts file beside it."""
    shutil.copyfile(source, target)
    if marts_path(source).exists():
        shutil.copyfile(marts_path(source), marts_path(target))
    else:  # a warehouse built before the marts had their file, or without marts: none beside the copy
        marts_path(target).unlink(missing_ok=True)


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The warehouse at ``warehouse`` with its marts attached (``marts.<table>`` resolves)."""
    conn = duckdb.connect(str(warehouse), read_only=read_only)
    try:
        attach_marts(conn, Path(warehouse), read_only=read_only)
    except BaseException:
        conn.close()
        raise
    return conn


def attach_marts(conn: duckdb.DuckDBPyConnection, warehouse: Path, read_only: bool = False) -> None:
    """Attach the marts file of ``warehouse`` to ``conn`` and put its schema on the search path.

    Read-only, a warehouse whose marts were never built has no marts file: nothing is attached,
    and a query of ``marts.<table>`` fails as it would on a warehouse without the schema. A
    writable connection creates the file, and first moves the marts of a warehouse built before
    the split into it."""
    path = marts_path(warehouse)
    attached = {name for (name,) in conn.execute("select database_name from duckdb_databases()").fetchall()}
    if MARTS_CATALOG not in attached:
        if read_only and not path.exists():
            return
        mode = " (read_only)" if read_only else ""
        conn.execute(f"attach {sql_string(path)} as {MARTS_CATALOG}{mode}")
        if not read_only:
            conn.execute(f"create schema if not exists {MARTS_CATALOG}.{MARTS_SCHEMA}")
    (database,) = conn.execute("select current_database()").fetchone()
    conn.execute(f"set search_path = {sql_string(f'{database}.main,{MARTS_CATALOG}.{MARTS_SCHEMA}')}")
    if not read_only:
        move_marts_into_their_file(conn)


def move_marts_into_their_file(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Move the tables and views of the warehouse file's own ``marts`` schema (a warehouse built
    before the marts had their file) into the marts file, each as a table (a view's rows: every
    mart is a table there), unless one of that name is there already, and drop the schema; return
    the relations moved. Each is one transaction (DuckDB writes one attached database per
    transaction), so a move that is killed goes on where it stopped. dbt refuses to build on a
    warehouse not moved yet (macros/maintenance/refuse_unmoved_marts.sql), so what is there already
    is what an earlier move wrote."""
    (database,) = conn.execute("select current_database()").fetchone()
    if not conn.execute(
        "select 1 from information_schema.schemata where catalog_name = ? and schema_name = ?",
        [database, MARTS_SCHEMA],
    ).fetchall():
        return []
    present = {
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
            [MARTS_CATALOG, MARTS_SCHEMA],
        ).fetchall()
    }
    moved = []
    for (name,) in conn.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_type, table_name",
        [database, MARTS_SCHEMA],
    ).fetchall():
        if name in present:
            continue
        conn.execute(
            f"create table {MARTS_CATALOG}.{MARTS_SCHEMA}.{sql_identifier(name)} as "
            f"from {sql_identifier(database)}.{MARTS_SCHEMA}.{sql_identifier(name)}"
        )
        moved.append(name)
    conn.execute(f"drop schema {sql_identifier(database)}.{MARTS_SCHEMA} cascade")
    log.warning(
        "moved %d marts of %s into %s (the marts have a file of their own); dropped its schema %s",
        len(moved),
        database,
        MARTS_FILE,
        MARTS_SCHEMA,
    )
    return moved


def sql_identifier(name: str) -> str:
    """``name`` as a quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: object) -> str:
    """``value`` as a DuckDB string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def main(argv: list[str] | None = None) -> int:
    """Open the warehouse once, writable: the marts of a warehouse built before the split move
    into their file (what any pipeline run does first)."""
    import argparse

    from leadhouse.settings import Settings

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=None, help="default: the settings' warehouse")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or Settings.from_env().warehouse_path
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with connect(warehouse) as conn:
        (marts,) = conn.execute(
            "select count(*) from information_schema.tables where table_catalog = ? and table_schema = ?",
            [MARTS_CATALOG, MARTS_SCHEMA],
        ).fetchone()
    print(f"{warehouse}: {marts} marts in {marts_path(warehouse)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
