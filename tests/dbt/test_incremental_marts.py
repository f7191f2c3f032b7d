"""An incremental run ends with the marts a full rebuild on the same raw rows builds: every mart,
row for row, but the histories, which only runs can write.

A generated sample of 400 people is ingested and built (run 1, as of the day before the sample's
date: the incremental models and what they read, the only tables a later run does not replace
whole). Then, as between two scheduled runs:

- the landing gets the incremental benchmark's delta (bench/pipeline/scenarios.py `write_delta`):
  1 % new web-form people, 1 % changed versions of web-form records, 1 % new activities, ingested
  by the ingestion's own code;
- a reviewer decides that two people of run 1 are one (a merge: one of the two ids goes) and
  that the two records of another lead are two people (a split), a record of a lead of several
  records is deleted in its source, the raw rows of another lead record go (an ingestion that did
  not finish), 20 status changes arrive an hour after ones already loaded,
  and sources re-send 5 activities (another detail), 5 status changes (two days earlier) and
  one status change for another lead record (it leaves the middle of a history) as new versions;

and run 2 builds as of the sample's date. The rebuild copies the raw layer run 2 saw (the same
rows, batch ids and ingestion times) into a fresh warehouse and builds once, as of the same date.

Lead ids are stable, so the two warehouses may name a lead differently (a merge keeps the id of
the lead seen first; a rebuild names a lead after its smallest record key): each lead id of the
incremental warehouse is read as the rebuild's id of the lead holding the same records.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from bench.pipeline.scenarios import write_delta
from ingest.config import load_source_configs
from ingest.pipeline import Ingestor
from ingest.schemas import ENTITIES
from leadhouse.parity import BUILD_TIME_COLUMNS, compare, mart_keys
from leadhouse.settings import PROJECT_ROOT
from leadhouse.warehouse import connect as connect_warehouse
from sample_data.cli import main as generate
from tests.dbt.dbt_runner import TEST_AS_OF, run_dbt, unsuccessful
from tests.dbt.raw_fixture import append_raw_rows, at, lineage

LEADS = 400
FIRST_AS_OF = "2026-10-31 00:00:00"  # run 1; run 2 and the rebuild are as of TEST_AS_OF
# Models and seeds; the data tests run in test_dbt_build.py. Keeps three builds fast.
MODELS_ONLY = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
# Marts that record what each run saw: a rebuild has one run to record. Tested apart below.
HISTORIES = {"lead_score_history", "score_grade_mix", "lead_merge_history"}


def warehouse_of(data: Path) -> Path:
    return data / "warehouse" / "leadhouse.duckdb"


def ingest(data: Path, batch_id: str) -> None:
    """Every source's landing files not ingested yet, as the ingestion assets do."""
    warehouse_of(data).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_of(data))) as conn:
        ingestor = Ingestor(conn, data / "landing", batch_id=batch_id)
        for config in load_source_configs(PROJECT_ROOT / "config" / "sources"):
            ingestor.ingest(config)


def build(data: Path, work: Path, as_of: str, *selection: str) -> None:
    process, results = run_dbt("build", data, work, *MODELS_ONLY, *selection, as_of=as_of)
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]


def between_the_runs(data: Path) -> dict:
    """The reviewer's merge and split, a deletion, 20 later status changes and the re-sent
    versions of activities and status changes, appended to the raw layer as the ingestion appends
    them, and a lead record's raw rows removed. Returns the merged, deleted, gone and split records
    and the split lead's id before."""
    with connect_warehouse(warehouse_of(data), read_only=True) as conn:
        # The three leads of one record each with the smallest ids (two to merge, one to go), and
        # the smallest record of the lead of several records with the smallest id: whatever the
        # sample, always there.
        single = conn.execute(
            "select any_value(source), any_value(source_record_id) from marts.lead_identity_map "
            "group by lead_id having count(*) = 1 order by lead_id limit 3"
        ).fetchall()
        (deleted,) = conn.execute(
            "select source, source_record_id from marts.lead_identity_map where lead_id = "
            "(select lead_id from marts.lead_identity_map group by lead_id having count(*) > 1 "
            "order by lead_id limit 1) order by source, source_record_id limit 1"
        ).fetchall()
        # The two records of a lead of two records with status changes, the smallest id: a
        # reviewer says they are two people, so the lead splits.
        split = conn.execute(
            "select source, source_record_id, lead_id from marts.lead_identity_map where lead_id = ("
            " select min(lead_id) from marts.fct_lead_status_changes where lead_id in ("
            "  select lead_id from marts.lead_identity_map group by lead_id having count(*) = 2))"
            " order by all"
        ).fetchall()
    (left_source, left_id), (right_source, right_id), gone = single
    (split_left_source, split_left_id, split_lead), (split_right_source, split_right_id, _) = split
    now = datetime.now(UTC).replace(tzinfo=None).isoformat()
    append_raw_rows(
        warehouse_of(data),
        {
            ENTITIES["match_decision"].table: [
                {
                    "source": "match_reviews",
                    "source_record_id": "M-1",
                    "left_source": left_source,
                    "left_record_id": left_id,
                    "right_source": right_source,
                    "right_record_id": right_id,
                    "decision": "match",
                    "reviewer": "rita",
                    "decided_at": at("2026-10-31 10:00:00"),
                    **lineage("reviews_1031.csv", 1, "2026-10-31 11:00:00", batch="run-2"),
                },
                {
                    "source": "match_reviews",
                    "source_record_id": "M-2",
                    "left_source": split_left_source,
                    "left_record_id": split_left_id,
                    "right_source": split_right_source,
                    "right_record_id": split_right_id,
                    "decision": "no_match",
                    "reviewer": "rita",
                    "decided_at": at("2026-10-31 10:30:00"),
                    **lineage("reviews_1031.csv", 2, "2026-10-31 11:00:00", batch="run-2"),
                },
            ],
            ENTITIES["record_deletion"].table: [
                {
                    "source": "crm_database_deletions",
                    "source_record_id": f"{deleted[0]}:{deleted[1]}",
                    "record_source": deleted[0],
                    "record_id": deleted[1],
                    "deleted_at": at("2026-10-31 12:00:00"),
                    # Found after every version of the record was ingested, or it would not count.
                    **lineage("crm_database_leads_000002.csv", 1, now, batch="run-2"),
                }
            ],
        },
    )
    with duckdb.connect(str(warehouse_of(data))) as conn:
        conn.execute(
            "insert into raw.status_changes by name select * replace (source_record_id || '-later' "
            "as source_record_id, changed_at + interval 1 hour as changed_at, 'run-2' as _batch_id) "
            "from raw.status_changes order by source_record_id limit 20"
        )
        # New versions of records already built, as a source re-sends them: 5 activities with
        # another detail, 5 status changes moved two days earlier (their histories reorder).
        for table, change in (
            ("activities", "detail || ' (edited)' as detail"),
            ("status_changes", "changed_at - interval 2 day as changed_at"),
        ):
            conn.execute(
                f"insert into raw.{table} by name select * replace ({change}, "
                f"timestamp '{now}' as _ingested_at, 'run-2' as _batch_id) "
                f"from raw.{table} where _batch_id = 'run-1' order by source_record_id desc limit 5"
            )
        # A lead record whose rows leave the raw layer (an ingestion that did not finish, its rows
        # removed by the next one): the record, its lead and its events' lead go.
        conn.execute("delete from raw.lead_records where source = ? and source_record_id = ?", list(gone))
        # And one status change re-sent for another lead record: the second change of the record
        # with the most leaves that history (the third's previous status is now the first's).
        conn.execute(
            "insert into raw.status_changes by name select moved.* replace (other.lead_record_source "
            "as lead_record_source, other.lead_record_id as lead_record_id, "
            f"timestamp '{now}' as _ingested_at, 'run-2' as _batch_id) "
            "from (select * from raw.status_changes where (lead_record_source, lead_record_id) = ("
            "  select (lead_record_source, lead_record_id) from raw.status_changes"
            "  group by all order by count(*) desc, 1 limit 1)"
            " order by changed_at, source_record_id limit 1 offset 1) as moved, "
            "(select lead_record_source, lead_record_id from raw.status_changes "
            " order by source_record_id limit 1) as other"
        )
    return {
        "merged_left": (left_source, left_id),
        "merged_right": (right_source, right_id),
        "deleted": deleted,
        "gone": gone,
        "split": [(split_left_source, split_left_id), (split_right_source, split_right_id)],
        "split_from": split_lead,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("incremental-marts")
    sample, incremental, rebuilt = root / "sample", root / "incremental", root / "rebuilt"
    arguments = ["--leads", str(LEADS), "--seed", "7", "--as-of", TEST_AS_OF[:10]]
    assert generate([*arguments, "--out", str(sample), "--quiet"]) in (0, None)
    shutil.copytree(sample / "landing", incremental / "landing")

    ingest(incremental, "run-1")
    # Run 1 builds what carries state into run 2: the incremental models and what they read
    # (48 of the 116 models). Run 2 and the rebuild replace every other table whole.
    build(incremental, root / "dbt-incremental", FIRST_AS_OF, "--select", "+config.materialized:incremental")
    delta = write_delta(sample, incremental / "landing", LEADS)
    ingest(incremental, "run-2")
    changed = between_the_runs(incremental)
    build(incremental, root / "dbt-incremental", TEST_AS_OF)

    warehouse_of(rebuilt).parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_of(rebuilt))) as conn:
        conn.execute(f"attach '{warehouse_of(incremental)}' as run_2 (read_only)")
        conn.execute("create schema raw")
        for (table,) in conn.execute(
            "select table_name from duckdb_tables() where database_name = 'run_2' and schema_name = 'raw'"
        ).fetchall():
            conn.execute(f'create table raw."{table}" as select * from run_2.raw."{table}"')
    build(rebuilt, root / "dbt-rebuilt", TEST_AS_OF)
    manifest = json.loads((root / "dbt-rebuilt" / "target" / "manifest.json").read_text())
    return {
        "incremental": warehouse_of(incremental),
        "rebuilt": warehouse_of(rebuilt),
        "marts": mart_keys(manifest),
        "delta": delta,
        "changed": changed,
        "incremental_target": root / "dbt-incremental" / "target",
    }


def read(warehouse: Path, sql: str) -> pl.DataFrame:
    with connect_warehouse(warehouse, read_only=True) as conn:
        return conn.sql(sql).pl()


def rebuilt_id_of(runs: dict) -> dict[str, str]:
    """Each lead id of the incremental warehouse -> the id the rebuild gave the same records."""
    sql = "select source, source_record_id, lead_id from marts.lead_identity_map"
    joined = read(runs["incremental"], sql).join(
        read(runs["rebuilt"], sql), on=["source", "source_record_id"], how="full", suffix="_rebuilt"
    )
    assert joined.null_count().sum_horizontal().item() == 0  # the same records on both sides
    pairs = joined.select("lead_id", "lead_id_rebuilt").unique()
    # One lead for one lead: the same records grouped the same way.
    assert pairs["lead_id"].is_unique().all() and pairs["lead_id_rebuilt"].is_unique().all()
    return dict(zip(pairs["lead_id"], pairs["lead_id_rebuilt"], strict=True))


def as_rebuilt(frame: pl.DataFrame, ids: dict[str, str]) -> pl.DataFrame:
    """`frame` with every lead id column (lead_id, from_lead_id, top_task_lead_id, ...) renamed."""
    return frame.with_columns(
        pl.col(name).replace_strict(ids, default=None).fill_null(pl.col(name))
        for name, dtype in frame.schema.items()
        if name.endswith("lead_id") and dtype == pl.String
    )


def test_the_runs_saw_the_delta_the_merge_and_the_deletion(runs):
    assert runs["delta"] == {"new_leads": 4, "changed_leads": 4, "new_activities": 34}
    identity = read(runs["incremental"], "select * from marts.lead_identity_map")
    merged = [
        identity.filter(source=source, source_record_id=record)["lead_id"].item()
        for source, record in (runs["changed"]["merged_left"], runs["changed"]["merged_right"])
    ]
    assert merged[0] == merged[1]  # one lead now
    source, record = runs["changed"]["deleted"]
    assert identity.filter(source=source, source_record_id=record)["is_deleted"].item() is True
    source, record = runs["changed"]["gone"]
    assert identity.filter(source=source, source_record_id=record).height == 0
    history = read(runs["incremental"], "select * from marts.lead_merge_history")
    assert history.height >= 1 and merged[0] in history["to_lead_id"].to_list()
    # The split: the two records of one lead now belong to two, each with status changes.
    split = {
        identity.filter(source=source, source_record_id=record)["lead_id"].item()
        for source, record in runs["changed"]["split"]
    }
    assert len(split) == 2 and runs["changed"]["split_from"] in split
    edited = read(
        runs["incremental"], "select * from marts.fct_lead_activities where detail like '% (edited)'"
    )
    assert edited.height == 5


def test_every_mart_but_the_histories_equals_a_full_rebuild(runs):
    ids = rebuilt_id_of(runs)
    compared, differing = [], {}
    for table, (schema, keys) in sorted(runs["marts"].items()):
        if table in HISTORIES:
            continue
        sql = f'select * from {schema}."{table}"'
        left, right = as_rebuilt(read(runs["incremental"], sql), ids), read(runs["rebuilt"], sql)
        if table in BUILD_TIME_COLUMNS:
            dropped, keys = BUILD_TIME_COLUMNS[table]
            left, right = left.drop(dropped), right.drop(dropped)
        diff = compare(table, left, right, keys)
        compared.append((table, diff.left_rows))
        if diff.differing:
            differing[table] = (diff.only_left, diff.only_right, diff.changed, diff.examples)
    assert differing == {}
    assert len(compared) == len(runs["marts"]) - len(HISTORIES) >= 50
    rows = dict(compared)
    assert rows["dim_leads"] == len(set(ids.values())) and rows["fct_lead_activities"] > 3_000


# The incremental record tables entity resolution and the lead models read (not marts, so not in
# the comparison above): the key of each, and the columns left out of the comparison.
RECORD_TABLES = {
    # Its fingerprint covers the lead id, which the two warehouses may name differently.
    "int_lead_records_matched": (["source", "source_record_id"], ["_inputs_fingerprint"]),
    "int_er_records_prepared": (["record_id"], []),
}


@pytest.mark.parametrize("table", sorted(RECORD_TABLES))
def test_the_incremental_record_tables_equal_a_full_rebuild(runs, table):
    """Each holds every record once, as a rebuild writes it: the records of run 1 it kept, the new
    and changed ones, the merged, split and deleted ones it wrote again."""
    keys, dropped = RECORD_TABLES[table]
    ids = rebuilt_id_of(runs)
    (schema,) = {
        row[0]
        for row in read(
            runs["rebuilt"], f"select schema_name from duckdb_tables() where table_name = '{table}'"
        ).rows()
    }
    # Run 2 took the incremental path (wrote the changed records only).
    (compiled,) = runs["incremental_target"].glob(f"compiled/**/{table}.sql")
    assert "changed_records" in compiled.read_text()
    sql = f'select * from {schema}."{table}"'
    left = as_rebuilt(read(runs["incremental"], sql), ids).drop(dropped)
    right = read(runs["rebuilt"], sql).drop(dropped)
    diff = compare(table, left, right, keys)
    assert (diff.differing, diff.examples) == (0, ())
    records = read(runs["rebuilt"], "select count(*) as n from marts.lead_identity_map")["n"].item()
    assert diff.left_rows == diff.right_rows == records > LEADS


def test_the_score_history_ends_where_a_rebuild_starts(runs):
    """The rebuild records one scoring run; the incremental warehouse two. The scores each lead
    holds now, and the grade mix of the periods the last run is in, are the same; the lead merged
    away between the runs has no current row. (A row's rules are those of the run that saw the
    change: decay moves the points of an unchanged score without a new row, so they may differ.)"""
    ids = rebuilt_id_of(runs)
    now = ["lead_id", "score", "grade", "bant_verdict", "auto_qualified"]
    current = "select * from marts.lead_score_history where is_current"
    incremental = as_rebuilt(read(runs["incremental"], current), ids).select(now).sort("lead_id")
    rebuilt = read(runs["rebuilt"], current).select(now).sort("lead_id")
    assert incremental.equals(rebuilt) and rebuilt.height == len(ids)
    assert read(runs["incremental"], "select count(*) n from marts.lead_score_history")["n"].item() > len(ids)

    mix = "select * from marts.score_grade_mix"
    latest = pl.col("period_start") == pl.col("period_start").max().over("period_grain")
    order = ["period_grain", "period_start", "dimension", "bucket"]
    incremental_mix = read(runs["incremental"], mix).filter(latest).sort(order)
    rebuilt_mix = read(runs["rebuilt"], mix).sort(order)
    assert incremental_mix.equals(rebuilt_mix)
    assert read(runs["incremental"], mix)["period_start"].n_unique() > rebuilt_mix["period_start"].n_unique()
