"""Leadhouse's side of the entity-resolution benchmark (run_splink.py is Splink's): resolve a file of records.

    .venv/bin/python bench/er/run_leadhouse.py --profile leads --prepare     # once: parse the dbt project
    .venv/bin/python bench/er/run_leadhouse.py --profile leads --input records.parquet --output clusters.parquet

It runs the real dbt models, not a re-implementation:
- ``leads``: the records (canonical lead columns, ``record_id`` = ``source:source_record_id``)
  become ``raw.lead_records`` of a temporary warehouse (a view of the input file) and the
  warehouse's own dbt project builds everything up to ``int_er_records_clustered``;
- ``febrl``: the records (FEBRL fields + ``record_id``) go to ``bench.records`` and
  ``bench/er/febrl_dbt`` builds the same entity-resolution models and macros with FEBRL's fields.
Writes ``record_id``, ``cluster_id`` (the lead id).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from ingest.raw_tables import ensure_raw_tables
from ingest.schemas import LEAD
from leadhouse.dbt_invocation import project_var_sections, vars_args
from leadhouse.settings import DBT_PROJECT_DIR

FEBRL_PROJECT_DIR = Path(__file__).resolve().parent / "febrl_dbt"
# Database paths relative to the working directory dbt runs in (see _dbt).
LEADS_ENV = {"LEADHOUSE_DATA_DIR": "."}
FEBRL_ENV = {"LEADHOUSE_BENCH_DB": "febrl.duckdb"}


def _parse_cache(project_dir: Path) -> Path:
    return project_dir / "target" / "bench_parse"


def _var_sections(project_dir: Path, mode: str = "probabilistic") -> dict[str, dict]:
    """The --vars of a run: for the warehouse's project, the orchestration's (the validated config
    files), with the mode asked for; bench/er/febrl_dbt keeps its settings in its dbt_project.yml."""
    if project_dir != DBT_PROJECT_DIR:
        return {}
    sections = project_var_sections()
    sections["entity_resolution"] = {**sections["entity_resolution"], "mode": mode}
    return sections


def _dbt(
    project_dir: Path,
    workdir: Path,
    env: dict[str, str],
    var_sections: dict[str, dict],
    command: str = "build",
) -> None:
    """Run dbt in `workdir` (the profile's database path is relative to it, so the profile is the
    same on every run and dbt's partial parsing applies). Like dagster-dbt, which copies the
    deployed project's partial_parse.msgpack into each invocation's target, the project is parsed
    once (`--prepare`, or the first run) and each run reuses that parse."""
    target = workdir / "target"
    target.mkdir(parents=True, exist_ok=True)
    cache = _parse_cache(project_dir) / "partial_parse.msgpack"
    if cache.exists():
        shutil.copy2(cache, target / cache.name)
    arguments = [
        str(Path(sys.executable).with_name("dbt")),
        command,
        "--quiet",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(workdir / "logs"),
        *vars_args(var_sections),
    ]
    if command == "build":
        arguments += [
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--select",
            "+int_er_records_clustered",
        ]
    environment = os.environ | env | {"DO_NOT_TRACK": "1", "DBT_VERSION_CHECK": "false"}
    started = time.perf_counter()
    result = subprocess.run(arguments, env=environment, cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"dbt failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    if var_sections == _var_sections(
        project_dir
    ):  # other --vars (baseline mode) change what the parse holds: not cached
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target / cache.name, cache)
    if command == "build":
        _print_timings(target / "run_results.json", time.perf_counter() - started)


def prepare(profile: str) -> None:
    """Parse the dbt project the profile uses, as a deployment does once (`make manifest`)."""
    project_dir, env = (DBT_PROJECT_DIR, LEADS_ENV) if profile == "leads" else (FEBRL_PROJECT_DIR, FEBRL_ENV)
    with tempfile.TemporaryDirectory(prefix="leadhouse-er-parse-") as tmp:
        _dbt(project_dir, Path(tmp), env, _var_sections(project_dir), command="parse")


def _print_timings(run_results: Path, dbt_seconds: float) -> None:
    """Where dbt's time went, slowest model first (to stderr: the benchmark keeps it in its log)."""
    results = json.loads(run_results.read_text())["results"]
    timed = sorted(((r["execution_time"], r["unique_id"].split(".")[-1]) for r in results), reverse=True)
    in_models = sum(seconds for seconds, _ in timed)
    print(
        f"dbt: {dbt_seconds:.1f} s, of which {in_models:.1f} s in {len(timed)} models "
        f"({dbt_seconds - in_models:.1f} s start-up, parsing and bookkeeping)",
        file=sys.stderr,
    )
    for seconds, name in timed[:12]:
        print(f"  {seconds:6.2f} s  {name}", file=sys.stderr)


def resolve_leads(input_path: Path, workdir: Path, mode: str) -> pl.DataFrame:
    """The records become the warehouse's raw.lead_records as a view of the input file, read in
    place (as Splink reads it): the timed work is entity resolution, not copying the input.
    Columns the file lacks are null; `source` and `source_record_id` come from `record_id`
    (``source:source_record_id``) when the file has no such columns."""
    warehouse = workdir / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as conn:
        ensure_raw_tables(conn)
        columns = conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [LEAD.table],
        ).fetchall()
        present = set(pl.read_parquet_schema(input_path))
        derived = {
            "source": "split_part(record_id, ':', 1)",
            "source_record_id": "substr(record_id, length(split_part(record_id, ':', 1)) + 2)",
        }
        select = ", ".join(
            f'cast("{name}" as {dtype}) as "{name}"'
            if name in present
            else f'cast({derived[name]} as {dtype}) as "{name}"'
            if name in derived
            else f'cast(null as {dtype}) as "{name}"'
            for name, dtype in columns
        )
        conn.execute(f"drop table raw.{LEAD.table}")
        conn.execute(
            f"create view raw.{LEAD.table} as select {select} from read_parquet('{input_path.resolve()}')"
        )
    _dbt(DBT_PROJECT_DIR, workdir, LEADS_ENV, _var_sections(DBT_PROJECT_DIR, mode))
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
    _dbt(FEBRL_PROJECT_DIR, workdir, FEBRL_ENV, _var_sections(FEBRL_PROJECT_DIR))
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.sql(
            "select record_key as record_id, lead_id as cluster_id from intermediate.int_er_records_clustered"
        ).pl()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", required=True, choices=["leads", "febrl", "febrl3", "febrl4"])
    parser.add_argument("--input", type=Path)
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only parse the profile's dbt project, as a deployment does once; runs reuse the parse",
    )
    parser.add_argument("--mode", default="probabilistic", choices=["probabilistic", "baseline"])
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build in DIR (new or empty) and keep it: the warehouse, dbt's target and logs",
    )
    args = parser.parse_args(argv)
    if args.prepare:
        prepare("leads" if args.profile == "leads" else "febrl")
        return 0
    if not (args.input and args.output):
        parser.error("--input and --output are required (or --prepare)")

    started = time.perf_counter()
    records = pl.scan_parquet(args.input).select(pl.len()).collect().item()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            raise SystemExit(f"--keep {args.keep}: not empty")
    with (
        contextlib.nullcontext(str(args.keep))
        if args.keep
        else tempfile.TemporaryDirectory(prefix="leadhouse-er-")
    ) as tmp:
        if args.profile == "leads":
            clusters = resolve_leads(args.input, Path(tmp), args.mode)
        else:
            if args.mode != "probabilistic":
                raise SystemExit("baseline mode is defined on lead fields only")
            clusters = resolve_febrl(
                pl.read_parquet(args.input).with_columns(pl.col("record_id").cast(pl.String)), Path(tmp)
            )
    clusters.write_parquet(args.output)
    print(
        f"{records} records -> {clusters['cluster_id'].n_unique()} clusters in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
