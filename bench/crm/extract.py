"""The CRM database source at scale: 1,000,000 leads extracted from PostgreSQL and ingested.

    make bench-crm-extract                                   # 1,000,000 leads
    .venv/bin/python bench/crm/extract.py --leads 100000 --workdir /tmp/lh-bench

Loads synthetic CRM leads (sample_data.crm_database.load_synthetic_leads, COPY FROM STDIN) into a
fresh PostgreSQL schema, dropped at the end, then measures, each in its own process (so each has
its own peak memory):
- ``pipeline``: what the ``raw/crm_database_leads`` asset does on its first run: the full
  extraction (ingest.crm_database: COPY of the rows with the custom fields spread into columns,
  the key set for deletions, the state) into the landing folder, then the ingestion of the file
  (ingest.pipeline.Ingestor) into a fresh DuckDB file;
- ``floor``: the least any such load can cost: PostgreSQL's plain ``COPY (select * from leads) TO
  STDOUT`` into a file, then DuckDB's ``read_csv`` of it into a table (every column as text).
It prints rows, seconds and peak memory of each, the ratio to the floor, and exits 1 when the
target (issue 14: extraction and ingestion of 1,000,000 leads under 60 s) is missed. The server
(PostgreSQL's own processes) is not in the peak memory. The connection string: --dsn, else
LEADHOUSE_TEST_POSTGRES_DSN, else the demo server's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.measure import json_child, peak_mib  # noqa: E402

TARGET_SECONDS = 60.0
DEMO_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def leads_config(schema: str):
    from ingest.config import load_source_config

    config = load_source_config(ROOT / "config" / "sources" / "crm_database_leads.yml")
    return config.model_copy(update={"extract": config.extract.model_copy(update={"pg_schema": schema})})


def run_pipeline(dsn: str, schema: str, workdir: Path) -> dict:
    import duckdb

    from ingest.crm_database import extract
    from ingest.pipeline import Ingestor

    config = leads_config(schema)
    started = time.perf_counter()
    result = extract(config, workdir / "landing", workdir / "extract", {config.extract.dsn_env: dsn})
    extracted = time.perf_counter()
    with duckdb.connect(str(workdir / "pipeline.duckdb")) as conn:
        report = Ingestor(conn, workdir / "landing", batch_id="bench").ingest(config)
        conn.execute("checkpoint")
    done = time.perf_counter()
    file_bytes = sum((workdir / "landing" / f).stat().st_size for f in result.files)
    return {
        "rows": result.rows,
        "loaded": report.total("rows_loaded"),
        "quarantined": report.total("rows_quarantined"),
        "field_issues": report.total("field_issues"),
        "file_mib": file_bytes / 2**20,
        "extract_seconds": extracted - started,
        "ingest_seconds": done - extracted,
        "seconds": done - started,
        "peak_mib": peak_mib(),
    }


def run_floor(dsn: str, schema: str, workdir: Path) -> dict:
    import duckdb
    import psycopg
    from psycopg import sql

    path = workdir / "floor.csv"
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn, path.open("wb") as handle:
        table = sql.Identifier(schema, "leads").as_string(conn)
        with conn.cursor().copy(f"copy (select * from {table}) to stdout (format csv, header)") as copy:
            for data in copy:
                handle.write(data)
    extracted = time.perf_counter()
    with duckdb.connect(str(workdir / "floor.duckdb")) as conn:
        conn.execute(
            f"create table leads as select * from read_csv('{path}', all_varchar = true, header = true)"
        )
        rows = conn.execute("select count(*) from leads").fetchone()[0]
        conn.execute("checkpoint")
    done = time.perf_counter()
    return {
        "rows": rows,
        "extract_seconds": extracted - started,
        "ingest_seconds": done - extracted,
        "seconds": done - started,
        "peak_mib": peak_mib(),
    }


def child(kind: str, dsn: str, schema: str, workdir: Path) -> dict:
    arguments = ["--child", kind, "--dsn", dsn, "--schema", schema, "--workdir", str(workdir)]
    return json_child([sys.executable, __file__, *arguments], ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/crm"))
    parser.add_argument("--dsn", default=os.environ.get("LEADHOUSE_TEST_POSTGRES_DSN") or DEMO_DSN)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["pipeline", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        run = run_pipeline if args.child == "pipeline" else run_floor
        print(json.dumps(run(args.dsn, args.schema, args.workdir)))
        return 0

    import psycopg

    from sample_data.crm_database import load_synthetic_leads

    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    schema = f"leadhouse_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            print(f"load: {args.leads:,} synthetic leads into schema {schema} ...", flush=True)
            started = time.perf_counter()
            with conn.transaction():
                load_synthetic_leads(conn, args.leads, schema, seed=args.seed)
            conn.execute(f'analyze "{schema}".leads')
            print(f"load: {time.perf_counter() - started:.1f} s (not measured below)", flush=True)
        print("floor: COPY to a file, DuckDB read_csv ...", flush=True)
        floor = child("floor", args.dsn, schema, args.workdir)
        print("pipeline: extraction (ingest.crm_database) and ingestion (Ingestor) ...", flush=True)
        pipeline = child("pipeline", args.dsn, schema, args.workdir)
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as conn:
            conn.execute(f'drop schema if exists "{schema}" cascade')
        shutil.rmtree(args.workdir, ignore_errors=True)

    print(f"\n{'':<10}{'rows':>12}{'extract s':>11}{'ingest s':>10}{'total s':>9}{'peak MiB':>10}")
    for name, run in (("pipeline", pipeline), ("floor", floor)):
        print(
            f"{name:<10}{run['rows']:>12,}{run['extract_seconds']:>11.1f}{run['ingest_seconds']:>10.1f}"
            f"{run['seconds']:>9.1f}{run['peak_mib']:>10,.0f}"
        )
    print(
        f"\nlanding file {pipeline['file_mib']:,.0f} MiB; loaded {pipeline['loaded']:,}, quarantined "
        f"{pipeline['quarantined']:,}, field issues {pipeline['field_issues']:,}"
    )
    print(f"ratio     {pipeline['seconds'] / floor['seconds']:.1f} x the floor; cpus {os.cpu_count()}")
    met = pipeline["seconds"] < TARGET_SECONDS and pipeline["rows"] == args.leads
    print(f"target    < {TARGET_SECONDS:.0f} s for {args.leads:,} leads: " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
