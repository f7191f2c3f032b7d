"""The dbt build on Spark (local, two cores) against the same build on DuckDB.

    .venv/bin/python bench/spark/run.py --leads 10000     # make bench-spark (SIZES=10000 100000)

The generator's sample (cached under --workdir) is ingested once into DuckDB and exported as the
Parquet raw layer the Spark target reads; then `dbt build` runs on each engine in a fresh state
(a DuckDB file holding only the raw layer; an empty Spark metastore and warehouse), the way the
orchestration runs it. Printed per engine: wall seconds and the peak memory of dbt's process tree
(the JVM included on Spark), sampled every 0.2 s from /proc.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.measure import timed  # noqa: E402
from leadhouse.warehouse import marts_path  # noqa: E402


def main() -> int:
    import duckdb

    from leadhouse.engines import spark_dir
    from leadhouse.parity import engine_invocation, ingest_sample
    from sample_data.cli import main as generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/spark"))
    args = parser.parse_args()
    data = (args.workdir / f"sample-{args.leads}").resolve()
    if not (data / "landing").exists():
        generate(["--leads", str(args.leads), "--seed", str(args.seed), "--out", str(data), "--quiet"])
    raw_only = data / "raw-only.duckdb"
    warehouse = data / "warehouse" / "leadhouse.duckdb"
    if not raw_only.exists():
        shutil.rmtree(data / "warehouse", ignore_errors=True)
        ingest_sample(data)
        shutil.copy(warehouse, raw_only)
    with duckdb.connect(str(raw_only), read_only=True) as conn:
        raw_rows = conn.sql(
            "select sum(estimated_size) from duckdb_tables() where schema_name = 'raw'"
        ).fetchone()[0]
    results = {}
    for engine in ("duckdb", "spark"):
        shutil.copy(raw_only, warehouse)  # a warehouse holding only the raw layer
        marts_path(warehouse).unlink(missing_ok=True)  # and no marts yet
        for state in ("warehouse", "metastore_db"):
            shutil.rmtree(spark_dir(data) / state, ignore_errors=True)
        invocation = engine_invocation("build", data, engine)
        dbt = str(Path(sys.executable).with_name("dbt"))
        print(f"dbt build on {engine} ...", flush=True)
        results[engine] = timed([dbt, *invocation.args], os.environ | invocation.env)
    print(f"\n{args.leads:,} leads ({raw_rows:,} raw rows), dbt build in a fresh state, 2 cores")
    print(f"{'engine':<8}{'seconds':>9}{'peak MiB':>10}")
    for engine, (seconds, peak) in results.items():
        print(f"{engine:<8}{seconds:>9.1f}{peak:>10,.0f}")
    print(f"spark / duckdb: {results['spark'][0] / results['duckdb'][0]:.1f} x the time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
