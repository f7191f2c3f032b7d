"""The definitions load the way `dagster dev` loads them, without dbt or the network."""

import difflib
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from leadhouse.settings import PROJECT_ROOT
from orchestration.definitions import build_definitions
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL
from tests.orchestration.asset_graph import REGENERATE, SNAPSHOT, describe, shipped_asset_graph

# Third-party packages are imported first (dagster's vendored croniter runs `file` once at
# import); after that, loading our definitions must not start a process or open a connection.
NO_SUBPROCESS_NO_NETWORK = """
import dagster, dagster_dbt, dagster_duckdb, duckdb, polars, pandera.polars, phonenumbers
import socket, subprocess
def refuse(self, *args, **kwargs):
    raise RuntimeError(f"importing the definitions tried to run or connect: {args[:1]}")
subprocess.Popen.__init__ = refuse
socket.socket.connect = refuse
import orchestration.definitions as module
print(len(module.defs.resolve_asset_graph().get_all_asset_keys()))
"""


def test_import_runs_nothing_and_needs_no_network():
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_IS_DEV_CLI"}
    result = subprocess.run(
        [sys.executable, "-c", NO_SUBPROCESS_NO_NETWORK],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip()) > 30


def test_workspace_loads_like_dagster_dev(tmp_path):
    # As `dagster dev` started as .venv/bin/dagster: the dev flag (dbt parse on load) and a PATH
    # without the environment's bin folder.
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env = os.environ | {"DAGSTER_HOME": str(tmp_path), "DAGSTER_IS_DEV_CLI": "1", "PATH": path}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Validation successful" in result.stdout + result.stderr


def test_asset_graph_matches_snapshot():
    """Renaming or dropping an asset, an edge (say ingestion -> dbt), a group, a pool or a check is
    a visible diff: update asset_graph.txt on purpose."""
    now = describe(shipped_asset_graph())
    stored = SNAPSHOT.read_text().splitlines()
    diff = list(difflib.unified_diff(stored, now, "asset_graph.txt", "the definitions now", lineterm="", n=0))
    assert not diff, (
        f"the asset graph changed (-{sum(d[:1] == '-' for d in diff[2:])} +{sum(d[:1] == '+' for d in diff[2:])} "
        "lines):\n" + "\n".join(diff[:80]) + f"\nif intended, regenerate the snapshot: {REGENERATE}"
    )


def test_every_source_has_an_asset_and_a_blocking_reconciliation_check():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    for source in ("web_forms", "ad_leads", "crm_export", "crm_activities", "ad_spend"):
        key = dg.AssetKey(["raw", source])
        assert graph.has(key)
        node = graph.get(key)
        assert node.pools == {WAREHOUSE_WRITER_POOL}
        check = dg.AssetCheckKey(key, "rows_reconcile")
        assert check in graph.asset_check_keys
        assert graph.get_check_spec(check).blocking
    # dbt sources are the ingestion assets, so lineage runs source -> staging -> marts.
    assert (
        dg.AssetKey(["raw", "web_forms"])
        in graph.get(dg.AssetKey(["staging", "stg_web_forms__leads"])).parent_keys
    )
    dim_leads = graph.get(dg.AssetKey(["marts", "dim_leads"]))
    assert dim_leads.pools == {WAREHOUSE_WRITER_POOL}
    assert any(c.asset_key == dim_leads.key for c in graph.asset_check_keys)  # dbt tests are checks
    assert graph.get(dg.AssetKey(["published", "warehouse"])).pools == {WAREHOUSE_WRITER_POOL}
    # Written from the published copy, not the warehouse: not the writer's slot, one at a time.
    assert graph.get(dg.AssetKey(["published", "parquet"])).pools == {"published_parquet"}


def test_jobs_schedule_sensor_and_executor():
    defs = build_definitions()
    assert defs.resolve_job_def("refresh_warehouse")
    assert defs.resolve_sensor_def("landing_files_sensor")
    assert defs.executor is dg.in_process_executor


def test_each_clock_job_rebuilds_its_marts_from_the_warehouse_as_it_is_and_publishes():
    defs = build_definitions()

    def keys(job: str) -> set[str]:
        return {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}

    published = "published/warehouse"
    assert all("published/parquet" in keys(job) for job in ("follow_up_queues", "daily_summary", "publish"))
    assert {"marts/follow_up_tasks", "marts/follow_up_upcoming", "marts/sales_work_queue", published} <= keys(
        "follow_up_queues"
    )
    assert {"marts/follow_up_tasks", "marts/follow_up_overdue", published} <= keys("overdue_checks")
    assert {"marts/stale_leads", published} <= keys("stale_detection")
    assert {"marts/agent_daily_summary", "exports/agent_daily_summaries", published} <= keys("daily_summary")
    for job in ("follow_up_queues", "overdue_checks", "stale_detection", "daily_summary"):
        # "now" moved, the data did not: no ingestion, identity or scoring by the model
        assert not {"raw/web_forms", "marts/dim_leads", "ml/lead_scores"} & keys(job), job
    assert keys("retention_cleanup") == {"ops/retention_cleanup"}
    assert all(k.startswith("raw/") for k in keys("ingest_sources")) and "raw/web_forms" in keys(
        "ingest_sources"
    )
    built = keys("build_warehouse")
    assert "marts/dim_leads" in built and not any(k.startswith("raw/") for k in built)
    everything = keys("materialize_everything")
    assert {
        "ml/conversion_model_candidate",
        "ops/retention_cleanup",
        "exports/agent_daily_summaries",
    } <= everything
    assert not {"marts/fct_activities_daily", "marts/fct_status_changes_daily"} & everything  # make backfill


def test_every_asset_is_in_a_named_group_with_its_owner():
    import yaml

    from orchestration.lib.groups import GROUP_OWNERS

    graph = build_definitions().resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key)
        if node.is_materializable:
            assert node.owners == [f"team:{GROUP_OWNERS[node.group_name]}"], key
            assert node.description, key
    assert set(groups) == {"ingest", "staging", "identity", "scoring", "funnels", "ml", "exports", "publish"}
    declared = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "models" / "_groups.yml").read_text())["groups"]
    assert {g["name"]: g["owner"]["name"] for g in declared} == {
        name: owner for name, owner in GROUP_OWNERS.items() if name != "publish"
    }
    dim_leads = graph.get(dg.AssetKey(["marts", "dim_leads"]))
    assert dim_leads.group_name == "identity" and {"dbt", "duckdb"} <= set(dim_leads.kinds)
    columns = dim_leads.metadata["dagster/column_schema"].columns
    assert any(c.name == "lead_id" and c.description for c in columns)  # dbt's column docs


def test_the_model_is_retrained_weekly_and_leads_rescored_hourly():
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    assert defs.resolve_schedule_def("weekly_retrain").cron_schedule == "0 4 * * 1"
    assert defs.resolve_schedule_def("hourly_rescore").cron_schedule == "30 * * * *"
    candidate, champion = (
        dg.AssetKey(["ml", "conversion_model_candidate"]),
        dg.AssetKey(["ml", "conversion_model"]),
    )
    scores, queue = dg.AssetKey(["ml", "lead_scores"]), dg.AssetKey(["marts", "sales_work_queue"])

    def keys(job: str) -> set[dg.AssetKey]:
        return set(defs.resolve_job_def(job).asset_layer.selected_asset_keys)

    refresh, retrain, rescore = (
        keys("refresh_warehouse"),
        keys("retrain_conversion_model"),
        keys("rescore_leads"),
    )
    assert (
        candidate not in refresh and champion not in refresh
    )  # the landing sensor's refresh scores, never trains
    assert {scores, queue} <= refresh
    assert {candidate, champion, scores, queue, dg.AssetKey(["published", "warehouse"])} <= retrain
    assert scores in rescore and queue in rescore and candidate not in rescore
    assert dg.AssetKey(["marts", "dim_leads"]) not in rescore
    gate = dg.AssetCheckKey(candidate, "model_gate")
    assert graph.get_check_spec(gate).blocking


def test_instance_config_has_telemetry_off_and_one_writer():
    text = (PROJECT_ROOT / "dagster_home" / "dagster.yaml").read_text()
    assert "enabled: false" in text and "default_limit: 1" in text
