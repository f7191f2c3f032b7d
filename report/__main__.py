"""Render the report without Dagster: ``python -m report [--source PATH] [--out PATH]``, by default
from ``published/leadhouse.duckdb`` to ``published/report.html`` under ``LEADHOUSE_DATA_DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadhouse.settings import Settings
from report.build import render_report


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=settings.published_path, help="a DuckDB file with the marts"
    )
    parser.add_argument("--out", type=Path, default=settings.published_dir / "report.html")
    args = parser.parse_args(argv)
    summary = render_report(args.source, args.out, progress=print)
    print(
        f"{summary.path}: {len(summary.marks)} of {len(summary.marks) + len(summary.missing)} charts drawn, "
        f"{summary.size:,} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
