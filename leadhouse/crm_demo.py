"""``make crm-demo``: the round trip CRM -> warehouse -> scores -> CRM on this machine's PostgreSQL.

    python -m leadhouse.crm_demo load     # the CRM's tables + the sample's CRM records; a snapshot
    (make materialize, with LEADHOUSE_CRM_DSN set: extraction, the pipeline, the syncs)
    python -m leadhouse.crm_demo report   # what changed in the CRM since the snapshot

The database is the one LEADHOUSE_CRM_DSN names (default postgresql://postgres@127.0.0.1:5432/test),
schema ``public``. Loading is idempotent (rows already there are kept), so the demo can run again:
edit a lead in the CRM (and move its updated_at), run it again, and only that lead is extracted and
only the scores that changed are written back.
"""

from __future__ import annotations

import argparse
import os
import sys

import duckdb
import polars as pl
import psycopg

from exports.delivery import DestinationError
from exports.destinations import postgres_location
from leadhouse.settings import Settings
from sample_data.crm_database import DEMO_DSN, load_sample

WRITTEN_BACK = [
    "score",
    "grade",
    "conversion_probability",
    "model_version",
    "top_factors",
    "recommended_agent",
]
SNAPSHOT = "crm-demo-before.parquet"


def _dsn() -> tuple[str, str]:
    """The connection string and where it points (host:port/db); a malformed one stops the demo
    without echoing it (it may hold a password)."""
    dsn = os.environ.get("LEADHOUSE_CRM_DSN") or DEMO_DSN
    try:
        return dsn, postgres_location(dsn)
    except DestinationError:
        raise SystemExit(
            "crm-demo: LEADHOUSE_CRM_DSN is not a connection string PostgreSQL can read"
        ) from None


def _crm_leads(conn: psycopg.Connection, schema: str) -> pl.DataFrame:
    columns = ", ".join(["id::text as id", "first_name", "last_name", *WRITTEN_BACK, "scored_at"])
    with conn.cursor() as cur:
        cur.execute(f'select {columns} from "{schema}".leads order by id')
        names = [d.name for d in cur.description]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)


def load(settings: Settings, schema: str = "public") -> int:
    dsn, where = _dsn()
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            counts = load_sample(conn, settings.data_dir, schema)
            before = _crm_leads(conn, schema)
    except psycopg.OperationalError as exc:
        first = (str(exc).strip().splitlines() or ["unreachable"])[0]
        print(
            f"crm-demo: cannot reach PostgreSQL at {where} (LEADHOUSE_CRM_DSN): {first}",
            file=sys.stderr,
        )
        return 2
    before.write_parquet(settings.data_dir / SNAPSHOT)
    print(
        f"CRM database {where}, schema {schema}: "
        + ", ".join(f"{table} +{n:,}" for table, n in counts.items())
        + f"; {before.height:,} leads, {before['scored_at'].is_not_null().sum():,} with a score written back"
    )
    return 0


def report(settings: Settings, schema: str = "public") -> int:
    dsn, where = _dsn()
    try:
        with psycopg.connect(dsn, connect_timeout=10) as conn:
            after = _crm_leads(conn, schema)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or ["unreachable"])[0]
        print(f"crm-demo: cannot read the CRM at {where}: {first}", file=sys.stderr)
        return 2
    snapshot = settings.data_dir / SNAPSHOT
    before = pl.read_parquet(snapshot) if snapshot.exists() else after.clear()
    joined = after.join(before.select("id", *WRITTEN_BACK), on="id", how="left", suffix="_before")
    changed = joined.filter(
        pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_before")) for c in WRITTEN_BACK)
    )
    print(f"\nthe CRM ({where}, {schema}.leads): {after.height:,} leads")
    print(
        f"  written back by this run: {changed.height:,} leads changed (score, grade, probability, factors, agent)"
    )
    if changed.height:
        grades = changed.group_by("grade").len().sort("grade")
        print("  by grade: " + ", ".join(f"{g} {n:,}" for g, n in grades.iter_rows()))
        print("  for example:")
        people = changed.sort("conversion_probability", descending=True, nulls_last=True)
        sample = people.unique(["first_name", "last_name"], keep="first", maintain_order=True).head(5)
        for row in sample.iter_rows(named=True):
            probability = row["conversion_probability"]
            shown = f"{probability:.0%}" if probability is not None else "-"
            print(
                f"    {row['first_name'] or ''} {row['last_name'] or ''}: score {row['score_before']} -> "
                f"{row['score']}, grade {row['grade']}, conversion probability {shown}, agent "
                f"{row['recommended_agent'] or '-'}\n      {row['top_factors'] or ''}"
            )
    if settings.warehouse_path.exists():
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as warehouse:
            runs = warehouse.execute(
                "select rows_queried, rows_added, rows_changed, rows_unchanged, rows_sent, rows_rejected, "
                "rows_invalid, rows_excluded, status, message from exports.sync_runs "
                "where sync = 'crm_database_scores' order by started_at desc limit 1"
            ).fetchone()
        if runs:
            queried, added, changed_rows, unchanged, sent, rejected, invalid, excluded, status, message = runs
            print(
                f"  sync crm_database_scores ({status}): {queried:,} CRM rows in marts.crm_lead_score_updates, "
                f"{added:,} new + {changed_rows:,} changed sent ({sent:,} accepted, {rejected:,} rejected, "
                f"{invalid:,} invalid), {unchanged:,} unchanged not sent, {excluded:,} excluded by consent"
                + (f"; {message}" if message else "")
            )
            print("  every row's fate: .venv/bin/leadhouse-export log crm_database_scores")
    print(
        "\nagain: change a lead in the CRM (set updated_at = now()), then `make crm-demo`: only that lead is "
        "extracted, and only scores that changed are written back."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leadhouse.crm_demo", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["load", "report"])
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    return load(settings) if args.step == "load" else report(settings)


if __name__ == "__main__":
    sys.exit(main())
