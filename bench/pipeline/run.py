"""The whole pipeline at a given size, the way `make materialize` runs it, against DuckDB's own read.

    make bench-pipeline SIZE=1000000        # sample cached in BENCH_DIR/pipeline
    .venv/bin/python bench/pipeline/run.py --leads 100000 --workdir /tmp/lh-bench/pipeline

1. The generator's sample at ``--leads`` (seed 42, as of 2026-11-01), cached between runs.
2. The floor: DuckDB alone reading the same landing files into tables, once (bench/ingest/run.py).
3. The pipeline, after `make manifest`'s parse for the same data folder (timed apart): `dagster
   job execute -j materialize_everything` (every asset but the day
   partitions: ingestion, dbt, training, scoring, syncs, retention, publication, report, the
   summary files) into a fresh data folder and Dagster instance, with the process tree's resident
   memory sampled every 0.2 s.
4. Where the time went, from the run's own events: each step's wall time; each dbt model's
   execution time (dagster-dbt's ``Execution Duration``) summed per asset group, and what is left
   of the dbt steps (dbt's start, parse, hooks and tests); rows in and out; the peak memory while
   each stage ran; the ingestion of each entity against the floor's read of it.

It prints the table and the totals, writes them as JSON beside the run, and exits 1 when a target
of docs/performance.md is missed at 1,000,000 leads or more (180 s, 6 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ingest.run import child as ingest_child  # noqa: E402
from bench.ingest.run import ensure_sample  # noqa: E402
from bench.measure import timed  # noqa: E402
from leadhouse.warehouse import connect as connect_warehouse  # noqa: E402

TARGET_SECONDS = 180.0
TARGET_PEAK_GIB = 6.0
AS_OF = "2026-11-01"
DBT_STEPS = ("leadhouse_dbt", "leadhouse_dbt_after_scoring")
# Python steps by what they do (the dbt steps are split by the models' groups).
STAGES = {
    "ml__conversion_model_candidate": "training",
    "ml__conversion_model": "training",
    "ml__lead_scores": "model scoring",
    "lead_scores": "model scoring",
    "ml__conversion_model_candidate_model_gate": "training",
    "published__warehouse": "publish: DuckDB copy",
    "published__parquet": "publish: Parquet files",
    "published__report": "report",
    "ops__retention_cleanup": "retention",
    "exports__agent_daily_summaries": "summary files",
}


def environment(run_dir: Path) -> dict[str, str]:
    """The pipeline's environment for a run folder (data, models, Dagster instance) at AS_OF."""
    env = os.environ | {
        "LEADHOUSE_DATA_DIR": str(run_dir / "data"),
        "LEADHOUSE_MODEL_DIR": str(run_dir / "models"),
        "LEADHOUSE_AS_OF": AS_OF,
        "DAGSTER_HOME": str(run_dir / "dagster_home"),
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
    }
    for variable in ("LEADHOUSE_CRM_DSN", "LEADHOUSE_CRM_API_URL", "LEADHOUSE_CRM_API_TOKEN"):
        env.pop(variable, None)  # the syncs and the CRM extraction skip: nothing leaves this machine
    return env


def dagster_job(name: str) -> list[str]:
    """The command that runs the job ``name`` of the code location in this process's environment."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    return [dagster, "job", "execute", "-j", name, "-m", "orchestration.definitions"]


def run_pipeline(data: Path, run_dir: Path) -> dict:
    """materialize_everything into a fresh data folder (the sample's landing files linked in)."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    (run_dir / "data").mkdir(parents=True)
    (run_dir / "data" / "landing").symlink_to(data / "landing")
    home = run_dir / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = environment(run_dir)
    # `make materialize` parses the project first (`make manifest`) with the same data folder, so
    # the run's dbt commands reuse that parse; a parse for another folder would not serve them
    # (the warehouse path is part of dbt's profile), and each would parse the whole project again.
    parsed = time.time()
    subprocess.run(
        [sys.executable, "-m", "leadhouse.dbt_invocation", "parse", "--quiet"], cwd=ROOT, env=env, check=True
    )
    parse_seconds = time.time() - parsed
    print(
        f"manifest: dbt parse for this data folder, as make manifest does: {parse_seconds:.1f} s", flush=True
    )
    samples: list[tuple[float, float]] = []
    log = run_dir / "pipeline.log"
    print(f"pipeline: materialize_everything, log in {log} ...", flush=True)
    started = time.time()
    seconds, _ = timed(dagster_job("materialize_everything"), env, cwd=ROOT, log=log, samples=samples)
    return {
        "seconds": seconds,
        "parse_seconds": parse_seconds,
        "started": started,
        "samples": samples,
        "home": home,
        "data": run_dir / "data",
    }


def stages(home: Path, warehouse: Path, samples: list[tuple[float, float]]) -> list[dict]:
    """Seconds, rows in and out and peak memory of each stage, from the run's events."""
    import dagster as dg
    import duckdb

    from ingest.config import load_source_configs
    from leadhouse.settings import DBT_PROJECT_DIR

    # A dbt model's group is its dbt group (dbt_project.yml, as the UI shows it); a source's entity
    # its config's. Read from the project, not the Dagster definitions (nothing but orchestration/
    # and the tests imports orchestration).
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    dbt_groups = {uid: node["config"].get("group") or "?" for uid, node in manifest["nodes"].items()}
    entities = {config.name: config.entity for config in load_source_configs(ROOT / "config" / "sources")}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        records = instance.get_records_for_run(run.run_id).records
    windows: dict[str, list[float]] = {}
    model_seconds: dict[tuple[str, str], float] = defaultdict(float)  # (step, group)
    model_keys: dict[tuple[str, str], list[dg.AssetKey]] = defaultdict(list)
    ingest: dict[str, dict] = {}
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type in (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS):
            windows.setdefault(event.step_key, []).append(entry.timestamp)
        materialization = entry.asset_materialization
        if materialization is None:
            continue
        key = materialization.asset_key
        metadata = {name: value.value for name, value in materialization.metadata.items()}
        if "Execution Duration" in metadata:
            group = (event.step_key, dbt_groups.get(str(metadata.get("unique_id")), "?"))
            model_seconds[group] += float(metadata["Execution Duration"])
            model_keys[group].append(key)
        elif key.path[0] == "raw" and "rows_read" in metadata:
            ingest[key.path[1]] = metadata
    counts = {}
    with connect_warehouse(warehouse, read_only=True) as conn:
        for keys in model_keys.values():
            for key in keys:
                try:
                    counts[key] = conn.execute(
                        f'select count(*) from "{key.path[0]}"."{key.path[-1]}"'
                    ).fetchone()[0]
                except duckdb.Error:
                    counts[key] = 0
    rows: list[dict] = []

    def stage(name: str, seconds: float, window: tuple[float, float], rows_out=None, **extra) -> dict:
        """A line of the table; its peak memory is the highest sample while ``window`` lasted."""
        peak = max((rss for t, rss in samples if window[0] <= t <= window[1]), default=0.0)
        return {
            "stage": name,
            "seconds": seconds,
            "rows_in": None,
            "rows_out": rows_out,
            "peak_mib": peak,
        } | extra

    for step, times in sorted(windows.items(), key=lambda item: min(item[1])):
        window = (min(times), max(times))
        seconds = window[1] - window[0]
        if step.endswith("_rows_reconcile"):
            rows.append(stage("ingest checks", seconds, window))
        elif step.startswith("raw__"):
            source = step[len("raw__") :]
            metadata = ingest.get(source, {})
            rows.append(
                stage(
                    f"ingest {source}",
                    seconds,
                    window,
                    rows_out=metadata.get("rows_loaded", 0),
                    rows_in=metadata.get("rows_read", 0),
                    entity=entities.get(source, "?"),
                )
            )
        elif step in DBT_STEPS:
            after = " (after scoring)" if step != DBT_STEPS[0] else ""
            modelled = 0.0
            for (model_step, group), group_seconds in sorted(model_seconds.items()):
                if model_step == step:
                    modelled += group_seconds
                    rows_out = sum(counts.get(k, 0) for k in model_keys[(model_step, group)])
                    rows.append(stage(f"dbt {group}{after}", group_seconds, window, rows_out=rows_out))
            rows.append(stage(f"dbt start, parse, hooks, tests{after}", max(seconds - modelled, 0.0), window))
        else:
            name = STAGES.get(step) or (
                "exports" if step.startswith("exports__") else "checks" if "check" in step else step
            )
            rows.append(stage(name, seconds, window))
    return rows


def merge(rows: list[dict]) -> list[dict]:
    """One line per stage name (the dbt groups' shares of the two steps added up)."""
    merged: dict[str, dict] = {}
    for row in rows:
        name = row["stage"].replace(" (after scoring)", "")
        into = merged.setdefault(
            name,
            {"stage": name, "seconds": 0.0, "rows_in": None, "rows_out": None, "peak_mib": 0.0}
            | ({"entity": row["entity"]} if "entity" in row else {}),
        )
        into["seconds"] += row["seconds"]
        for field in ("rows_in", "rows_out"):
            if row[field] is not None:
                into[field] = (into[field] or 0) + row[field]
        into["peak_mib"] = max(into["peak_mib"], row["peak_mib"])
    return list(merged.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/pipeline"))
    parser.add_argument(
        "--analyze-only",
        action="store_true",
        help="read the last run's events again (no new run; memory unknown)",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = args.workdir / f"sample-{args.leads}"
    ensure_sample(data, args.leads, args.seed)

    print("floor: DuckDB reading the same files ...", flush=True)
    floor = ingest_child("floor", data, args.workdir, ROOT / "config" / "sources")
    floor_by_entity: dict[str, float] = defaultdict(float)
    for source in floor["sources"]:
        floor_by_entity[source["entity"]] += source["seconds"]

    run_dir = args.workdir / f"run-{args.leads}"
    if args.analyze_only:
        saved = json.loads((args.workdir / f"pipeline-{args.leads}.run.json").read_text())
        pipeline = {**saved, "home": Path(saved["home"]), "data": Path(saved["data"])}
    else:
        pipeline = run_pipeline(data, run_dir)
        (args.workdir / f"pipeline-{args.leads}.run.json").write_text(
            json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in pipeline.items()})
        )
    warehouse = pipeline["data"] / "warehouse" / "leadhouse.duckdb"
    rows = merge(stages(pipeline["home"], warehouse, pipeline["samples"]))
    peak = max((rss for _, rss in pipeline["samples"]), default=0.0)
    total = pipeline["seconds"]

    print(
        f"\n{'stage':<36}{'seconds':>9}{'share':>7}{'rows in':>13}{'rows out':>13}{'peak MiB':>10}{'x floor':>9}"
    )
    ingest_by_entity: dict[str, float] = defaultdict(float)
    for row in rows:
        ratio = ""
        if "entity" in row:
            ingest_by_entity[row["entity"]] += row["seconds"]
        print(
            f"{row['stage'][:35]:<36}{row['seconds']:>9.1f}{row['seconds'] / total:>7.0%}"
            f"{(row['rows_in'] or 0):>13,}{(row['rows_out'] or 0):>13,}{row['peak_mib']:>10,.0f}{ratio:>9}"
        )
    print(f"\n{'ingestion by entity':<36}{'seconds':>9}{'floor s':>9}{'x floor':>9}")
    for entity, seconds in sorted(ingest_by_entity.items(), key=lambda item: -item[1]):
        floor_seconds = floor_by_entity.get(entity, 0.0)
        ratio = f"{seconds / floor_seconds:.1f}" if floor_seconds else "-"
        print(f"{entity:<36}{seconds:>9.1f}{floor_seconds:>9.1f}{ratio:>9}")
    accounted = sum(row["seconds"] for row in rows)
    parse = pipeline.get("parse_seconds")
    parse_text = "not timed (an earlier run)" if parse is None else f"{parse:.1f} s"
    print(
        f"\npipeline  {total:7.1f} s wall ({accounted:.1f} s in steps, the rest loading definitions and "
        f"starting the run), peak {peak:,.0f} MiB; before it, make manifest's parse "
        f"{parse_text}\n"
        f"floor     {floor['seconds']:7.1f} s (DuckDB reading the same files once), peak {floor['peak_mib']:,.0f} MiB\n"
        f"ratio     {total / floor['seconds']:7.1f} x the floor; {args.leads:,} leads; cpus {os.cpu_count()}"
    )
    result = {
        "leads": args.leads,
        "seconds": total,
        "parse_seconds": pipeline.get("parse_seconds"),
        "peak_mib": peak,
        "floor_seconds": floor["seconds"],
        "stages": rows,
        "floor_by_entity": floor_by_entity,
    }
    out = args.workdir / f"pipeline-{args.leads}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {out}")
    if args.leads >= 1_000_000:
        missed = []
        if total > TARGET_SECONDS:
            missed.append(f"{total:.0f} s > {TARGET_SECONDS:.0f} s")
        if peak > TARGET_PEAK_GIB * 1024:
            missed.append(f"{peak / 1024:.1f} GiB > {TARGET_PEAK_GIB:.0f} GiB")
        print("targets: " + ("missed: " + "; ".join(missed) if missed else "met"))
        return 1 if missed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
