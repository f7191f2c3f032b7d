"""A small, hand-written raw layer for building the dbt project in tests.

The tables are created by the ingestion's own code (``ingest.raw_tables``) with the canonical
types of ``ingest.schemas``, so the fixture breaks as soon as the raw contract changes. The rows
cover what the warehouse must get right:

- Jane Doe arrives twice: web_forms WF-1 (two file versions, the second changes her company) and
  ad_leads AL-7, whose email differed only by case in the file (the ingestion lower-cases it).
  One lead; her newest record (AL-7) wins for the fields it has, WF-1 v2 fills the rest.
- Bob Smith (call_center CALL-1) has no email: a lead of his own, disqualified.
- Carla Gomez comes from referrals R-1 and from trade_show TS-1; trade_show has no staging model
  (a source added with a YAML config only) and must flow through the catch-all.
- trade_show TS-2 has neither email nor capture time: a lead of its own, deleted in its source.
- Record deletions: TS-2 and TS-1 deleted (Carla's lead keeps R-1), WF-1 deleted between its
  two versions (the later version is not deleted).
- Activities and status changes for those leads, including an activity from a config-only
  activity source (expo_app), an activity delivered in two files (the later one wins), and an
  activity and a status change of a lead record that was never ingested (WF-404).

Identity comes from entity resolution, whose weights are estimated by EM on the candidate pairs.
On six records that estimate is degenerate, so the rows make the answer unambiguous instead:
the records of one person share name, email and phone; different people share nothing any
blocking rule keys on, so they are never even compared.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.raw_tables import LEDGER_COLUMNS, QUARANTINE_COLUMNS, append, ensure_raw_tables, storage_schema
from ingest.schemas import ENTITIES, raw_schema

BATCH_1 = "batch-1"
BATCH_2 = "batch-2"


def at(text: str) -> datetime:
    """A naive UTC timestamp, as the ingestion stores them."""
    return datetime.fromisoformat(text)


def lineage(
    file: str, row_number: int, ingested_at: str, version: int = 1, batch: str = BATCH_1
) -> dict[str, Any]:
    return {
        "_file": file,
        "_file_sha256": f"sha-{file}-v{version}",
        "_file_version": version,
        "_row_number": row_number,
        "_batch_id": batch,
        "_ingested_at": at(ingested_at),
    }


LEAD_RECORDS = [
    {
        "source": "web_forms",
        "source_record_id": "WF-1",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.com",
        "phone": "+15551230001",
        "company": "Acme",
        "job_title": "CTO",
        "city": "Austin",
        "region": "TX",
        "channel": "web_form",
        "campaign": "spring_promo",
        "created_at": at("2025-03-01 10:00:00"),
        "do_not_email": False,
        **lineage("web_forms_2025-03-01.csv", 1, "2025-03-02 01:00:00"),
    },
    {  # The same file delivered again with a change: version 2 replaces version 1.
        "source": "web_forms",
        "source_record_id": "WF-1",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.com",
        "phone": "+15551230001",
        "company": "Acme Corp",
        "job_title": "CTO",
        "annual_revenue": 2500000.0,
        "product_interest": "Office",
        "city": "Austin",
        "region": "TX",
        "channel": "web_form",
        "campaign": "spring_promo",
        "created_at": at("2025-03-01 10:00:00"),
        "do_not_email": False,
        **lineage("web_forms_2025-03-01.csv", 1, "2025-03-03 01:00:00", version=2, batch=BATCH_2),
    },
    {  # "JANE.DOE@Example.COM" in the file; the ingestion lower-cases emails.
        "source": "ad_leads",
        "source_record_id": "AL-7",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.com",
        "phone": "+15551230001",
        "job_title": "Chief Technology Officer",
        "product_interest": "Creative office",
        "city": "Dallas",
        "channel": "ad_form",
        "campaign": "fb_spring",
        "created_at": at("2025-03-05 09:30:00"),
        "do_not_email": True,
        **lineage("ad_leads_2025-03-05.jsonl", 1, "2025-03-06 01:00:00"),
    },
    {
        "source": "call_center",
        "source_record_id": "CALL-1",
        "first_name": "Bob",
        "last_name": "Smith",
        "phone": "+15551230002",
        "company": "   ",
        "budget_confirmed": False,  # BANT answers: only the call center and the CRM record them
        "is_decision_maker": True,
        "pain_points": "Lease expiring; Rent too high",
        "purchase_timeline": "1-3 months",
        "channel": "call_center",
        "created_at": at("2025-03-02 15:00:00"),
        "do_not_call": True,
        **lineage("calls_2025-03-02.txt", 1, "2025-03-03 01:00:00"),
    },
    {
        "source": "referrals",
        "source_record_id": "R-1",
        "first_name": "Carla",
        "last_name": "Gomez",
        "email": "carla@example.org",
        "phone": "+15551230003",
        "company": "Gomez LLC",
        "channel": "referral",
        "referrer": "Partner Co",
        "created_at": at("2025-03-01 00:00:00"),
        **lineage("referrals_2025-03.csv", 1, "2025-03-02 01:00:00"),
    },
    {  # trade_show has a YAML config only: no staging model, no dbt source of its own.
        "source": "trade_show",
        "source_record_id": "TS-1",
        "first_name": "Carla",
        "last_name": "Gomez",
        "email": "carla@example.org",
        "phone": "+15551230003",
        "channel": "event",
        "campaign": "expo_2025",
        "created_at": at("2025-03-04 11:00:00"),
        **lineage("badges.csv", 1, "2025-03-05 01:00:00"),
    },
    {
        "source": "trade_show",
        "source_record_id": "TS-2",
        "last_name": "Ng",
        "phone": "+15551230004",
        "channel": "event",
        "campaign": "expo_2025",
        **lineage("badges.csv", 2, "2025-03-05 01:00:00"),
    },
]

ACTIVITIES = [
    {
        "source": "crm_activities",
        "source_record_id": "A-1",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-1",
        "activity_type": "email_open",
        "occurred_at": at("2025-03-02 08:00:00"),
        "detail": "Welcome email",
        **lineage("activities_0302.jsonl", 1, "2025-03-03 01:00:00"),
    },
    {  # A-1 again in a later file: the later delivery wins.
        "source": "crm_activities",
        "source_record_id": "A-1",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-1",
        "activity_type": "email_open",
        "occurred_at": at("2025-03-02 08:00:00"),
        "detail": "Welcome email (resent)",
        **lineage("activities_0303.jsonl", 4, "2025-03-04 01:00:00", batch=BATCH_2),
    },
    {
        "source": "crm_activities",
        "source_record_id": "A-2",
        "lead_record_source": "ad_leads",
        "lead_record_id": "AL-7",
        "activity_type": "demo",
        "occurred_at": at("2025-03-06 14:00:00"),
        "detail": "Product demo",
        "duration_seconds": 1800,
        **lineage("activities_0306.jsonl", 1, "2025-03-07 01:00:00"),
    },
    {
        "source": "crm_activities",
        "source_record_id": "A-3",
        "lead_record_source": "call_center",
        "lead_record_id": "CALL-1",
        "activity_type": "call",
        "occurred_at": at("2025-03-03 10:00:00"),
        "duration_seconds": 300,
        "direction": "outbound",
        "response_seconds": 25,  # Bob picked up after 25 seconds
        **lineage("activities_0303.jsonl", 1, "2025-03-04 01:00:00"),
    },
    {  # Orphan: web_forms WF-404 was never ingested.
        "source": "crm_activities",
        "source_record_id": "A-4",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-404",
        "activity_type": "page_view",
        "occurred_at": at("2025-03-03 12:00:00"),
        "detail": "/pricing",
        **lineage("activities_0303.jsonl", 2, "2025-03-04 01:00:00"),
    },
    {  # An activity source with a YAML config only.
        "source": "expo_app",
        "source_record_id": "X-1",
        "lead_record_source": "trade_show",
        "lead_record_id": "TS-1",
        "activity_type": "meeting",
        "occurred_at": at("2025-03-04 11:30:00"),
        "detail": "Booth meeting",
        "duration_seconds": 900,
        **lineage("expo_app.jsonl", 1, "2025-03-05 01:00:00"),
    },
]

STATUS_CHANGES = [
    {
        "source": "crm_status_changes",
        "source_record_id": "S-1",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-1",
        "status": "New",
        "changed_at": at("2025-03-01 11:00:00"),
        "agent_id": "AG-1",
    },
    {
        "source": "crm_status_changes",
        "source_record_id": "S-2",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-1",
        "status": "Contacted",
        "changed_at": at("2025-03-02 11:00:00"),
        "agent_id": "AG-1",
    },
    {
        "source": "crm_status_changes",
        "source_record_id": "S-3",
        "lead_record_source": "ad_leads",
        "lead_record_id": "AL-7",
        "status": "Proposal",
        "changed_at": at("2025-03-06 11:00:00"),
        "agent_id": "AG-2",
        "deal_amount": 50000.0,
    },
    {  # No agent and no amount on the closing change: the owner and amount known before carry on.
        "source": "crm_status_changes",
        "source_record_id": "S-4",
        "lead_record_source": "ad_leads",
        "lead_record_id": "AL-7",
        "status": "Closed Won",
        "changed_at": at("2025-03-10 11:00:00"),
    },
    {
        "source": "crm_status_changes",
        "source_record_id": "S-5",
        "lead_record_source": "call_center",
        "lead_record_id": "CALL-1",
        "status": "New",
        "changed_at": at("2025-03-02 16:00:00"),
        "agent_id": "AG-1",
    },
    {
        "source": "crm_status_changes",
        "source_record_id": "S-6",
        "lead_record_source": "call_center",
        "lead_record_id": "CALL-1",
        "status": "Disqualified",
        "changed_at": at("2025-03-04 16:00:00"),
        "agent_id": "AG-1",
        "reason": "No budget",
    },
    {
        "source": "crm_status_changes",
        "source_record_id": "S-7",
        "lead_record_source": "referrals",
        "lead_record_id": "R-1",
        "status": "Qualified",
        "changed_at": at("2025-03-05 09:00:00"),
        "agent_id": "AG-1",
    },
    {  # Orphan: web_forms WF-404 was never ingested.
        "source": "crm_status_changes",
        "source_record_id": "S-8",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-404",
        "status": "New",
        "changed_at": at("2025-03-03 12:00:00"),
    },
]
for _row_number, _change in enumerate(STATUS_CHANGES, start=1):
    _change.update(lineage("status_changes.csv", _row_number, "2025-03-11 01:00:00"))

AGENTS = [
    {
        "source": "crm_agents",
        "source_record_id": "AG-1",
        "agent_name": "Alice Agent",
        "email": "alice@leadhouse.test",
        "territory": "TX,OK",
        "specializations": "software",
        "price_min": 1000.0,
        "price_max": 100000.0,
        "capacity": 20,
        "active": True,
        **lineage("agents.csv", 1, "2025-03-01 01:00:00"),
    },
    {
        "source": "crm_agents",
        "source_record_id": "AG-2",
        "agent_name": "Bruno Agent",
        "email": "bruno@leadhouse.test",
        "territory": "CA",
        "specializations": "hardware",
        "price_min": 10000.0,
        "price_max": 500000.0,
        "capacity": 10,
        "active": True,
        **lineage("agents.csv", 2, "2025-03-01 01:00:00"),
    },
]

AD_SPEND = [
    {
        "source": "ad_spend",
        "source_record_id": "SP-1",
        "spend_date": date(2025, 3, 5),
        "channel": "ad_form",
        "platform": "Facebook",
        "campaign": "fb_spring",
        "spend": 120.0,
        "currency": "usd",
        "impressions": 10000,
        "clicks": 200,
        **lineage("spend_2025-03.csv", 1, "2025-03-06 01:00:00"),
    },
    {
        "source": "ad_spend",
        "source_record_id": "SP-2",
        "spend_date": date(2025, 3, 5),
        "channel": "ad_form",
        "platform": "facebook",
        "campaign": "fb_spring",
        "spend": 30.0,
        "currency": "USD",
        "impressions": 2000,
        "clicks": 40,
        **lineage("spend_2025-03.csv", 2, "2025-03-06 01:00:00"),
    },
    {
        "source": "ad_spend",
        "source_record_id": "SP-3",
        "spend_date": date(2025, 3, 6),
        "channel": "ad_form",
        "platform": "google",
        "campaign": "search_brand",
        "spend": 50.0,
        "currency": "USD",
        "impressions": 0,
        "clicks": 0,
        **lineage("spend_2025-03.csv", 3, "2025-03-06 01:00:00"),
    },
]

# Deletions found by database extractions (ingest.crm_database). TS-2 is deleted (its lead has no
# other record: the lead is deleted); TS-1 too, by a config-only deletion source (Carla keeps her
# referral: her lead is not); WF-1 was deleted between its two versions, so version 2 (extracted
# again after) is not deleted.
RECORD_DELETIONS = [
    {
        "source": "crm_database_deletions",
        "source_record_id": "trade_show:TS-2",
        "record_source": "trade_show",
        "record_id": "TS-2",
        "deleted_at": at("2025-03-06 12:00:00"),
        **lineage("crm_database_leads_000003.csv", 1, "2025-03-06 13:00:00"),
    },
    {
        "source": "crm_database_deletions",
        "source_record_id": "web_forms:WF-1",
        "record_source": "web_forms",
        "record_id": "WF-1",
        "deleted_at": at("2025-03-02 11:00:00"),
        **lineage("crm_database_leads_000002.csv", 1, "2025-03-02 12:00:00"),
    },
    {
        "source": "trade_show_deletions",
        "source_record_id": "TS-1",
        "record_source": "trade_show",
        "record_id": "TS-1",
        "deleted_at": at("2025-03-06 12:00:00"),
        **lineage("removed_badges.csv", 1, "2025-03-06 13:00:00"),
    },
]

QUARANTINE = [
    {
        "source": "web_forms",
        "entity": "lead",
        "file": "web_forms_2025-03-01.csv",
        "file_sha256": "sha-web_forms_2025-03-01.csv-v1",
        "file_version": 1,
        "row_number": 2,
        "raw_row": '{"Email Address": "not-an-email"}',
        "reasons": "[\"email: 'not-an-email' is not a valid email address\"]",
        "batch_id": BATCH_1,
        "quarantined_at": at("2025-03-02 01:00:00"),
    },
    {
        "source": "web_forms",
        "entity": "lead",
        "file": "web_forms_2025-03-01.csv",
        "file_sha256": "sha-web_forms_2025-03-01.csv-v1",
        "file_version": 1,
        "row_number": 3,
        "raw_row": '{"Email Address": "x@", "Submitted At": "yesterday"}',
        "reasons": "[\"email: 'x@' is not a valid email address\", "
        "\"created_at: 'yesterday' matches none of the formats ['%m/%d/%Y %H:%M']\"]",
        "batch_id": BATCH_1,
        "quarantined_at": at("2025-03-02 01:00:00"),
    },
]

LEDGER = [
    {
        "source": "web_forms",
        "entity": "lead",
        "file": "web_forms_2025-03-01.csv",
        "file_version": 1,
        "status": "loaded",
        "rows_read": 3,
        "rows_loaded": 1,
        "rows_quarantined": 2,
        "batch_id": BATCH_1,
        "ingested_at": at("2025-03-02 01:00:00"),
    },
    {
        "source": "web_forms",
        "entity": "lead",
        "file": "web_forms_2025-03-01.csv",
        "file_version": 2,
        "status": "loaded",
        "rows_read": 1,
        "rows_loaded": 1,
        "rows_quarantined": 0,
        "batch_id": BATCH_2,
        "ingested_at": at("2025-03-03 01:00:00"),
    },
    {
        "source": "referrals",
        "entity": "lead",
        "file": "referrals_broken.csv",
        "file_version": 1,
        "status": "rejected",
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "message": "missing columns: referral_id",
        "batch_id": BATCH_1,
        "ingested_at": at("2025-03-02 01:00:00"),
    },
    {
        "source": "trade_show",
        "entity": "lead",
        "file": "badges.csv",
        "file_version": 1,
        "status": "loaded",
        "rows_read": 2,
        "rows_loaded": 2,
        "rows_quarantined": 0,
        "batch_id": BATCH_1,
        "ingested_at": at("2025-03-05 01:00:00"),
    },
]
for _entry in LEDGER:
    _entry.update(file_sha256=f"sha-{_entry['file']}-v{_entry['file_version']}", file_size=100)

RAW_ROWS: dict[str, list[dict[str, Any]]] = {
    ENTITIES["lead"].table: LEAD_RECORDS,
    ENTITIES["activity"].table: ACTIVITIES,
    ENTITIES["status_change"].table: STATUS_CHANGES,
    ENTITIES["agent"].table: AGENTS,
    ENTITIES["ad_spend"].table: AD_SPEND,
    # Reviewer decisions across runs: test_entity_resolution_runs.py.
    ENTITIES["match_decision"].table: [],
    ENTITIES["record_deletion"].table: RECORD_DELETIONS,
}


def append_raw_rows(duckdb_path: str | Path, rows_by_table: dict[str, list[dict[str, Any]]]) -> None:
    """Append rows to raw tables of ``duckdb_path`` (creating the raw layer if needed), typed as
    the ingestion types them. Keys are raw table names (``ENTITIES[...].table``)."""
    entity_of_table = {entity.table: entity for entity in ENTITIES.values()}
    unknown = set(rows_by_table) - set(entity_of_table)
    if unknown:
        raise ValueError(f"not raw entity tables: {sorted(unknown)}")
    Path(duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(duckdb_path)) as conn:
        ensure_raw_tables(conn)
        for table, table_rows in rows_by_table.items():
            schema = storage_schema(raw_schema(entity_of_table[table]))
            append(conn, table, pl.DataFrame(table_rows, schema=schema))


def build_raw_fixture(duckdb_path: str | Path) -> None:
    """Create the raw schema with every raw table in ``duckdb_path`` and insert the rows above."""
    missing = {entity.table for entity in ENTITIES.values()} - set(RAW_ROWS)
    if missing:
        raise ValueError(f"new raw tables {sorted(missing)}: give them rows (or []) in RAW_ROWS")
    append_raw_rows(duckdb_path, RAW_ROWS)
    with duckdb.connect(str(duckdb_path)) as conn:
        append(conn, "quarantine", pl.DataFrame(QUARANTINE, schema=storage_schema(QUARANTINE_COLUMNS)))
        append(conn, "ingest_ledger", pl.DataFrame(LEDGER, schema=storage_schema(LEDGER_COLUMNS)))
