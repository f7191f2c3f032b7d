"""make crm-demo's two steps around the pipeline: load the sample's CRM records into PostgreSQL and
snapshot them; after the write-back, report what changed in the CRM (here the write-back is two
UPDATEs and a sync run recorded in a small warehouse, not the whole pipeline)."""

from __future__ import annotations

import duckdb
import psycopg

from exports.engine import ensure_export_tables
from leadhouse.crm_demo import load, report
from leadhouse.settings import PROJECT_ROOT, Settings
from sample_data.cli import main as generate


def test_load_then_report_what_the_write_back_changed(crm_postgres, tmp_path, monkeypatch, capsys):
    dsn, schema = crm_postgres
    monkeypatch.setenv("LEADHOUSE_CRM_DSN", dsn)
    assert generate(["--leads", "200", "--seed", "3", "--out", str(tmp_path), "--quiet"]) in (0, None)
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path
    )

    assert load(settings, schema) == 0
    loaded = capsys.readouterr().out
    with psycopg.connect(dsn) as conn:
        (leads,) = conn.execute(f'select count(*) from "{schema}".leads').fetchone()
        ids = [r[0] for r in conn.execute(f'select id from "{schema}".leads order by id limit 2').fetchall()]
        for n, lead_id in enumerate(ids):
            conn.execute(
                f'update "{schema}".leads set score = %s, grade = %s, conversion_probability = %s, '
                "top_factors = 'visited the pricing page', scored_at = now() where id = %s",
                (90 - n, "A", 0.9 - n / 10, lead_id),
            )
    assert f"leads +{leads:,}" in loaded and "0 with a score written back" in loaded
    assert load(settings, schema) == 0  # loading again adds nothing
    assert (
        f"leads +0, lead_activities +0; {leads:,} leads, 2 with a score written back"
        in capsys.readouterr().out
    )

    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        ensure_export_tables(conn)
        conn.execute(
            "insert into exports.sync_runs (sync, run_id, mode, full_resync, started_at, rows_queried, "
            "rows_added, rows_changed, rows_unchanged, rows_sent, rows_rejected, rows_invalid, rows_excluded, status) "
            "values ('crm_database_scores', 'r1', 'update_only', false, now(), 2, 2, 0, 0, 2, 0, 0, 0, 'succeeded')"
        )
    with psycopg.connect(dsn) as conn:
        conn.execute(f'update "{schema}".leads set score = 95 where id = %s', (ids[0],))
    assert report(settings, schema) == 0
    out = capsys.readouterr().out
    assert f"{schema}.leads): {leads:,} leads" in out
    assert "written back by this run: 1 leads changed" in out  # against the second load's snapshot
    assert "score 90 -> 95, grade A, conversion probability 90%" in out
    assert "sync crm_database_scores (succeeded): 2 CRM rows" in out
