"""Which engine dbt builds on, and what moves between engines.

DuckDB (the default) holds the whole warehouse in one file: the ingestion appends to its raw
tables and dbt builds on them. Spark (``LEADHOUSE_ENGINE=spark``, docs/scale-out.md) reads the
raw layer as Parquet: ``export_raw_parquet`` writes each raw table to
``<data>/spark/raw/<table>/``, where the dbt project's ``on-run-start`` registers it
(``macros/engines/register_raw_tables.sql``), and the marts come back as Parquet
(``export_marts_parquet``) for comparison and for readers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"


class EngineError(ValueError):
    pass


def engine_from_env(environ: dict | os._Environ | None = None) -> str:
    """``LEADHOUSE_ENGINE``, validated (a typo must not silently build on DuckDB)."""
    environ = os.environ if environ is None else environ
    engine = (environ.get("LEADHOUSE_ENGINE") or DEFAULT_ENGINE).strip().lower()
    if engine not in ENGINES:
        raise EngineError(
            f"LEADHOUSE_ENGINE={environ.get('LEADHOUSE_ENGINE')!r} is not an engine Leadhouse builds on; "
            f"use one of {', '.join(ENGINES)}"
        )
    return engine


def spark_dir(data_dir: Path) -> Path:
    """Every Spark state folder (raw Parquet, metastore, warehouse, logs) lives here."""
    return data_dir / "spark"


def raw_parquet_dir(data_dir: Path) -> Path:
    return spark_dir(data_dir) / "raw"


def _tables(conn: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_type = 'BASE TABLE' and table_name not like '%!_!_dbt!_tmp%' escape '!' order by 1",
            [schema],
        ).fetchall()
    ]


def export_schema_parquet(conn: duckdb.DuckDBPyConnection, schema: str, out_dir: Path) -> dict[str, int]:
    """Every table of ``schema`` as ``out_dir/<table>/data.parquet`` (replacing what was there,
    through a temporary folder so a reader never sees half a table). Returns rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    for table in _tables(conn, schema):
        final = out_dir / table
        staging = out_dir / f".{table}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        conn.execute(
            f"copy (select * from {schema}.\"{table}\") to '{staging / 'data.parquet'}' "
            "(format parquet, compression zstd)"
        )
        _swap_in(staging, final)
        rows[table] = conn.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
    return rows


def export_raw_parquet(conn: duckdb.DuckDBPyConnection, data_dir: Path) -> dict[str, int]:
    """The raw layer as the Parquet tables the Spark target reads."""
    return export_schema_parquet(conn, "raw", raw_parquet_dir(data_dir))


def spark_warehouse_dir(data_dir: Path) -> Path:
    """Where the Spark target's managed tables live (profiles.yml: spark.sql.warehouse.dir)."""
    return spark_dir(data_dir) / "warehouse"


def publish_spark_marts(data_dir: Path, published_dir: Path) -> dict[str, int]:
    """The marts built on Spark as Parquet under ``published_dir/parquet/marts/<table>/``,
    replaced whole (a new folder, then one rename) so a reader never sees half a publish.
    Returns rows per table."""
    source = spark_warehouse_dir(data_dir) / "marts.db"
    target = published_dir / "parquet" / "marts"
    staging = target.with_name("marts.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    rows = {}
    with duckdb.connect() as conn:
        for folder in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
            files = sorted(folder.glob("*.parquet"))
            if not files:
                continue
            (staging / folder.name).mkdir()
            for file in files:
                shutil.copy2(file, staging / folder.name / file.name)
            rows[folder.name] = conn.execute(
                f"select count(*) from read_parquet('{staging / folder.name}/*.parquet')"
            ).fetchone()[0]
    _swap_in(staging, target)
    return rows


def _swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with renames only: the old folder moves aside, the new one
    in, then the old one goes. A crash between the two renames leaves ``<final>.old``, which the
    next swap (or ``restore_swapped``) puts back."""
    old = final.with_name(final.name + ".old")
    restore_swapped(final)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def restore_swapped(final: Path) -> None:
    """After a crash mid-swap: ``final`` missing and ``<final>.old`` present means the old
    folder was moved aside and the new one never arrived: put the old one back."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        if final.exists():
            shutil.rmtree(old)
        else:
            old.rename(final)
