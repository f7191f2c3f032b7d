"""Benchmark the sample-data generator: wall time, peak memory and rows per file.

    .venv/bin/python bench/generator_bench.py            # 1,000,000 leads into a temp dir
    .venv/bin/python bench/generator_bench.py --leads 100000 --keep /tmp/sample

The target is 1,000,000 leads (with their activities) in under 60 s on a 2-core machine; the
script exits with status 1 when the run is slower than ``--budget`` seconds. Peak memory is the
process's maximum resident set size (``ru_maxrss``), which covers numpy, polars and Python.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sample_data import GeneratorConfig, generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batches", type=int, default=1)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds allowed")
    parser.add_argument("--keep", type=Path, help="write here and keep the files (default: a temp dir)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="leadhouse-bench-") as tmp:
        out = args.keep or Path(tmp)
        cfg = GeneratorConfig(leads=args.leads, seed=args.seed, out=out, batches=args.batches)
        started = time.perf_counter()
        result = generate(cfg)
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        sizes = {path: (out / path).stat().st_size for path in result.files}

    print(f"leads            {args.leads:,}")
    print(f"cpus             {os.cpu_count()}")
    print(f"wall seconds     {seconds:.1f}  (budget {args.budget:.0f})")
    print(f"peak RSS         {peak_mib:,.0f} MiB")
    print(f"records          {result.summary['records']:,}")
    print(f"status changes   {result.summary['status_changes']:,}")
    print(f"activities       {result.summary['activities']:,}")
    print(f"{'file':<56}{'rows':>12}{'MiB':>9}")
    for path, rows in result.files.items():
        print(f"{path:<56}{rows:>12,}{sizes[path] / 2**20:>9.1f}")
    print(f"{'total':<56}{sum(result.files.values()):>12,}{sum(sizes.values()) / 2**20:>9.1f}")
    return 0 if seconds <= args.budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
