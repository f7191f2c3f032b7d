"""The row-by-row comparison behind make test-spark, and the engine switch."""

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from leadhouse.engines import EngineError, engine_from_env, export_raw_parquet, raw_parquet_dir
from leadhouse.parity import compare, compare_mart, mart_keys


def frame(rows: list[tuple], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


SCHEMA = {"id": pl.Int64, "name": pl.String, "p": pl.Float64, "at": pl.Datetime("us")}
AT = datetime(2026, 1, 2, 3, 4, 5)


def test_equal_tables_differ_nowhere_whatever_the_row_order_and_integer_widths():
    left = frame([(1, "a", 0.5, AT), (2, None, None, None)], SCHEMA)
    right = frame([(2, None, None, None), (1, "a", 0.5, AT)], SCHEMA | {"id": pl.Int32})
    diff = compare("t", left, right, ["id"])
    assert (diff.left_rows, diff.right_rows, diff.differing) == (2, 2, 0)


def test_floats_equal_within_1e_9_relative_and_nothing_more():
    left = frame([(1, "a", 1.0, AT), (2, "b", 1.0, AT)], SCHEMA)
    right = frame([(1, "a", 1.0 + 5e-10, AT), (2, "b", 1.0 + 5e-9, AT)], SCHEMA)
    diff = compare("t", left, right, ["id"])
    assert (diff.changed, diff.only_left, diff.only_right) == (1, 0, 0)
    assert "'id': 2" in diff.examples[0]


def test_rows_on_one_side_only_and_changed_values_are_counted_apart():
    left = frame([(1, "a", 0.1, AT), (2, "b", 0.2, AT), (3, "c", 0.3, AT)], SCHEMA)
    right = frame([(1, "a", 0.1, AT), (2, "B", 0.2, AT), (4, "d", 0.4, AT)], SCHEMA)
    diff = compare("t", left, right, ["id"])
    assert (diff.only_left, diff.only_right, diff.changed, diff.differing) == (1, 1, 1, 3)


def test_a_null_against_a_value_differs_and_a_type_mismatch_is_refused():
    left = frame([(1, "a", None, AT)], SCHEMA)
    right = frame([(1, "a", 0.0, AT)], SCHEMA)
    assert compare("t", left, right, ["id"]).changed == 1
    with pytest.raises(ValueError, match="t.name: String on one engine, Int64 on the other"):
        compare("t", left, left.with_columns(pl.lit(1, pl.Int64).alias("name")), ["id"])
    with pytest.raises(ValueError, match="different columns"):
        compare("t", left, left.drop("p"), ["id"])


def test_keys_must_identify_a_row():
    left = frame([(1, "a", 0.1, AT), (1, "b", 0.2, AT)], SCHEMA)
    with pytest.raises(ValueError, match="do not identify a row"):
        compare("t", left, left, ["id"])


def test_the_inputs_fingerprint_is_left_out_of_every_mart_but_the_other_columns_count():
    # DuckDB's hash() against Spark's xxhash64: the incremental bookkeeping differs by design.
    duck = pl.DataFrame({"lead_id": ["a", "b"], "score": [1, 2], "_inputs_fingerprint": [11, 12]})
    spark = pl.DataFrame({"lead_id": ["a", "b"], "score": [1, 3], "_inputs_fingerprint": [-5, 7]})
    diff = compare_mart("dim_leads", duck, spark, ["lead_id"])
    assert (diff.changed, diff.only_left, diff.only_right) == (1, 0, 0)
    assert "_inputs_fingerprint" not in diff.examples[0]
    # and the build time of lead_merge_history, with the key that identifies a row without it
    history = pl.DataFrame(
        {"from_lead_id": ["a"], "to_lead_id": ["b"], "identity_event_id": ["e1"], "resolved_at": [1]}
    )
    moved = history.with_columns(identity_event_id=pl.lit("e2"), resolved_at=pl.lit(2))
    assert compare_mart("lead_merge_history", history, moved, ["identity_event_id"]).differing == 0


def test_mart_keys_come_from_the_unique_tests_of_the_marts():
    manifest = {
        "nodes": {
            "model.x.m": {
                "unique_id": "model.x.m",
                "resource_type": "model",
                "schema": "marts",
                "alias": "m",
            },
            "model.x.n": {
                "unique_id": "model.x.n",
                "resource_type": "model",
                "schema": "marts",
                "alias": "n",
            },
            "model.x.i": {
                "unique_id": "model.x.i",
                "resource_type": "model",
                "schema": "intermediate",
                "alias": "i",
            },
            "test.x.u": {
                "resource_type": "test",
                "attached_node": "model.x.m",
                "test_metadata": {"name": "unique", "kwargs": {"column_name": "lead_id"}},
            },
            "test.x.c": {
                "resource_type": "test",
                "attached_node": "model.x.n",
                "test_metadata": {
                    "name": "unique_combination_of_columns",
                    "kwargs": {"combination_of_columns": ["a", "b"]},
                },
            },
        }
    }
    assert mart_keys(manifest) == {"m": ("marts", ["lead_id"]), "n": ("marts", ["a", "b"])}


def test_the_engine_is_duckdb_unless_spark_is_asked_for_and_a_typo_is_refused():
    assert engine_from_env({}) == "duckdb"
    assert engine_from_env({"LEADHOUSE_ENGINE": " Spark "}) == "spark"
    with pytest.raises(EngineError, match="LEADHOUSE_ENGINE='sprak' is not an engine"):
        engine_from_env({"LEADHOUSE_ENGINE": "sprak"})


def test_raw_tables_are_written_as_the_parquet_folders_spark_reads(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        conn.execute("create schema raw")
        conn.execute(
            "create table raw.lead_records as select 1 as id, timestamp '2026-01-02 03:04:05' as seen_at"
        )
        conn.execute("create table raw.x__dbt_tmp as select 1 as id")
        assert export_raw_parquet(conn, tmp_path) == {"lead_records": 1}
        folder = raw_parquet_dir(tmp_path) / "lead_records"
        assert conn.sql(f"select id, seen_at from read_parquet('{folder}/*.parquet')").fetchall() == [(1, AT)]
    assert sorted(p.name for p in raw_parquet_dir(tmp_path).iterdir()) == ["lead_records"]


def test_publishing_spark_marts_replaces_the_parquet_folders_whole(tmp_path: Path):
    from leadhouse.engines import publish_spark_marts, spark_warehouse_dir

    marts = spark_warehouse_dir(tmp_path) / "marts.db"
    (marts / "dim_leads").mkdir(parents=True)
    (marts / "_spark_metadata").mkdir()  # a folder without Parquet files is not a table
    duckdb.sql(f"copy (select 1 as id union all select 2) to '{marts / 'dim_leads' / 'part-0.parquet'}'")
    published = tmp_path / "published"
    (published / "parquet" / "marts" / "stale_mart").mkdir(parents=True)
    assert publish_spark_marts(tmp_path, published) == {"dim_leads": 2}
    assert sorted(p.name for p in (published / "parquet").iterdir()) == ["marts"]
    assert sorted(p.name for p in (published / "parquet" / "marts").iterdir()) == ["dim_leads"]


def test_extra_copies_of_a_row_on_the_spark_side_are_refused_not_matched():
    left = frame([(1, "a", 0.1, AT)], SCHEMA)
    with pytest.raises(ValueError, match="do not identify a row on Spark"):
        compare("t", left, pl.concat([left, left]), ["id"])


def test_a_folder_swap_interrupted_between_its_renames_is_put_back(tmp_path: Path):
    from leadhouse.engines import restore_swapped

    final = tmp_path / "lead_records"
    (tmp_path / "lead_records.old").mkdir()  # moved aside; the new folder never arrived
    restore_swapped(final)
    assert final.is_dir() and not (tmp_path / "lead_records.old").exists()
