"""The scenarios beside the full run, on the warehouse `make bench-pipeline SIZE=N` left:

    make bench-pipeline SIZE=1000000 SCENARIO=er            # entity resolution alone
    make bench-pipeline SIZE=1000000 SCENARIO=scoring       # rule scoring, routing and queues alone
    make bench-pipeline SIZE=1000000 SCENARIO=publish       # the published copy and the Parquet files
    make bench-pipeline SIZE=1000000 SCENARIO=incremental   # 1 % new and 1 % changed records

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["er", "scoring", "publish", "incremental"])
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
    else:
        result = incremental_scenario(
            run_dir, args.workdir / f"sample-{args.leads}", args.workdir, args.leads
        )
    result = {"scenario": args.scenario, "leads": args.leads} | result
    for name, value in result.items():
        print(f"{name:<18} {value:,.2f}" if isinstance(value, float) else f"{name:<18} {value}")
    out = args.workdir / f"scenario-{args.scenario}-{args.leads}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
