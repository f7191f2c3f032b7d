"""The scenarios beside the full run, on the warehouse `make bench-pipeline SIZE=N` left:

    make bench-pipeline SIZE=1000000 SCENARIO=er            # entity resolution alone
    make bench-pipeline SIZE=1000000 SCENARIO=scoring       # rule scoring, routing and queues alone
    make bench-pipeline SIZE=1000000 SCENARIO=publish       # the published copy and the Parquet files
    make bench-pipeline SIZE=1000000 SCENARIO=incremental   # 1 % new and 1 % changed records
    make bench-pipeline SIZE=1000000 SCENARIO=writes        # the largest marts written twice

- ``er``: ``dbt build`` of the identity models up to the golden record (``+dim_leads`` in group
  identity: preparation, blocking, comparison, scoring, clustering, identity map, dim_leads) with
  their data tests, on the built warehouse.
- ``scoring``: ``dbt build --select group:scoring`` (rule scores, grades, qualification, routing,
  follow-up queues) with their data tests.
- ``publish``: ``leadhouse.publish.publish`` of the built warehouse to a scratch folder, the copy
  and the Parquet files timed apart.
- ``incremental``: a copy of the full run's data folder and Dagster instance, new landing files
  holding 1 % of the leads as new people (web forms), 1 % as changed versions of existing web-form
  records and 1 % of the activities as new ones, then ``refresh_warehouse`` (what the landing
  sensor's runs and the hourly jobs run: ingestion of the new files, dbt, scores, syncs, publish;
  no training) against the full run's time.
- ``writes``: the largest marts of the built marts file, each written into a scratch DuckDB file
  with its DDL twice, under the dbt profile's settings: every column compressed as DuckDB chooses,
  then the identifier columns (the dbt var ``duckdb_identifier_columns``) declared FSST, as
  macros/storage/identifier_compression.sql declares them; seconds and file size of each.

Each prints wall seconds and peak memory and writes ``scenario-<name>-<N>.json`` in the workdir.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.measure import timed  # noqa: E402
from bench.pipeline.run import dagster_job, environment  # noqa: E402

SELECTIONS = {
    "er": ["--select", "+dim_leads,group:identity"],
    "scoring": ["--select", "group:scoring"],
}
DELTA_SHARE = 0.01


def slowest_models(limit: int = 8) -> list[tuple[str, float]]:
    from leadhouse.settings import DBT_PROJECT_DIR

    results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())["results"]
    ordered = sorted(results, key=lambda r: -r["execution_time"])
    return [(r["unique_id"].split(".")[-1], round(r["execution_time"], 2)) for r in ordered[:limit]]


def dbt_scenario(name: str, run_dir: Path, workdir: Path, leads: int) -> dict:
    command = [sys.executable, "-m", "leadhouse.dbt_invocation", "build", *SELECTIONS[name]]
    seconds, peak = timed(
        command, environment(run_dir), cwd=ROOT, log=workdir / f"scenario-{name}-{leads}.log"
    )
    return {"seconds": seconds, "peak_mib": peak, "slowest": slowest_models()}


def publish_scenario(run_dir: Path) -> dict:
    from leadhouse.publish import publish
    from leadhouse.warehouse import marts_path

    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "published" / "leadhouse.duckdb"
        started = time.perf_counter()
        publication = publish(marts_path(run_dir / "data" / "warehouse" / "leadhouse.duckdb"), target)
        seconds = time.perf_counter() - started
        size = target.stat().st_size
    return {
        "seconds": seconds,
        "copy_seconds": publication.copy_seconds,
        "parquet_seconds": publication.parquet_seconds,
        "marts": len(publication.rows),
        "rows": sum(publication.rows.values()),
        "copy_bytes": size,
    }


def write_delta(sample: Path, landing: Path, leads: int) -> dict[str, int]:
    """New landing files beside the sample's: 1 % of the leads as new web-form people, 1 % as
    changed versions of existing web-form records, 1 % of the activities as new activities."""
    import polars as pl

    per_source = max(int(leads * DELTA_SHARE), 1)
    forms = pl.read_csv(sample / "landing" / "web_forms" / "web_forms_001.csv", infer_schema=False)
    picked = forms.sample(n=min(2 * per_source, forms.height), seed=7, shuffle=True)
    new, changed = picked.head(per_source), picked.tail(picked.height - per_source)
    first_id = int(forms["Submission ID"].cast(pl.Int64).max()) + 1
    # New people: first names rotated against last names, an address of their own, new ids.
    new = new.with_columns(
        pl.Series("Submission ID", [str(first_id + i) for i in range(new.height)]),
        pl.col("First Name").shift(1, fill_value="Robin"),
        pl.Series("Email Address", [f"delta.person.{i}@example.net" for i in range(new.height)]),
        pl.Series("Phone Number", [f"555-01{i % 100:02d}-{i:04d}"[-12:] for i in range(new.height)]),
    )
    # Changed: the same record ids, a later version with another job title and budget.
    changed = changed.with_columns(
        pl.lit("Operations Director").alias("Job Title"), pl.lit("$90,000").alias("Budget (USD)")
    )
    forms_out = landing / "web_forms" / "web_forms_002.csv"
    pl.concat([new, changed]).write_csv(forms_out)

    activities = pl.read_ndjson(
        sample / "landing" / "crm_activities" / "crm_activities_001.jsonl", infer_schema_length=None
    )
    extra = max(int(activities.height * DELTA_SHARE), 1)
    added = activities.sample(n=extra, seed=11).with_columns(
        (pl.col("activity_id") + pl.lit("D")).alias("activity_id")
    )
    activities_out = landing / "crm_activities" / "crm_activities_002.jsonl"
    added.write_ndjson(activities_out)
    return {"new_leads": new.height, "changed_leads": changed.height, "new_activities": added.height}


def incremental_scenario(run_dir: Path, sample: Path, workdir: Path, leads: int) -> dict:
    """A copy of the full run, the delta's files landed, then refresh_warehouse."""
    target = workdir / f"run-{leads}-incremental"
    if target.exists():
        shutil.rmtree(target)
    print(f"incremental: copying {run_dir} ...", flush=True)
    shutil.copytree(run_dir, target, symlinks=True, ignore=shutil.ignore_patterns("pipeline.log"))
    landing = target / "data" / "landing"
    landing.unlink()  # the full run's is a link to the sample: a folder of links, plus the delta
    for folder in (sample / "landing").iterdir():
        (landing / folder.name).mkdir(parents=True)
        for file in folder.iterdir():
            (landing / folder.name / file.name).symlink_to(file)
    delta = write_delta(sample, landing, leads)
    print(f"incremental: delta {delta}; refresh_warehouse ...", flush=True)
    seconds, peak = timed(
        dagster_job("refresh_warehouse"), environment(target), cwd=ROOT, log=target / "pipeline.log"
    )
    full = json.loads((workdir / f"pipeline-{leads}.json").read_text())
    return {
        "seconds": seconds,
        "peak_mib": peak,
        "delta": delta,
        "full_run_seconds": full["seconds"],
        "share_of_full": seconds / full["seconds"],
    }


WRITE_MARTS = 9  # the largest marts by rows


def remove_database(path: Path) -> None:
    """A DuckDB file and its write-ahead log."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def writes_scenario(run_dir: Path, workdir: Path) -> dict:
    import duckdb
    import yaml

    from leadhouse.settings import DBT_PROJECT_DIR
    from leadhouse.warehouse import marts_path

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    identifiers = set(project["vars"]["duckdb_identifier_columns"])
    source = marts_path(run_dir / "data" / "warehouse" / "leadhouse.duckdb")
    with duckdb.connect(str(source), read_only=True) as conn:
        tables = conn.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' "
            "order by estimated_size desc, table_name limit ?",
            [WRITE_MARTS],
        ).fetchall()
        columns = {table: conn.execute(f'describe marts."{table}"').fetchall() for table, _ in tables}
    scratch = workdir / "writes-scratch.duckdb"
    rows: list[dict] = []
    for table, size in tables:
        row: dict = {"table": table, "rows": size}
        for label, hinted in (("duckdb_choice", set()), ("identifiers_fsst", identifiers)):
            remove_database(scratch)
            ddl = ", ".join(
                f'"{name}" {data_type}' + (" using compression fsst" if name in hinted else "")
                for name, data_type, *_ in columns[table]
            )
            with duckdb.connect(str(scratch)) as conn:
                conn.execute("set memory_limit = '4GB'; set max_vacuum_tasks = 0")  # dbt's profile
                conn.execute(f"attach '{source}' as built (read_only)")
                conn.execute(f"create table written ({ddl})")
                started = time.perf_counter()
                conn.execute(f'insert into written select * from built.marts."{table}"')
                conn.execute("checkpoint")
                row[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
            row[f"{label}_mb"] = round(scratch.stat().st_size / 1e6)
        row["identifier_columns"] = [name for name, *_ in columns[table] if name in identifiers]
        print(
            f"{table:<28} {size:>11,} rows  DuckDB's choice {row['duckdb_choice_seconds']:6.2f} s "
            f"{row['duckdb_choice_mb']:>5} MB  identifiers FSST {row['identifiers_fsst_seconds']:6.2f} s "
            f"{row['identifiers_fsst_mb']:>5} MB",
            flush=True,
        )
        rows.append(row)
    remove_database(scratch)
    return {
        "seconds": sum(r["identifiers_fsst_seconds"] for r in rows),
        "duckdb_choice_seconds": sum(r["duckdb_choice_seconds"] for r in rows),
        "duckdb_choice_mb": sum(r["duckdb_choice_mb"] for r in rows),
        "identifiers_fsst_mb": sum(r["identifiers_fsst_mb"] for r in rows),
        "tables": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["er", "scoring", "publish", "incremental", "writes"])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/pipeline"))
    args = parser.parse_args(argv)
    run_dir = args.workdir / f"run-{args.leads}"
    if not (run_dir / "data" / "warehouse" / "leadhouse.duckdb").exists():
        raise SystemExit(
            f"no full run at {args.leads:,} leads in {run_dir}: run make bench-pipeline SIZE={args.leads} first"
        )
    if args.scenario in SELECTIONS:
        result = dbt_scenario(args.scenario, run_dir, args.workdir, args.leads)
    elif args.scenario == "publish":
        result = publish_scenario(run_dir)
    elif args.scenario == "writes":
        result = writes_scenario(run_dir, args.workdir)
    else:
        result = incremental_scenario(
            run_dir, args.workdir / f"sample-{args.leads}", args.workdir, args.leads
        )
    result = {"scenario": args.scenario, "leads": args.leads} | result
    for name, value in result.items():
        if name == "tables":  # printed table by table above
            continue
        print(f"{name:<18} {value:,.2f}" if isinstance(value, float) else f"{name:<18} {value}")
    out = args.workdir / f"scenario-{args.scenario}-{args.leads}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
