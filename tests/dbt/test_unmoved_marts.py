"""dbt refuses to build on a warehouse whose marts were not moved into their own file yet
(macros/maintenance/refuse_unmoved_marts.sql): it would start lead_merge_history and the day
partitions afresh in the new file. The move (leadhouse.warehouse) keeps them."""

from __future__ import annotations

import duckdb

from leadhouse.warehouse import connect
from tests.dbt.dbt_runner import run_dbt


def test_dbt_stops_on_marts_not_moved_and_names_the_command_that_moves_them(tmp_path):
    warehouse = tmp_path / "data" / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as old:
        old.execute("create schema marts")
        old.execute(
            "create table marts.lead_merge_history as select range as identity_event_id from range(3)"
        )
    process, results = run_dbt(
        "run", tmp_path / "data", tmp_path / "work", "--select", "stg_web_forms__leads"
    )
    assert process.returncode != 0 and results == []
    assert "holds 1 marts in its own marts schema" in process.stdout
    assert "move them first with `.venv/bin/python -m leadhouse.warehouse`" in process.stdout
    with connect(warehouse) as conn:  # the move keeps the history
        assert conn.execute("select count(*) from marts.lead_merge_history").fetchone() == (3,)
