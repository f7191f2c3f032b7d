"""``leadhouse-export``: run, preview and inspect the syncs of ``config/exports/`` (docs/exports.md).

    leadhouse-export list                      the syncs and their last run
    leadhouse-export run NAME [--dry-run] [--full-resync]
    leadhouse-export log NAME [--run RUN_ID] [--status rejected]

It opens the pipeline's warehouse (the single writer): run it while no pipeline run is writing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from exports.config import SyncConfigError, load_sync_configs
from exports.engine import ensure_export_tables, run_sync
from leadhouse.settings import Settings
from leadhouse.warehouse import connect


def _config(settings: Settings, name: str):
    configs = {c.name: c for c in load_sync_configs(settings.exports_config_dir)}
    if name not in configs:
        raise SystemExit(
            f"no sync named {name!r} in {settings.exports_config_dir}; known: {', '.join(configs)}"
        )
    return configs[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="leadhouse-export", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the syncs and their last run")
    run = commands.add_parser("run", help="run one sync")
    run.add_argument("name")
    run.add_argument(
        "--dry-run", action="store_true", help="print the counts and a sample of the diff; send nothing"
    )
    run.add_argument("--full-resync", action="store_true", help="send every row, changed or not")
    show = commands.add_parser("log", help="the fate of each row of a run (default: the last)")
    show.add_argument("name")
    show.add_argument("--run", dest="run_id")
    show.add_argument("--status", help="only rows with this status (sent, rejected, invalid, failed)")
    show.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    settings = Settings.from_env()
    try:
        configs = load_sync_configs(settings.exports_config_dir)
    except SyncConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with connect(settings.warehouse_path) as conn:
        ensure_export_tables(conn)
        if args.command == "list":
            for config in configs:
                row = conn.execute(
                    "select status, started_at, rows_sent, rows_rejected, rows_invalid from exports.sync_runs "
                    "where sync = ? order by started_at desc limit 1",
                    [config.name],
                ).fetchone()
                last = (
                    f"last run {row[1]:%Y-%m-%d %H:%M} {row[0]}: {row[2] or 0} sent, {row[3] or 0} rejected, "
                    f"{row[4] or 0} invalid"
                    if row
                    else "never run"
                )
                print(
                    f"{config.name:<28} {config.model} -> {config.destination.kind} ({config.mode}); {last}"
                )
            return 0
        if args.command == "run":
            report = run_sync(
                conn,
                _config(settings, args.name),
                settings.exports_dir,
                full_resync=args.full_resync,
                dry_run=args.dry_run,
            )
            print(report.summary())
            for row in report.sample:
                print("  " + json.dumps(row, default=str))
            return 0 if report.status in ("succeeded", "dry_run", "skipped") else 1
        run_id = (
            args.run_id
            or (
                conn.execute(
                    "select run_id from exports.sync_runs where sync = ? order by started_at desc limit 1",
                    [args.name],
                ).fetchone()
                or [None]
            )[0]
        )
        query = "select key, operation, status, message, batch from exports.sync_log where sync = ? and run_id = ?"
        params = [args.name, run_id]
        if args.status:
            query += " and status = ?"
            params.append(args.status)
        print(conn.execute(query + " order by batch, key limit ?", [*params, args.limit]).pl())
    return 0


if __name__ == "__main__":
    sys.exit(main())
