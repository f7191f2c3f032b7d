"""Ingest a sample-data folder's lead sources into its own warehouse, for the ER benchmark.

    .venv/bin/python bench/er/ingest_sample.py <data_dir>

reads ``<data_dir>/landing`` with the project's source configs (lead sources only) and writes
``<data_dir>/warehouse/leadhouse.duckdb``. Files already ingested are skipped (the ledger), so
running it twice loads nothing twice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from ingest.config import load_source_configs
from ingest.pipeline import Ingestor

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCES = PROJECT_ROOT / "config" / "sources"


def ingest_leads(data_dir: Path) -> None:
    data_dir = Path(data_dir)
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    configs = [c for c in load_source_configs(SOURCES) if c.entity == "lead"]
    with duckdb.connect(str(warehouse)) as conn:
        ingestor = Ingestor(conn, data_dir / "landing")
        for config in configs:
            report = ingestor.ingest(config)
            print(
                f"{config.name}: {report.total('rows_loaded')} loaded, "
                f"{report.total('rows_quarantined')} quarantined, {len(report.new_files)} new files"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path, help="a folder written by `python -m sample_data --out`")
    ingest_leads(parser.parse_args(argv).data_dir)


if __name__ == "__main__":
    main()
