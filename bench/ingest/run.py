"""Ingestion at scale: the generator's sample into a fresh warehouse, against DuckDB's own read.

    make bench-ingest                       # 1,000,000 leads (sample cached in BENCH_DIR)
    .venv/bin/python bench/ingest/run.py --leads 100000 --workdir /tmp/lh-bench

Two measurements, each in its own process (so each has its own peak memory):
- ``pipeline``: every source config ingested as the ``raw/<source>`` assets do it
  (``ingest.pipeline.Ingestor``: read, map, normalize, validate, triage, write), one after the
  other, into a fresh DuckDB file;
- ``floor``: DuckDB alone reading the same files into tables (``read_csv`` with every column
  as text, ``read_json``), the least any ingestion into DuckDB can cost.
It prints seconds, rows and rows per second per source and per entity, peak memory, and the
ratio to the floor, and exits 1 when the targets (issue 8: under 60 s and 4 GiB at 1,000,000
leads) are missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.measure import json_child, peak_mib  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_PEAK_GIB = 4.0


def ensure_sample(data: Path, leads: int, seed: int) -> None:
    marker = data / f".sample-{leads}-{seed}"
    if marker.exists():
        print(f"sample: {leads:,} leads (seed {seed}) cached in {data}", flush=True)
        return
    print(f"sample: generating {leads:,} leads (seed {seed}) into {data} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sample_data", "--leads", str(leads), "--seed", str(seed), "--out", str(data)],
        cwd=ROOT,
        check=True,
    )
    marker.touch()
    print(f"sample: generated in {time.perf_counter() - started:.1f} s", flush=True)


def run_pipeline(data: Path, warehouse: Path, sources: Path) -> dict:
    import duckdb

    from ingest.config import load_source_configs
    from ingest.pipeline import Ingestor

    configs = load_source_configs(sources)
    per_source = []
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as conn:
        ingestor = Ingestor(conn, data / "landing", batch_id="bench")
        for config in configs:
            t0 = time.perf_counter()
            report = ingestor.ingest(config)
            seconds = time.perf_counter() - t0
            per_source.append(
                {
                    "source": config.name,
                    "entity": config.entity,
                    "seconds": seconds,
                    "rows": report.total("rows_read"),
                    "loaded": report.total("rows_loaded"),
                    "quarantined": report.total("rows_quarantined"),
                    "field_issues": report.total("field_issues"),
                }
            )
            print(
                f"  pipeline {config.name:<22}{report.total('rows_read'):>12,} rows {seconds:>7.1f} s",
                flush=True,
            )
        conn.execute("checkpoint")
    return {"seconds": time.perf_counter() - started, "peak_mib": peak_mib(), "sources": per_source}


def run_floor(data: Path, warehouse: Path, sources: Path) -> dict:
    import duckdb

    from ingest.config import load_source_configs
    from ingest.pipeline import landing_files

    per_source = []
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as conn:
        for config in load_source_configs(sources):
            files = [str(p) for p in landing_files(config, data / "landing")]
            if not files:
                continue
            t0 = time.perf_counter()
            if config.format == "csv":
                reader = (
                    f"read_csv({files!r}, all_varchar = true, header = true, delim = '{config.csv.delimiter}', "
                    "ignore_errors = true, null_padding = true)"
                )
            else:
                reader = f"read_json({files!r}, format = 'newline_delimited')"
            conn.execute(f"create table {config.name} as select * from {reader}")
            rows = conn.execute(f"select count(*) from {config.name}").fetchone()[0]
            per_source.append(
                {
                    "source": config.name,
                    "entity": config.entity,
                    "seconds": time.perf_counter() - t0,
                    "rows": rows,
                }
            )
        conn.execute("checkpoint")
    return {"seconds": time.perf_counter() - started, "peak_mib": peak_mib(), "sources": per_source}


def child(kind: str, data: Path, workdir: Path, sources: Path) -> dict:
    warehouse = workdir / f"{kind}.duckdb"
    warehouse.unlink(missing_ok=True)
    arguments = ["--child", kind, "--data", str(data), "--workdir", str(workdir), "--sources", str(sources)]
    return json_child([sys.executable, __file__, *arguments], ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="sample folder (default: WORKDIR/sample-LEADS)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/leadhouse-bench/ingest"))
    parser.add_argument("--sources", type=Path, default=ROOT / "config" / "sources")
    parser.add_argument("--child", choices=["pipeline", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.data or args.workdir / f"sample-{args.leads}"

    if args.child:
        run = run_pipeline if args.child == "pipeline" else run_floor
        print(json.dumps(run(data, args.workdir / f"{args.child}.duckdb", args.sources)))
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    ensure_sample(data, args.leads, args.seed)
    print("floor: DuckDB reading the same files ...", flush=True)
    floor = child("floor", data, args.workdir, args.sources)
    print("pipeline: Leadhouse ingestion into a fresh warehouse ...", flush=True)
    pipeline = child("pipeline", data, args.workdir, args.sources)
    for kind in ("floor", "pipeline"):
        (args.workdir / f"{kind}.duckdb").unlink(missing_ok=True)

    floor_by_source = {s["source"]: s for s in floor["sources"]}
    print(
        f"\n{'source':<22}{'entity':<15}{'rows':>12}{'seconds':>9}{'rows/s':>11}{'floor s':>9}{'x floor':>9}"
    )
    by_entity: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for s in pipeline["sources"]:
        f = floor_by_source.get(s["source"], {"seconds": 0.0})
        rate = s["rows"] / s["seconds"] if s["seconds"] else 0
        ratio = s["seconds"] / f["seconds"] if f["seconds"] else float("nan")
        print(
            f"{s['source']:<22}{s['entity']:<15}{s['rows']:>12,}{s['seconds']:>9.1f}{rate:>11,.0f}"
            f"{f['seconds']:>9.1f}{ratio:>9.1f}"
        )
        totals = by_entity[s["entity"]]
        totals[0] += s["rows"]
        totals[1] += s["seconds"]
        totals[2] += f["seconds"]
    print(f"\n{'entity':<22}{'rows':>12}{'seconds':>9}{'rows/s':>11}{'floor s':>9}")
    for entity, (rows, seconds, floor_seconds) in by_entity.items():
        print(
            f"{entity:<22}{rows:>12,}{seconds:>9.1f}{rows / seconds if seconds else 0:>11,.0f}{floor_seconds:>9.1f}"
        )
    rows = sum(s["rows"] for s in pipeline["sources"])
    quarantined = sum(s["quarantined"] for s in pipeline["sources"])
    issues = sum(s["field_issues"] for s in pipeline["sources"])
    print(f"\nrows read {rows:,}; quarantined {quarantined:,}; field issues {issues:,}")
    print(
        f"pipeline  {pipeline['seconds']:7.1f} s wall, peak {pipeline['peak_mib']:,.0f} MiB "
        f"(targets: < {TARGET_SECONDS:.0f} s, < {TARGET_PEAK_GIB * 1024:,.0f} MiB)"
    )
    print(
        f"floor     {floor['seconds']:7.1f} s wall, peak {floor['peak_mib']:,.0f} MiB "
        f"(DuckDB read_csv/read_json of the same files)"
    )
    print(f"ratio     {pipeline['seconds'] / floor['seconds']:7.1f} x the floor; cpus {os.cpu_count()}")
    met = pipeline["seconds"] < TARGET_SECONDS and pipeline["peak_mib"] < TARGET_PEAK_GIB * 1024
    print("targets   " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
