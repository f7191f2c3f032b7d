"""The demo CRM (sample_data.crm_database): the sample's CRM records loaded into PostgreSQL once,
with the status history folded into each lead, and synthetic leads for the benchmark."""

from __future__ import annotations

import polars as pl
import psycopg

from sample_data.crm_database import create_crm_tables, lead_uuid, load_synthetic_leads, main


def test_the_sample_crm_records_load_once_through_the_command_line(dataset, crm_postgres, capsys) -> None:
    dsn, schema = crm_postgres
    arguments = ["--dsn", dsn, "--schema", schema, "--data", str(dataset.out)]
    assert main(arguments) == 0
    assert "leads: " in capsys.readouterr().out
    export = dataset.read("crm_export")
    with psycopg.connect(dsn) as conn:
        conn.execute(f'set search_path to "{schema}"')
        ids = {str(i) for (i,) in conn.execute("select id from leads").fetchall()}
        assert ids <= {lead_uuid(r) for r in export["source_record_id"].drop_nulls()}
        assert len(ids) >= 0.95 * export.height  # all but rows without a readable capture time
        statuses = dict(conn.execute("select lead_status, count(*) from leads group by 1").fetchall())
        assert {"New", "Closed Won", "Closed Lost"} <= set(statuses)
        won = conn.execute(
            "select count(*) filter (where is_converted and converted_at is not null), "
            "count(*) filter (where lead_status = 'Closed Won') from leads"
        ).fetchone()
        assert won[0] >= won[1] > 0
        custom = conn.execute(
            "select count(*) from leads where custom_fields ? 'city' and custom_fields ? 'budget'"
        ).fetchone()[0]
        assert custom > 0
        activities, orphans = conn.execute(
            "select count(*), count(*) filter (where lead_id not in (select id from leads)) from lead_activities"
        ).fetchone()
        expected = dataset.read("crm_activities").filter(pl.col("lead_source_system") == "crm_export").height
        assert (orphans, 0 < activities <= expected) == (0, True)
        users = conn.execute("select count(*) from users").fetchone()[0]
        assert users == dataset.read("crm_agents").height
    assert main(arguments) == 0  # a reload inserts nothing again
    assert capsys.readouterr().out.startswith(
        "users: 0 rows inserted, leads: 0 rows inserted, lead_activities: 0"
    )


def test_synthetic_leads_load_with_unique_emails(crm_postgres) -> None:
    dsn, schema = crm_postgres
    with psycopg.connect(dsn, autocommit=True) as conn:
        create_crm_tables(conn, schema)  # idempotent: the loader creates them again
        assert load_synthetic_leads(conn, 2_500, schema, seed=1) == 2_500
        leads, emails, cities = conn.execute(
            f"select count(*), count(distinct email), count(custom_fields ->> 'city') from \"{schema}\".leads"
        ).fetchone()
        assert leads == emails == cities == 2_500
