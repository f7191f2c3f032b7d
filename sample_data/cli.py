"""Command line: ``python -m sample_data --leads N --seed S --out DIR [--as-of D] [--batches K]``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from .config import GeneratorConfig
from .generator import generate


def parse_args(argv: list[str] | None = None) -> GeneratorConfig:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Generate a deterministic, realistic lead-analytics data set with ground truth.",
    )
    defaults = GeneratorConfig()
    parser.add_argument("--leads", type=int, default=defaults.leads, help="distinct people (golden leads)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, default=defaults.out, help="output directory")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=defaults.as_of,
        help="end of the simulated period, YYYY-MM-DD (fixed, never today)",
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=defaults.batches,
        help="split each table chronologically into this many files",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        return GeneratorConfig(
            leads=args.leads,
            seed=args.seed,
            out=args.out,
            as_of=args.as_of,
            batches=args.batches,
            progress=not args.quiet,
        )
    except ValueError as exc:
        parser.error(str(exc))


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    result = generate(cfg)
    s = result.summary
    print(f"people            {s['people']:>12,}")
    print(f"source records    {s['records']:>12,}  ({s['records_per_person']:.2f} per person)")
    for source, n in s["records_per_source"].items():
        print(f"  {source:<16}{n:>12,}")
    print(f"duplicate rate    {s['duplicate_rate']:>12.1%}  (people with 2+ records)")
    print(f"injected errors   {s['injected_errors']['total']:>12,}")
    print(f"status changes    {s['status_changes']:>12,}")
    print(f"activities        {s['activities']:>12,}")
    print("files (data rows):")
    for path, rows in result.files.items():
        print(f"  {path:<52}{rows:>12,}")
    print(f"written to {cfg.out} in {result.seconds:.1f} s")
    return 0
