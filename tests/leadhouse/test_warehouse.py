"""The warehouse as two files opened as one (leadhouse.warehouse): ``marts.<table>`` names the marts
file's tables, everything else stays in the warehouse file, and a warehouse built before the split
has its marts moved, history included."""

from __future__ import annotations

import duckdb
import pytest

from leadhouse.warehouse import MARTS_CATALOG, WAREHOUSE_CATALOGS, connect, copy_warehouse, main, marts_path


def tables(conn) -> list[tuple[str, str, str]]:
    return conn.execute(
        "select table_catalog, table_schema, table_name from information_schema.tables "
        f"where table_catalog in {WAREHOUSE_CATALOGS} order by all"
    ).fetchall()


def test_marts_go_to_their_file_and_everything_else_to_the_warehouse(tmp_path):
    warehouse = tmp_path / "leadhouse.duckdb"
    with connect(warehouse) as conn:
        conn.execute("create schema ml")
        conn.execute("create table ml.lead_predictions as select 1 as lead_id")
        conn.execute("create table marts.dim_leads as select 2 as lead_id")
        conn.execute("create table marts.lead_scores as select lead_id from ml.lead_predictions")
        assert tables(conn) == [
            ("leadhouse", "ml", "lead_predictions"),
            (MARTS_CATALOG, "marts", "dim_leads"),
            (MARTS_CATALOG, "marts", "lead_scores"),
        ]
    assert marts_path(warehouse) == tmp_path / "leadhouse_marts.duckdb"
    with duckdb.connect(
        str(marts_path(warehouse)), read_only=True
    ) as marts:  # as a reader of the copy sees it
        assert marts.execute("select lead_id from marts.lead_scores").fetchall() == [(1,)]
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select lead_id from marts.dim_leads").fetchall() == [(2,)]


def test_read_only_a_warehouse_without_marts_opens_and_has_none(tmp_path):
    warehouse = tmp_path / "leadhouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    with connect(warehouse, read_only=True) as conn:
        with pytest.raises(duckdb.CatalogException, match="marts"):
            conn.execute("from marts.dim_leads")
    assert not marts_path(warehouse).exists()


def test_the_marts_of_a_warehouse_built_before_the_split_are_moved_with_their_history(tmp_path, caplog):
    warehouse = tmp_path / "leadhouse.duckdb"
    with duckdb.connect(str(warehouse)) as old:
        old.execute("create schema marts")
        old.execute(
            "create table marts.lead_merge_history as select range as identity_event_id from range(4)"
        )
        old.execute("create table marts.dim_leads as select 1 as lead_id")
        old.execute("create view marts.lead_rule_score_details as from marts.dim_leads")
    with connect(warehouse) as conn:
        assert tables(conn) == [
            (MARTS_CATALOG, "marts", "dim_leads"),
            (MARTS_CATALOG, "marts", "lead_merge_history"),
            (MARTS_CATALOG, "marts", "lead_rule_score_details"),  # a view before: its rows, as a table
        ]
        assert conn.execute("select sum(identity_event_id) from marts.lead_merge_history").fetchone() == (6,)
        assert conn.execute("from marts.lead_rule_score_details").fetchall() == [(1,)]
        assert conn.execute(
            "select table_type from information_schema.tables where table_name = 'lead_rule_score_details'"
        ).fetchall() == [("BASE TABLE",)]
        assert not conn.execute(
            "select * from information_schema.schemata where catalog_name = 'leadhouse' and schema_name = 'marts'"
        ).fetchall()
    assert "moved 3 marts of leadhouse into leadhouse_marts.duckdb" in caplog.text


def test_a_move_that_was_killed_goes_on_without_replacing_what_it_moved(tmp_path):
    warehouse = tmp_path / "leadhouse.duckdb"
    with duckdb.connect(str(warehouse)) as old:
        old.execute("create schema marts")
        old.execute("create table marts.dim_leads as select 1 as lead_id")
        old.execute("create table marts.lead_scores as select 2 as lead_id")
    with duckdb.connect(str(marts_path(warehouse))) as marts:  # dim_leads was moved, then the kill
        marts.execute("create schema marts")
        marts.execute("create table marts.dim_leads as select 1 as lead_id")
    with connect(warehouse) as conn:
        assert conn.execute("from marts.dim_leads union all from marts.lead_scores").fetchall() == [
            (1,),
            (2,),
        ]


def test_a_copy_carries_the_marts_file_and_no_other(tmp_path):
    warehouse = tmp_path / "leadhouse.duckdb"
    with connect(warehouse) as conn:
        conn.execute("create table marts.dim_leads as select 3 as lead_id")
    (tmp_path / "copy").mkdir()
    copy = tmp_path / "copy" / "leadhouse.duckdb"
    copy_warehouse(warehouse, copy)
    with connect(copy, read_only=True) as conn:
        assert conn.execute("from marts.dim_leads").fetchall() == [(3,)]
    # A warehouse without a marts file (built before the split): the copy's stale one goes.
    old = tmp_path / "old" / "leadhouse.duckdb"
    old.parent.mkdir()
    with duckdb.connect(str(old)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.dim_leads as select 4 as lead_id")
    copy_warehouse(old, copy)
    assert not marts_path(copy).exists()
    with connect(copy) as conn:  # and its own marts are moved, not shadowed by stale ones
        assert conn.execute("from marts.dim_leads").fetchall() == [(4,)]


def test_moving_alone_from_the_command_line(tmp_path, capsys):
    warehouse = tmp_path / "leadhouse.duckdb"
    with duckdb.connect(str(warehouse)) as old:
        old.execute("create schema marts")
        old.execute("create table marts.dim_leads as select 1 as lead_id")
    assert main(["--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out == f"{warehouse}: 1 marts in {marts_path(warehouse)}\n"
