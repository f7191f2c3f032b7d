"""The demo CRM: a PostgreSQL schema shaped like a team's operational CRM, loaded from a sample.

    python -m sample_data.crm_database --data data                     # the sample's CRM records
    python -m sample_data.crm_database --data data --schema crm_demo   # into another schema
    python -m sample_data.crm_database --synthetic-leads 1000000 --schema crm_bench

``create_crm_tables`` creates ``users`` (the agents), ``leads`` and ``lead_activities`` (``CREATE
TABLE IF NOT EXISTS``, in any schema): the tables the ``crm_database_*`` sources extract
(config/sources/, ingest.crm_database) and that the reverse ETL writes scores back to.
``load_sample`` puts a generated sample's CRM records into them: the CRM export's leads (each
with a uuid derived from its CRM export id, so a reload finds the same rows), their status
history folded into the lead row (status, qualified and converted times, owner), their
activities and the agents, all with ``COPY ... FROM STDIN``. ``load_synthetic_leads`` loads N
made-up leads fast, for the benchmark (bench/crm/extract.py).

Like the rest of the generator it imports nothing of the project; the connection string comes
from ``--dsn``, else ``LEADHOUSE_CRM_DSN``, else the demo server's.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from psycopg import sql

from .people import FIRST_NAME_WEIGHTS, FIRST_NAMES, LAST_NAME_WEIGHTS, LAST_NAMES
from .reference import (
    CITIES,
    COMPANY_PREFIXES,
    INDUSTRIES,
    JOB_TITLES,
    LEAD_STATUSES,
    PROPERTY_TYPES,
    TIMELINES,
    VALID_EXCHANGES,
)
from .vectors import base62_ids, gather, normalized

DEMO_DSN = "postgresql://postgres@127.0.0.1:5432/test"
# Lead and activity uuids are derived from the sample's CRM export ids in this namespace.
ID_NAMESPACE = uuid.UUID("6f1c2a4e-5b7d-4c8e-9a0b-1d2e3f405162")
# The CRM export's columns that the CRM's leads table has a column for (export -> table); every
# other export column is a custom field in the jsonb `custom_fields` (the property bag most CRMs
# have), which the extraction spreads into columns again.
LEAD_TABLE_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "company": "company",
    "job_title": "title",
    "industry": "industry",
    "company_size": "employee_count",
    "annual_revenue": "annual_revenue",
    "created_at": "created_at",
}

# `updated_at` is set by the CRM on every insert and update (the extraction's cursor), and
# `status_changed_at` whenever `lead_status` changes; the last five columns of `leads` are written
# back by Leadhouse (the reverse ETL), beside the CRM's own score and grade.
DDL = """
create schema if not exists {schema};

create table if not exists {schema}.users (
    id text primary key,
    name text not null,
    email text unique,
    role text not null default 'sales_agent',
    territory text,
    specializations text,
    price_min numeric,
    price_max numeric,
    capacity integer,
    is_active boolean not null default true,
    hired_on date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index if not exists users_updated_at_id on {schema}.users (updated_at, id);

create table if not exists {schema}.leads (
    id uuid primary key default gen_random_uuid(),
    first_name text,
    last_name text,
    email text unique,
    phone text,
    company text,
    title text,
    industry text,
    employee_count integer,
    annual_revenue numeric,
    lead_source text,
    lead_status text not null default 'New',
    status_changed_at timestamptz,
    score integer,
    grade text,
    assigned_to text references {schema}.users (id) on delete set null,
    custom_fields jsonb not null default '{{}}',
    is_qualified boolean not null default false,
    qualified_at timestamptz,
    is_converted boolean not null default false,
    converted_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    conversion_probability double precision,
    model_version text,
    top_factors text,
    recommended_agent text,
    scored_at timestamptz
);
create index if not exists leads_updated_at_id on {schema}.leads (updated_at, id);

create table if not exists {schema}.lead_activities (
    id uuid primary key default gen_random_uuid(),
    lead_id uuid not null references {schema}.leads (id) on delete cascade,
    activity_type text not null,
    description text,
    duration_seconds integer,
    direction text,
    response_seconds integer,
    created_by text references {schema}.users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index if not exists lead_activities_updated_at_id on {schema}.lead_activities (updated_at, id);
create index if not exists lead_activities_lead_id on {schema}.lead_activities (lead_id);
"""

# The columns load_synthetic_leads fills (the database draws the ids).
SYNTHETIC_LEAD_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "industry",
    "employee_count",
    "annual_revenue",
    "lead_source",
    "lead_status",
    "status_changed_at",
    "assigned_to",
    "custom_fields",
    "is_qualified",
    "qualified_at",
    "is_converted",
    "converted_at",
    "created_at",
    "updated_at",
)


def create_crm_tables(conn: psycopg.Connection, schema: str = "public") -> None:
    """The CRM's tables in ``schema`` (created if missing; existing tables are left as they are)."""
    conn.execute(DDL.format(schema=sql.Identifier(schema).as_string(conn)))


def lead_uuid(crm_export_id: str) -> str:
    """The CRM lead id of a sample CRM export record (the same on every load)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"crm_export:{crm_export_id}"))


def activity_uuid(activity_id: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"crm_activities:{activity_id}"))


def load_sample(conn: psycopg.Connection, data_dir: Path, schema: str = "public") -> dict[str, int]:
    """Load the CRM records of the sample in ``data_dir`` (``landing/crm_export``, its status
    history and activities, ``crm_agents``) into ``schema``'s tables, creating them first.
    Rows already there (same id, or a lead with the same email) are kept: loading twice adds
    nothing. Returns the rows inserted per table."""
    landing = Path(data_dir) / "landing"
    exports = sorted((landing / "crm_export").glob("*.csv"))
    if not exports:
        raise FileNotFoundError(
            f"{landing / 'crm_export'}: no CRM export files; generate the sample first "
            "(make data, or python -m sample_data --out DIR)"
        )
    create_crm_tables(conn, schema)
    users = _sample_users(landing)
    leads = _sample_leads(exports, _status_history(landing))
    activities = _sample_activities(landing, leads)
    with conn.transaction():
        return {
            "users": _insert(conn, schema, "users", users),
            "leads": _insert(conn, schema, "leads", leads),
            "lead_activities": _insert(conn, schema, "lead_activities", activities),
        }


def _read_csvs(paths: list[Path]) -> pl.DataFrame:
    frames = [pl.read_csv(p, infer_schema=False, truncate_ragged_lines=True) for p in paths]
    return pl.concat(frames, how="diagonal") if frames else pl.DataFrame()


def _timestamp(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False, time_zone="UTC")


def _sample_users(landing: Path) -> pl.DataFrame:
    agents = _read_csvs(sorted((landing / "crm_agents").glob("*.csv")))
    hired = pl.col("hired_on").str.to_date(strict=False)
    since = hired.cast(pl.Datetime("us", "UTC")) + pl.duration(hours=9)
    return agents.select(
        id=pl.col("agent_id"),
        name=pl.col("name"),
        email=pl.col("email"),
        territory=pl.col("territory"),
        specializations=pl.col("specializations"),
        price_min=pl.col("price_min").cast(pl.Float64, strict=False),
        price_max=pl.col("price_max").cast(pl.Float64, strict=False),
        capacity=pl.col("capacity").cast(pl.Int64, strict=False),
        is_active=pl.col("active").str.to_lowercase() == "true",
        hired_on=hired,
        created_at=since,
        updated_at=since,
    ).unique("id", keep="first", maintain_order=True)


def _status_history(landing: Path) -> pl.DataFrame:
    """Per CRM export lead: its latest status and when it was set, its owner, when it first
    became Qualified and Closed Won, and its latest deal amount."""
    changes = _read_csvs(sorted((landing / "crm_status_changes").glob("*.csv")))
    if changes.is_empty():  # no history: every lead is New
        changes = pl.DataFrame(
            schema={
                c: pl.String()
                for c in (
                    "lead_record_source",
                    "lead_record_id",
                    "status",
                    "changed_at",
                    "agent_id",
                    "deal_amount",
                )
            }
        )
    changes = (
        changes.filter(pl.col("lead_record_source") == "crm_export")
        .with_columns(changed_at=_timestamp("changed_at"))
        .filter(pl.col("changed_at").is_not_null())
        .sort("lead_record_id", "changed_at")
    )
    return changes.group_by("lead_record_id").agg(
        lead_status=pl.col("status").last(),
        status_changed_at=pl.col("changed_at").last(),
        assigned_to=pl.col("agent_id").drop_nulls().last(),
        qualified_at=pl.col("changed_at").filter(pl.col("status") == "Qualified").min(),
        converted_at=pl.col("changed_at").filter(pl.col("status") == "Closed Won").min(),
        deal_amount=pl.col("deal_amount").drop_nulls().last(),
    )


def _sample_leads(exports: list[Path], history: pl.DataFrame) -> pl.DataFrame:
    export = _read_csvs(exports).filter(pl.col("source_record_id").is_not_null())
    export = export.unique("source_record_id", keep="first", maintain_order=True)
    custom = [c for c in export.columns if c not in {"source_record_id", *LEAD_TABLE_COLUMNS}]
    export = export.join(history, left_on="source_record_id", right_on="lead_record_id", how="left")
    created = pl.coalesce(_timestamp("created_at"), pl.col("status_changed_at"))
    email = pl.col("email").str.strip_chars()
    return (
        export.rename(LEAD_TABLE_COLUMNS)
        .select(
            "first_name",
            "last_name",
            "phone",
            "company",
            "title",
            "industry",
            id=pl.col("source_record_id").map_elements(lead_uuid, return_dtype=pl.String()),
            # The CRM keeps an email once: a repeat (the sample's duplicates) is left blank.
            email=pl.when(email.is_first_distinct()).then(email),
            employee_count=pl.col("employee_count").cast(pl.Int64, strict=False),
            annual_revenue=pl.col("annual_revenue").cast(pl.Float64, strict=False),
            lead_source=pl.lit("CRM"),
            lead_status=pl.col("lead_status").fill_null("New"),
            status_changed_at=pl.coalesce("status_changed_at", created),
            assigned_to=pl.col("assigned_to"),
            custom_fields=pl.struct(*custom, "deal_amount").struct.json_encode(),  # blanks dropped on insert
            is_qualified=pl.col("qualified_at").is_not_null(),
            qualified_at=pl.col("qualified_at"),
            is_converted=pl.col("converted_at").is_not_null(),
            converted_at=pl.col("converted_at"),
            created_at=created,
            updated_at=pl.max_horizontal(created, "status_changed_at"),
        )
        .filter(pl.col("created_at").is_not_null())
    )


def _sample_activities(landing: Path, leads: pl.DataFrame) -> pl.DataFrame:
    paths = sorted((landing / "crm_activities").glob("*.jsonl"))
    if not paths:
        return pl.DataFrame()
    acts = pl.concat(
        [pl.read_ndjson(p, infer_schema_length=None) for p in paths], how="diagonal_relaxed"
    ).filter(pl.col("lead_source_system") == "crm_export")
    at = (
        pl.col("timestamp")
        .cast(pl.String)
        .str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False, time_zone="UTC")
    )
    acts = acts.with_columns(
        lead_id=pl.col("lead_ref").cast(pl.String).map_elements(lead_uuid, return_dtype=pl.String())
    ).join(leads.select(pl.col("id").alias("lead_id")), on="lead_id", how="semi")
    return acts.select(
        id=pl.col("activity_id").cast(pl.String).map_elements(activity_uuid, return_dtype=pl.String()),
        lead_id=pl.col("lead_id"),
        activity_type=pl.col("type"),
        description=pl.col("detail"),
        duration_seconds=pl.col("duration_s").cast(pl.Int64, strict=False),
        direction=pl.col("direction"),
        response_seconds=pl.col("response_time_s").cast(pl.Int64, strict=False),
        created_by=pl.col("owner_id"),
        created_at=at,
        updated_at=at,
    ).filter(pl.col("created_at").is_not_null())


def _insert(conn: psycopg.Connection, schema: str, table: str, frame: pl.DataFrame) -> int:
    """COPY ``frame`` into a temporary copy of the table, then insert the rows whose id (or
    email) is not there yet. A reference to a row that does not exist (an owner who is no user,
    an activity of a lead that was not loaded) is left blank or the row left out, as a CRM would
    refuse it."""
    if frame.is_empty():
        return 0

    def name(*parts: str) -> str:
        return sql.Identifier(*parts).as_string(conn)

    stage = name(f"leadhouse_load_{table}")
    conn.execute(
        f"create temporary table {stage} (like {name(schema, table)} including defaults) on commit drop"
    )
    columns = ", ".join(name(c) for c in frame.columns)
    _copy_in(conn, f"copy {stage} ({columns}) from stdin (format csv)", frame)
    values = {c: f"s.{name(c)}" for c in frame.columns}
    joins = ""
    if table == "leads":
        values |= {"assigned_to": "u.id", "custom_fields": "jsonb_strip_nulls(s.custom_fields)"}
        joins = f"left join {name(schema, 'users')} as u on u.id = s.assigned_to"
    elif table == "lead_activities":
        values["created_by"] = "u.id"
        joins = (
            f"inner join {name(schema, 'leads')} as l on l.id = s.lead_id "
            f"left join {name(schema, 'users')} as u on u.id = s.created_by"
        )
    return conn.execute(
        f"insert into {name(schema, table)} ({columns}) select {', '.join(values.values())} "
        f"from {stage} as s {joins} on conflict do nothing"
    ).rowcount


def _copy_in(
    conn: psycopg.Connection, statement: str, frame: pl.DataFrame, rows_per_block: int = 100_000
) -> None:
    with conn.cursor().copy(statement) as copy:
        for offset in range(0, frame.height, rows_per_block):  # over blocks of rows, not rows
            block = frame.slice(offset, rows_per_block)
            copy.write(block.write_csv(include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.6f%:z"))


def load_synthetic_leads(
    conn: psycopg.Connection, leads: int, schema: str = "public", seed: int = 0, agents: int = 200
) -> int:
    """``leads`` made-up leads (and ``agents`` users owning them) into ``schema``'s tables,
    created first, for benchmarks: realistic values (valid US phone numbers, unique emails,
    custom fields), generated vectorized and loaded with COPY in blocks. Returns the leads loaded."""
    create_crm_tables(conn, schema)
    rng = np.random.default_rng(seed)
    agent_ids = base62_ids("005SYN", np.arange(agents), 9)
    users = pl.DataFrame(
        {
            "id": agent_ids,
            "name": "Agent " + agent_ids,
            "email": "agent" + pl.Series(np.arange(agents)).cast(pl.String) + "@larkspurcre.com",
            "is_active": [True] * agents,
        }
    )
    _copy_in(
        conn,
        f"copy {sql.Identifier(schema, 'users').as_string(conn)} (id, name, email, is_active) from stdin (format csv)",
        users,
    )
    block = 200_000
    statement = (
        f"copy {sql.Identifier(schema, 'leads').as_string(conn)} "
        f"({', '.join(SYNTHETIC_LEAD_COLUMNS)}) from stdin (format csv)"
    )
    with conn.cursor().copy(statement) as copy:
        for offset in range(0, leads, block):  # over blocks of leads, not leads
            frame = _synthetic_block(rng, offset, min(block, leads - offset), agent_ids)
            copy.write(frame.write_csv(include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.6f%:z"))
    return leads


def _synthetic_block(rng: np.random.Generator, offset: int, n: int, agent_ids: pl.Series) -> pl.DataFrame:
    first = gather(FIRST_NAMES, rng.choice(len(FIRST_NAMES), n, p=FIRST_NAME_WEIGHTS))
    last = gather(LAST_NAMES, rng.choice(len(LAST_NAMES), n, p=LAST_NAME_WEIGHTS))
    number = pl.Series(np.arange(offset, offset + n)).cast(pl.String)
    city = rng.choice(len(CITIES), n, p=normalized([c.weight for c in CITIES]))
    codes = np.array([c.area_codes[0] for c in CITIES])[city]
    phone = (
        codes * 10_000_000 + rng.choice(np.array(VALID_EXCHANGES), n) * 10_000 + rng.integers(0, 10_000, n)
    )
    industry = rng.choice(len(INDUSTRIES), n, p=normalized([i.weight for i in INDUSTRIES]))
    status = rng.choice(len(LEAD_STATUSES), n)
    created = np.datetime64("2025-05-01T00:00:00", "us") + (rng.random(n) * 540 * 86_400e6).astype(
        "timedelta64[us]"
    )
    changed = created + (rng.random(n) * 30 * 86_400e6).astype("timedelta64[us]")
    updated = changed + (rng.random(n) * 86_400e6).astype("timedelta64[us]")
    statuses = gather(LEAD_STATUSES, status)
    won = statuses == "Closed Won"
    qualified = statuses.is_in(["Qualified", "Proposal", "Negotiation", "Closed Won"])
    utc = pl.Datetime("us", "UTC")
    custom = pl.DataFrame(
        {
            "rating": gather(("Hot", "Warm", "Cold"), rng.integers(0, 3, n)),
            "budget": pl.Series(rng.integers(1, 500, n) * 1000).cast(pl.String),
            "timeline": gather(TIMELINES, rng.integers(0, len(TIMELINES), n)),
            "interest": gather(PROPERTY_TYPES, rng.integers(0, len(PROPERTY_TYPES), n)),
            "city": gather([c.name for c in CITIES], city),
            "region": gather([c.state for c in CITIES], city),
        }
    ).select(
        pl.format(
            '{{"Lead_Rating__c":"{}","budget":"{}","timeline":"{}","product_interest":"{}","city":"{}",'
            '"region":"{}"}}',
            *[pl.col(c) for c in ("rating", "budget", "timeline", "interest", "city", "region")],
        )
    )
    lower_first = first.str.to_lowercase().str.replace_all(r"[^a-z]", "")
    lower_last = last.str.to_lowercase().str.replace_all(r"[^a-z]", "")
    frame = pl.DataFrame(
        {
            "first_name": first,
            "last_name": last,
            "email": lower_first + "." + lower_last + "." + number + "@example-lead.com",
            "phone": pl.Series(phone).cast(pl.String),
            "company": gather(COMPANY_PREFIXES, rng.integers(0, len(COMPANY_PREFIXES), n))
            + " "
            + last
            + " LLC",
            "title": gather([t for t, _ in JOB_TITLES], rng.integers(0, len(JOB_TITLES), n)),
            "industry": gather([i.name for i in INDUSTRIES], industry),
            "employee_count": rng.integers(1, 5_000, n),
            "annual_revenue": rng.integers(1, 500, n) * 100_000.0,
            "lead_source": pl.repeat("CRM", n, eager=True),
            "lead_status": statuses,
            "status_changed_at": pl.Series(changed).cast(utc),
            "assigned_to": agent_ids.gather(rng.integers(0, len(agent_ids), n)),
            "custom_fields": custom.to_series(),
            "is_qualified": qualified,
            "qualified_at": pl.Series(changed).cast(utc),
            "is_converted": won,
            "converted_at": pl.Series(changed).cast(utc),
            "created_at": pl.Series(created).cast(utc),
            "updated_at": pl.Series(updated).cast(utc),
        }
    )
    return frame.with_columns(
        qualified_at=pl.when("is_qualified").then("qualified_at"),
        converted_at=pl.when("is_converted").then("converted_at"),
    ).select(SYNTHETIC_LEAD_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.crm_database",
        description="Create the demo CRM's tables in PostgreSQL and load a sample's CRM records (or synthetic leads).",
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get("LEADHOUSE_CRM_DSN") or DEMO_DSN,
        help="PostgreSQL connection string (default: $LEADHOUSE_CRM_DSN, else the demo server's)",
    )
    parser.add_argument(
        "--schema", default="public", help="PostgreSQL schema of the tables (default: public)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("LEADHOUSE_DATA_DIR") or "data"),
        help="the sample's folder, holding landing/ (default: $LEADHOUSE_DATA_DIR, else data)",
    )
    parser.add_argument(
        "--synthetic-leads", type=int, metavar="N", help="load N made-up leads instead of the sample"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic leads")
    args = parser.parse_args(argv)
    try:
        with psycopg.connect(args.dsn, autocommit=True, connect_timeout=10) as conn:
            if args.synthetic_leads is not None:
                with conn.transaction():
                    counts = {
                        "leads": load_synthetic_leads(conn, args.synthetic_leads, args.schema, args.seed)
                    }
            else:
                counts = load_sample(conn, args.data, args.schema)
    except psycopg.OperationalError:
        print("cannot connect to the PostgreSQL server of --dsn / LEADHOUSE_CRM_DSN", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        ", ".join(f"{table}: {n:,} rows inserted" for table, n in counts.items()) + f" (schema {args.schema})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
