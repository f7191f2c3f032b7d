"""Publish a read-only copy of the warehouse for BI tools and notebooks.

DuckDB allows one writing process. The pipeline owns ``warehouse/leadhouse.duckdb``; readers open
``published/leadhouse.duckdb``, which is replaced atomically after each successful build, so a
reader never sees a half-written file and never blocks the pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def publish(conn: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy every schema of the connected warehouse to ``target``; return row counts per table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(".duckdb.tmp")
    staging.unlink(missing_ok=True)
    source_db = conn.execute("select current_database()").fetchone()[0]
    conn.execute(f"attach '{staging}' as leadhouse_publish")
    try:
        conn.execute(f"copy from database {source_db} to leadhouse_publish")
        tables = conn.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where database_name = 'leadhouse_publish' order by 1, 2"
        ).fetchall()
    finally:
        conn.execute("detach leadhouse_publish")
    os.replace(staging, target)
    return {f"{schema}.{table}": rows for schema, table, rows in tables}
