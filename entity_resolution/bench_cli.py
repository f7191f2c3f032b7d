"""Run Leadhouse's entity resolution on a file of records (the benchmark's entry point).

    python -m entity_resolution.bench_cli --profile leads --input records.parquet --output clusters.parquet

It runs the real dbt models, not a re-implementation:
- ``leads``: the records (canonical lead columns + ``source``, ``source_record_id``) are loaded into
  ``raw.lead_records`` of a temporary warehouse and the warehouse's own dbt project builds
  everything up to ``int_er_records_clustered``;
- ``febrl``: the records (FEBRL fields + ``record_id``) go to ``bench.records`` and
  ``bench/er/febrl_dbt`` builds the same entity-resolution models and macros with FEBRL's fields.
Writes ``record_id``, ``cluster_id`` (the lead id).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl
import yaml

from ingest.schemas import LEAD, raw_schema
from ingest.warehouse import append, ensure_raw_tables, storage_schema
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT

FEBRL_PROJECT_DIR = PROJECT_ROOT / "bench" / "er" / "febrl_dbt"


def _dbt(project_dir: Path, workdir: Path, env: dict[str, str], extra: list[str]) -> None:
    command = [
        str(Path(sys.executable).with_name("dbt")), "build", "--quiet",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
        "--select", "+int_er_records_clustered", *extra,
    ]
    environment = os.environ | env | {"DO_NOT_TRACK": "1", "DBT_VERSION_CHECK": "false"}
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dbt failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")


def _mode_vars(project_dir: Path, mode: str) -> list[str]:
    if mode == "probabilistic":
        return []
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]["entity_resolution"]
    config["mode"] = mode
    return ["--vars", json.dumps({"entity_resolution": config})]


def resolve_leads(records: pl.DataFrame, workdir: Path, mode: str) -> pl.DataFrame:
    warehouse = workdir / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    target = storage_schema(raw_schema(LEAD))
    rows = records.with_columns(
        [pl.lit(None).cast(dtype).alias(name) for name, dtype in target.items() if name not in records.columns]
    ).select([pl.col(name).cast(dtype) for name, dtype in target.items()])
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_tables(conn)
        append(conn, LEAD.table, rows)
    _dbt(DBT_PROJECT_DIR, workdir, {"LEADHOUSE_DATA_DIR": str(workdir)}, _mode_vars(DBT_PROJECT_DIR, mode))
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.sql(
            "select record_key as record_id, lead_id as cluster_id from intermediate.int_er_records_clustered"
        ).pl()


def resolve_febrl(records: pl.DataFrame, workdir: Path) -> pl.DataFrame:
    database = workdir / "febrl.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute("create schema bench")
        conn.register("records_frame", records.to_arrow())
        conn.execute("create table bench.records as select * from records_frame")
    _dbt(FEBRL_PROJECT_DIR, workdir, {"LEADHOUSE_BENCH_DB": str(database)}, [])
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.sql(
            "select record_key as record_id, lead_id as cluster_id from intermediate.int_er_records_clustered"
        ).pl()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", required=True, choices=["leads", "febrl", "febrl3", "febrl4"])
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--mode", default="probabilistic", choices=["probabilistic", "baseline"])
    args = parser.parse_args(argv)

    started = time.perf_counter()
    records = pl.read_parquet(args.input)
    with tempfile.TemporaryDirectory(prefix="leadhouse-er-") as tmp:
        if args.profile == "leads":
            if "source" not in records.columns:  # record_id is "source:source_record_id"
                parts = pl.col("record_id").str.split_exact(":", 1)
                records = records.with_columns(
                    parts.struct.field("field_0").alias("source"), parts.struct.field("field_1").alias("source_record_id")
                )
            clusters = resolve_leads(records, Path(tmp), args.mode)
        else:
            if args.mode != "probabilistic":
                raise SystemExit("baseline mode is defined on lead fields only")
            clusters = resolve_febrl(records.with_columns(pl.col("record_id").cast(pl.String)), Path(tmp))
    clusters.write_parquet(args.output)
    print(f"{records.height} records -> {clusters['cluster_id'].n_unique()} clusters in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
