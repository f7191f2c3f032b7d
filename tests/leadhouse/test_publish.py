"""What is published: the marts alone (a copy of their own file), each a table, as a DuckDB copy and
as Parquet files, without what dbt or a killed publish left behind. Readers during a publish:
tests/integration/test_published_readers.py."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq
import pytest

from leadhouse.publish import (
    MANIFEST,
    PUBLISHED_AT_KEY,
    PublishError,
    discard_unfinished_copy,
    parquet_dir,
    publish,
    publish_copy,
    publish_parquet,
    unfinished_copy,
)
from leadhouse.warehouse import MARTS_CATALOG, connect, marts_path


@pytest.fixture
def warehouse(tmp_path):
    """Every layer of a warehouse, its marts in their own file (a mart built as a view over another
    mart), and the relations a killed dbt build leaves in both files."""
    path = tmp_path / "leadhouse.duckdb"
    with connect(path) as conn:
        for schema in ("raw", "staging", "intermediate"):
            conn.execute(f"create schema {schema}")
        conn.execute("create table raw.lead_records as select 1 as lead_id")
        conn.execute("create view staging.stg_web_forms__leads as from raw.lead_records")
        conn.execute("create table intermediate.int_rule_hits as select range as lead_id from range(5)")
        conn.execute("create table marts.dim_leads as select range as lead_id from range(3)")
        conn.execute("create table marts.lead_rule_score_details as from intermediate.int_rule_hits")
        conn.execute("create view marts.lead_ids as select lead_id from marts.dim_leads")
        conn.execute("create table main.int_er_records_clustered__dbt_tmp20260101 as select 1 as x")
        conn.execute("create view marts.dim_leads__dbt_backup as select 1 as x")
        conn.execute(f"create table {MARTS_CATALOG}.main.stray as select 1 as x")
    return path


def execute(warehouse, *statements):
    """Change the warehouse as a dbt build would, and close it again (publish opens the marts file)."""
    with connect(warehouse) as conn:
        for statement in statements:
            conn.execute(statement)


def relations(path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(path), read_only=True) as copy:
        return copy.execute(
            "select table_schema, table_name, table_type from information_schema.tables order by all"
        ).fetchall()


def test_publishes_the_marts_alone_each_a_table(warehouse, tmp_path, caplog):
    target = tmp_path / "published" / "leadhouse.duckdb"
    target.parent.mkdir()
    unfinished_copy(target)[1].write_bytes(b"not a write-ahead log of the new copy")
    published = publish(marts_path(warehouse), target)
    assert published.rows == {"dim_leads": 3, "lead_ids": 3, "lead_rule_score_details": 5}
    assert relations(target) == [
        ("marts", "dim_leads", "BASE TABLE"),
        ("marts", "lead_ids", "BASE TABLE"),  # a view names the marts' catalog, which a reader does not have
        ("marts", "lead_rule_score_details", "BASE TABLE"),
    ]
    with duckdb.connect(str(target), read_only=True) as copy:
        assert copy.execute("select sum(lead_id) from marts.lead_rule_score_details").fetchone() == (10,)
        assert copy.execute("select sum(lead_id) from marts.lead_ids").fetchone() == (3,)
    assert "not publishing marts.dim_leads__dbt_backup, a relation a dbt build left behind" in caplog.text
    assert not any(path.exists() for path in unfinished_copy(target))
    assert discard_unfinished_copy(target) == []


def test_publishes_each_mart_as_parquet_with_a_manifest_written_last(warehouse, tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    published = publish(marts_path(warehouse), target)
    folder = parquet_dir(target)
    assert published.parquet_dir == folder == tmp_path / "published" / "parquet"
    assert sorted(path.name for path in folder.iterdir()) == [
        MANIFEST,
        "dim_leads.parquet",
        "lead_ids.parquet",
        "lead_rule_score_details.parquet",
    ]
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest == {
        "published_at": published.published_at.isoformat(),
        "database": "leadhouse.duckdb",
        "files": [
            {"file": "dim_leads.parquet", "table": "dim_leads", "rows": 3},
            {"file": "lead_ids.parquet", "table": "lead_ids", "rows": 3},
            {"file": "lead_rule_score_details.parquet", "table": "lead_rule_score_details", "rows": 5},
        ],
    }
    for entry in manifest["files"]:
        with pq.ParquetFile(folder / entry["file"]) as file:
            assert file.metadata.num_rows == entry["rows"]
            assert file.metadata.metadata[PUBLISHED_AT_KEY.encode()].decode() == manifest["published_at"]
            # zstd (at level 1, which the footer does not record) in every column
            assert {
                file.metadata.row_group(0).column(i).compression for i in range(file.metadata.num_columns)
            } == {"ZSTD"}
    assert (folder / MANIFEST).stat().st_mtime_ns >= max(
        (folder / entry["file"]).stat().st_mtime_ns for entry in manifest["files"]
    )


def test_the_parquet_file_of_a_mart_that_is_gone_goes_too(warehouse, tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    spark_marts = parquet_dir(target) / "marts" / "dim_leads"  # what publishing Spark's marts wrote
    spark_marts.mkdir(parents=True)
    publish(marts_path(warehouse), target)
    execute(warehouse, "drop table marts.lead_rule_score_details", "drop view marts.lead_ids")
    published = publish(marts_path(warehouse), target)
    assert published.rows == {"dim_leads": 3}
    assert sorted(path.name for path in parquet_dir(target).iterdir()) == [
        MANIFEST,
        "dim_leads.parquet",
        "marts",
    ]
    assert [entry["file"] for entry in json.loads((parquet_dir(target) / MANIFEST).read_text())["files"]] == [
        "dim_leads.parquet"
    ]
    assert relations(target) == [("marts", "dim_leads", "BASE TABLE")]


def test_a_failed_publish_replaces_nothing_and_leaves_nothing(warehouse, tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    publish(marts_path(warehouse), target)
    before = {path.name: path.read_bytes() for path in [target, *parquet_dir(target).iterdir()]}
    # A view reading the warehouse file (named as dbt names it), which the copy does not carry.
    execute(
        warehouse, "create view marts.zz_reads_the_warehouse as from leadhouse.intermediate.int_rule_hits"
    )
    with pytest.raises(
        PublishError, match="marts.zz_reads_the_warehouse is a view that does not read from the marts"
    ):
        publish(marts_path(warehouse), target)
    assert {path.name: path.read_bytes() for path in [target, *parquet_dir(target).iterdir()]} == before
    assert sorted(path.name for path in target.parent.iterdir()) == ["leadhouse.duckdb", "parquet"]


def test_discards_what_a_killed_publish_left_and_nothing_else(warehouse, tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    publish(marts_path(warehouse), target)
    folder = parquet_dir(target)
    left = [
        *unfinished_copy(target),
        folder / ".dim_leads.parquet.tmp",
        folder / f".{MANIFEST}.tmp",
    ]
    for path in left:
        path.write_bytes(b"half written")
    assert discard_unfinished_copy(target) == left[:2] + sorted(left[2:])
    assert not any(path.exists() for path in left)
    assert sorted(path.name for path in folder.iterdir()) == [
        MANIFEST,
        "dim_leads.parquet",
        "lead_ids.parquet",
        "lead_rule_score_details.parquet",
    ]
    assert target.exists()


def test_a_failure_writing_the_parquet_files_keeps_the_new_copy_and_the_old_files(warehouse, tmp_path):
    """The copy is in place before the Parquet files are written: DuckDB readers get the new marts
    first; Parquet readers keep the previous files and manifest, which agree with each other."""
    target = tmp_path / "published" / "leadhouse.duckdb"
    first = publish(marts_path(warehouse), target)
    parquet_before = {path.name: path.read_bytes() for path in parquet_dir(target).iterdir()}
    execute(warehouse, "insert into marts.dim_leads values (3)")
    (parquet_dir(target) / ".lead_ids.parquet.tmp").mkdir()  # where a file must go: the write fails
    with pytest.raises(duckdb.Error):
        publish(marts_path(warehouse), target)
    with duckdb.connect(str(target), read_only=True) as copy:
        assert copy.execute("select count(*) from marts.dim_leads").fetchone() == (4,)
    (parquet_dir(target) / ".lead_ids.parquet.tmp").rmdir()
    assert {path.name: path.read_bytes() for path in parquet_dir(target).iterdir()} == parquet_before
    assert (
        json.loads((parquet_dir(target) / MANIFEST).read_text())["published_at"]
        == first.published_at.isoformat()
    )


def test_the_parquet_files_carry_the_time_of_the_copy_they_were_written_from(warehouse, tmp_path):
    """The pipeline runs the two halves as two assets (published/warehouse, published/parquet): the
    Parquet files say which copy they come from, however late they are written."""
    target = tmp_path / "published" / "leadhouse.duckdb"
    first = publish_copy(marts_path(warehouse), target)
    assert first.parquet_seconds == 0 and not (parquet_dir(target) / MANIFEST).exists()
    second = publish_copy(marts_path(warehouse), target)
    written = publish_parquet(target)
    assert written.published_at == second.published_at != first.published_at
    assert (
        json.loads((parquet_dir(target) / MANIFEST).read_text())["published_at"]
        == second.published_at.isoformat()
    )
    assert written.rows == second.rows == {"dim_leads": 3, "lead_ids": 3, "lead_rule_score_details": 5}


def test_the_parquet_files_need_a_published_copy(tmp_path):
    with pytest.raises(FileNotFoundError, match="no published copy to write the Parquet files from"):
        publish_parquet(tmp_path / "published" / "leadhouse.duckdb")


def test_an_empty_marts_file_is_not_published(tmp_path):
    """A marts file without marts (dbt never built into it) would publish an empty copy and remove
    every Parquet file: the publish refuses, and the published copy stays as it is."""
    warehouse = tmp_path / "leadhouse.duckdb"
    connect(warehouse).close()  # creates the marts file, empty
    with pytest.raises(PublishError, match="holds no marts: nothing to publish"):
        publish(marts_path(warehouse), tmp_path / "published" / "leadhouse.duckdb")
    assert not (tmp_path / "published" / "leadhouse.duckdb").exists()
