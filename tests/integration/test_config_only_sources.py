"""A source added with a config file alone reaches the marts in the very run that ingests it,
run the way `make materialize` runs (`dagster job execute -j materialize_everything`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadhouse.settings import PROJECT_ROOT
from leadhouse.warehouse import connect as connect_warehouse
from sample_data.cli import main as generate

pytestmark = pytest.mark.slow

TRADE_SHOW = """\
name: trade_show
entity: lead
format: csv
description: Badge scans from a trade show (a config-only source).
defaults: {channel: event}
"""
BOOTH_VISITS = """\
name: booth_visits
entity: activity
format: csv
description: Booth visits of trade-show leads (a config-only activity source).
"""


def test_config_only_lead_and_activity_sources_reach_the_marts_in_one_run(tmp_path):
    data = tmp_path / "data"
    assert generate(["--leads", "150", "--seed", "3", "--out", str(data)]) in (0, None)
    sources = tmp_path / "sources"
    shutil.copytree(PROJECT_ROOT / "config" / "sources", sources)
    (sources / "trade_show.yml").write_text(TRADE_SHOW)
    (sources / "booth_visits.yml").write_text(BOOTH_VISITS)
    (data / "landing" / "trade_show").mkdir()
    (data / "landing" / "trade_show" / "scans.csv").write_text(
        "source_record_id,first_name,last_name,email,phone,company,created_at\n"
        "T1,Zelda,Quarantino,zelda@quarantino.example,(921) 835-1828,Qux Ltd,2026-10-01T10:00:00Z\n"
        "T2,Yusuf,Oyelaran,yusuf@oyelaran.example,,Oyel Co,2026-10-02 11:00:00\n"
    )
    (data / "landing" / "booth_visits").mkdir()
    (data / "landing" / "booth_visits" / "visits.csv").write_text(
        "source_record_id,lead_record_source,lead_record_id,activity_type,occurred_at,detail\n"
        "V1,trade_show,T1,meeting,2026-10-01T10:05:00Z,booth 12\n"
        "V2,trade_show,T2,demo,2026-10-02T11:30:00Z,booth 12\n"
    )
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = os.environ | {
        "LEADHOUSE_DATA_DIR": str(data),
        "LEADHOUSE_SOURCES": str(sources),
        "LEADHOUSE_MODEL_DIR": str(tmp_path / "models"),  # never the repository's registry
        "DAGSTER_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
    }
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "job", "execute", "-j", "materialize_everything", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        mapped = conn.execute(
            "select source_record_id, lead_id from marts.lead_identity_map where source = 'trade_show' order by 1"
        ).fetchall()
        assert [r[0] for r in mapped] == ["T1", "T2"]
        leads = conn.execute(
            "select email from marts.dim_leads where lead_id in (select lead_id from marts.lead_identity_map "
            "where source = 'trade_show') order by 1"
        ).fetchall()
        assert leads == [("yusuf@oyelaran.example",), ("zelda@quarantino.example",)]
        activities = conn.execute(
            "select source_record_id, lead_id is not null from marts.fct_lead_activities "
            "where source = 'booth_visits' order by 1"
        ).fetchall()
        assert activities == [("V1", True), ("V2", True)]
        # The flagged phone of a config-only source is in the quality marts too.
        assert conn.execute(
            "select column_name, action, issue_count from marts.fct_field_issues where source = 'trade_show'"
        ).fetchall() == [("phone", "kept", 1)]
