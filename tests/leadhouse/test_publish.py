"""The published copy: written beside the old one, replaced at once, without what dbt left behind."""

from __future__ import annotations

import duckdb

from leadhouse.publish import discard_unfinished_copy, publish, unfinished_copy


def test_publish_skips_dbt_leftovers_and_a_stale_write_ahead_log(tmp_path):
    target = tmp_path / "published" / "leadhouse.duckdb"
    target.parent.mkdir()
    unfinished_copy(target)[1].write_bytes(b"not a write-ahead log of the new copy")
    with duckdb.connect(str(tmp_path / "leadhouse.duckdb")) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.dim_leads as select 1 as lead_id")
        conn.execute("create table main.int_er_records_clustered__dbt_tmp20260101 as select 1 as x")
        conn.execute("create view marts.dim_leads__dbt_backup as select 1 as x")
        tables = publish(conn, target)
    assert tables == {"marts.dim_leads": 1}
    assert not any(path.exists() for path in unfinished_copy(target))
    with duckdb.connect(str(target), read_only=True) as copy:
        names = copy.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    assert names == [("marts.dim_leads",)]
    assert discard_unfinished_copy(target) == []
