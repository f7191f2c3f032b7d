"""The ingestion's invariant, recounted in the warehouse's own tables (not in its reports).

For every file version a source delivered:
- rows read = rows loaded + rows quarantined, and the ledger's counts are the rows really in the
  source's raw table, in ``raw.quarantine`` and in ``raw.field_issues``;
- every value recorded as nulled is null in its loaded row, and every field issue points at a row
  that was loaded (not at a quarantined or missing one).
The ``rows_reconcile`` asset check runs this after every ingestion; so can anyone, on any warehouse.

Rows the retention cleanup deleted (ops.retention) are still accounted for: each is listed in
``ops.retention_removed`` with its table and lineage, and counts as loaded, quarantined or a field
issue, as it was (and a field issue of a removed row points at a row that was loaded). A row
deleted any other way is missing, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ingest.raw_tables import RAW_SCHEMA
from ingest.schemas import Entity

# Written by ops.retention (ops/retention.py, REMOVED_TABLE); absent until a cleanup ran.
RETENTION_REMOVED = "ops.retention_removed"
_NOTHING_REMOVED = (
    "(select null::varchar as table_name, null::varchar as source, null::varchar as file, "
    "null::bigint as file_version, null::bigint as row_number where false)"
)

_COUNTS_SQL = """
with ledger as (
    select file, file_version, rows_read, rows_loaded, rows_quarantined, coalesce(field_issues, 0) as field_issues
    from {raw}.ingest_ledger where source = $source
), loaded as (
    select _file as file, _file_version as file_version, count(*) as n
    from {table} where source = $source group by all
), quarantined as (
    select file, file_version, count(*) as n
    from {raw}.quarantine where source = $source group by all
), issues as (
    select file, file_version, count(*) as n
    from {raw}.field_issues where source = $source group by all
), removed as (
    select
        file,
        file_version,
        count(*) filter (where table_name = $entity_table) as loaded,
        count(*) filter (where table_name = '{raw}.quarantine') as quarantined,
        count(*) filter (where table_name = '{raw}.field_issues') as issues
    from {removed} where source = $source group by all
)
select
    ledger.file,
    ledger.file_version,
    ledger.rows_read,
    ledger.rows_loaded,
    ledger.rows_quarantined,
    ledger.field_issues,
    coalesce(loaded.n, 0) as table_rows_loaded,
    coalesce(quarantined.n, 0) as table_rows_quarantined,
    coalesce(issues.n, 0) as table_field_issues,
    coalesce(removed.loaded, 0) as removed_loaded,
    coalesce(removed.quarantined, 0) as removed_quarantined,
    coalesce(removed.issues, 0) as removed_field_issues
from ledger
left join loaded using (file, file_version)
left join quarantined using (file, file_version)
left join issues using (file, file_version)
left join removed using (file, file_version)
where ledger.rows_read <> ledger.rows_loaded + ledger.rows_quarantined
   or ledger.rows_loaded <> coalesce(loaded.n, 0) + coalesce(removed.loaded, 0)
   or ledger.rows_quarantined <> coalesce(quarantined.n, 0) + coalesce(removed.quarantined, 0)
   or ledger.field_issues <> coalesce(issues.n, 0) + coalesce(removed.issues, 0)
order by 1, 2
"""

# Field issues whose row is not loaded (nor removed by retention), or whose nulled value is not null in it.
_ISSUES_SQL = """
select issue.file, issue.file_version, issue.row_number, issue.column_name, issue.action,
       case when record._row_number is null then 'its row is not loaded' else 'the value is not null' end as problem
from {raw}.field_issues as issue
left join {table} as record
    on record.source = issue.source and record._file = issue.file
    and record._file_version = issue.file_version and record._row_number = issue.row_number
where issue.source = $source
  and (
      (record._row_number is null and not exists (
          select 1 from {removed} as removed
          where removed.table_name = $entity_table and removed.source = issue.source and removed.file = issue.file
            and removed.file_version = issue.file_version and removed.row_number = issue.row_number
      ))
      or (issue.action = 'nulled' and case issue.column_name {cases} else false end)
  )
order by 1, 2, 3
limit 100
"""

# Also in the ledger but never written by this source's files: they cannot reconcile.
_ORPHANS_SQL = """
select 'raw.quarantine' as tbl, file, file_version from {raw}.quarantine where source = $source
except select 'raw.quarantine', file, file_version from {raw}.ingest_ledger where source = $source
union all
select 'raw.field_issues', file, file_version from {raw}.field_issues where source = $source
except select 'raw.field_issues', file, file_version from {raw}.ingest_ledger where source = $source
"""


@dataclass
class Reconciliation:
    files: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    field_issues: int
    count_mismatches: list[dict] = field(default_factory=list)
    issue_mismatches: list[dict] = field(default_factory=list)
    orphans: list[dict] = field(default_factory=list)
    rows_removed_by_retention: int = 0  # rows of the three tables, counted above as they were

    @property
    def passed(self) -> bool:
        return not (self.count_mismatches or self.issue_mismatches or self.orphans)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str, parameters: dict) -> list[dict]:
    cursor = conn.execute(sql, parameters)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _removed_relation(conn: duckdb.DuckDBPyConnection) -> str:
    """``ops.retention_removed``, or an empty stand-in when no cleanup ever ran."""
    schema, name = RETENTION_REMOVED.split(".")
    (present,) = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return RETENTION_REMOVED if present else _NOTHING_REMOVED


def reconcile(conn: duckdb.DuckDBPyConnection, source: str, entity: Entity) -> Reconciliation:
    table = f"{RAW_SCHEMA}.{entity.table}"
    removed = _removed_relation(conn)
    cases = " ".join(f"when '{c.name}' then record.\"{c.name}\" is not null" for c in entity.columns)
    totals = conn.execute(
        f"select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
        f"coalesce(sum(rows_quarantined), 0), coalesce(sum(field_issues), 0) "
        f"from {RAW_SCHEMA}.ingest_ledger where source = ?",
        [source],
    ).fetchone()
    with_table = {"source": source, "entity_table": table}
    (removed_rows,) = conn.execute(
        f"select count(*) from {removed} where source = $source "
        f"and table_name in ($entity_table, '{RAW_SCHEMA}.quarantine', '{RAW_SCHEMA}.field_issues')",
        with_table,
    ).fetchone()
    return Reconciliation(
        *totals,
        count_mismatches=_rows(
            conn, _COUNTS_SQL.format(raw=RAW_SCHEMA, table=table, removed=removed), with_table
        ),
        issue_mismatches=_rows(
            conn, _ISSUES_SQL.format(raw=RAW_SCHEMA, table=table, cases=cases, removed=removed), with_table
        ),
        orphans=_rows(conn, _ORPHANS_SQL.format(raw=RAW_SCHEMA), {"source": source}),
        rows_removed_by_retention=removed_rows,
    )
