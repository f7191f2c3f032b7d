"""A stand-in for ``bench/er/run_leadhouse.py`` with the same contract, for testing the driver.

    python tests/bench/fake_er_cli.py --profile leads --input X.parquet --output Y.parquet [--mode baseline]

Clusters records by one exact key: soc_sec_id for FEBRL, email for leads (phone in baseline
mode). Records without the key stay alone. ``--fail`` exits with an error instead, so the
driver's handling of a failing system can be tested.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

KEYS = {
    ("febrl3", "full"): "soc_sec_id",
    ("febrl4", "full"): "soc_sec_id",
    ("leads", "full"): "email",
    ("leads", "baseline"): "phone",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", required=True, choices=["leads", "febrl3", "febrl4"])
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--mode", default="full", choices=["full", "baseline"])
    parser.add_argument("--fail", action="store_true")
    args = parser.parse_args(argv)
    if args.fail:
        sys.exit("fake_er_cli: failing on purpose")
    key = KEYS[(args.profile, args.mode)]
    records = pl.read_parquet(args.input, columns=["record_id", key])
    records.select(
        "record_id",
        pl.coalesce(pl.lit("key:") + pl.col(key), pl.lit("id:") + pl.col("record_id")).alias("cluster_id"),
    ).write_parquet(args.output)


if __name__ == "__main__":
    main()
