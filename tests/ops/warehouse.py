"""A small warehouse for the retention and reconciliation tests: one activity file ingested by the
real ingestion (so lineage, ledger, quarantine and field issues are what production writes), and
a stand-in for the activities mart dbt would build.

The file's rows: a1 (2020, the mart shows it), a2 (2020, a field issue: its duration is nulled),
a3 (no occurred_at: quarantined), a4 (2026, the mart shows it), a5 (2021, gone from the mart).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.config import SourceConfig
from ingest.pipeline import Ingestor

SOURCE = "crm_activities"
FILE = f"{SOURCE}/a.csv"
CONFIG = SourceConfig(
    name=SOURCE,
    entity="activity",
    format="csv",
    columns={
        "source_record_id": "ID",
        "lead_record_source": "Src",
        "lead_record_id": "Lead",
        "activity_type": "Type",
        "occurred_at": "When",
        "duration_seconds": "Seconds",
    },
)
ROWS = (
    "ID,Src,Lead,Type,When,Seconds\n"
    "a1,web_forms,L1,call,2020-01-05T10:00:00Z,60\n"
    "a2,web_forms,L2,call,2020-02-05T10:00:00Z,abc\n"
    "a3,web_forms,L3,call,,30\n"
    "a4,web_forms,L4,email,2026-01-01T09:00:00Z,\n"
    "a5,web_forms,L5,email,2021-03-01T08:00:00Z,\n"
)
# When every test says the cleanup runs; the ingestion's own timestamps are set relative to it.
AS_OF = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
INGESTED_AT = datetime(2026, 1, 10, 6, 0)  # naive UTC, as stored


def ingest_activities(conn: duckdb.DuckDBPyConnection, landing_dir: Path) -> None:
    """Ingest the activity file, then date the load and the quarantine at ``INGESTED_AT`` (the
    ingestion stamps the wall clock)."""
    folder = landing_dir / SOURCE
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(ROWS)
    Ingestor(conn, landing_dir).ingest(CONFIG)
    conn.execute("update raw.activities set _ingested_at = ?", [INGESTED_AT])
    conn.execute("update raw.quarantine set quarantined_at = ?", [INGESTED_AT])
    conn.execute("update raw.field_issues set recorded_at = ?", [INGESTED_AT])


def build_activities_mart(
    conn: duckdb.DuckDBPyConnection, record_ids: tuple[str, ...] = ("a1", "a4")
) -> None:
    """``marts.fct_lead_activities`` as dbt builds it, reduced to the columns retention reads."""
    conn.execute("create schema if not exists marts")
    conn.execute(
        "create or replace table marts.fct_lead_activities "
        "(activity_id varchar, source varchar, source_record_id varchar)"
    )
    conn.executemany(
        "insert into marts.fct_lead_activities values (?, ?, ?)",
        [[f"id-{record_id}", SOURCE, record_id] for record_id in record_ids],
    )
