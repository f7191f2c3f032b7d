"""The schedules and sensors of config/schedules.yml, evaluated with Dagster's testing APIs: the
right run requests at the right ticks, none when nothing is new, one run per source with new files,
the build after an ingest that loaded something, and the validation of the config file."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from leadhouse.settings import PROJECT_ROOT, Settings
from leadhouse.warehouse import connect as connect_warehouse
from orchestration.definitions import build_definitions
from orchestration.lib.automation_config import (
    AutomationConfigError,
    load_automation_config,
    parse_automation_config,
)
from orchestration.lib.clock import AS_OF_TAG

SHIPPED = load_automation_config()
EXPECTED = {  # schedule -> (job, cron)
    "hourly_ingest": ("ingest_sources", "0 * * * *"),
    "follow_up_queues": ("follow_up_queues", "*/30 * * * *"),
    "overdue_checks": ("overdue_checks", "15 * * * *"),
    "stale_detection": ("stale_detection", "0 */6 * * *"),
    "retention_cleanup": ("retention_cleanup", "0 2 * * *"),
    "daily_summary": ("daily_summary", "0 8 * * *"),
    "hourly_rescore": ("rescore_leads", "30 * * * *"),
    "weekly_retrain": ("retrain_conversion_model", "0 4 * * 1"),
    "daily_partitions": ("daily_partitions", "30 0 * * *"),
}


def settings_for(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )


@pytest.fixture(scope="module")
def defs(tmp_path_factory) -> dg.Definitions:
    return build_definitions(settings_for(tmp_path_factory.mktemp("data")))


def with_changes(**changes) -> dict:
    data = SHIPPED.model_dump(mode="json")
    for key, value in changes.items():
        data[key] = value
    return data


def test_every_schedule_runs_its_job_on_its_cron_stopped_until_turned_on(defs):
    schedules = {s.name: s for s in defs.schedules}
    assert set(schedules) == set(EXPECTED)
    for name, (job, cron) in EXPECTED.items():
        schedule = schedules[name]
        assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (job, cron, "UTC")
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED, name
    sensors = {s.name: s.default_status for s in defs.sensors}
    assert sensors == {
        "landing_files_sensor": dg.DefaultSensorStatus.RUNNING,
        "build_after_ingest": dg.DefaultSensorStatus.RUNNING,
        "publish_after_partitions": dg.DefaultSensorStatus.RUNNING,
        "run_failures_sensor": dg.DefaultSensorStatus.RUNNING,
        "freshness_checks_sensor": dg.DefaultSensorStatus.RUNNING,
        "automation_conditions": dg.DefaultSensorStatus.RUNNING,
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_schedule_asks_for_one_run_of_its_job_as_of_its_tick(defs, name):
    tick = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)  # a Monday, after the day partitions' start
    result = defs.resolve_schedule_def(name).evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    )
    [request] = result.run_requests
    assert request.tags[AS_OF_TAG] == "2026-11-02 04:00:00" and request.tags["leadhouse/schedule"] == name
    assert request.run_key == f"{name}-2026-11-02T04:00:00+00:00"
    assert defs.resolve_job_def(EXPECTED[name][0])  # the job it runs exists


def test_a_tick_requests_one_run_whose_as_of_is_the_tick(defs):
    schedule = defs.resolve_schedule_def("follow_up_queues")
    tick = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    result = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    [request] = result.run_requests
    assert request.tags[AS_OF_TAG] == "2026-11-02 09:30:00"
    assert request.run_key == "follow_up_queues-2026-11-02T09:30:00+00:00"
    # The same tick again is the same run (the key), so a rerun of a tick gives the same as_of.
    again = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    assert again.run_requests[0].run_key == request.run_key


def test_the_daily_partition_schedule_builds_yesterday_and_the_lookback_days(defs):
    schedule = defs.resolve_schedule_def("daily_partitions")
    tick = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    [request] = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-10-29"  # 3 lookback days
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-01"
    # Never before the first partition (config: partitions.start_date), nothing on its first day.
    start = datetime.combine(SHIPPED.partitions.start_date, datetime.min.time(), UTC)
    on_start = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=start))
    assert not on_start.run_requests and "no day partition before" in on_start.skip_message
    [early] = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=start + timedelta(days=2, minutes=30))
    ).run_requests
    assert early.tags["dagster/asset_partition_range_start"] == SHIPPED.partitions.start_date.isoformat()
    job = defs.resolve_job_def("daily_partitions")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "marts/fct_activities_daily",
        "marts/fct_status_changes_daily",
    }


def test_the_time_zone_and_switches_come_from_the_config(tmp_path):
    schedules = dict(SHIPPED.model_dump(mode="json")["schedules"])
    schedules["daily_summary"] = {"cron": "0 8 * * *", "enabled": True}
    automation = parse_automation_config(with_changes(timezone="Europe/Berlin", schedules=schedules))
    defs = build_definitions(settings_for(tmp_path), automation)
    schedule = defs.resolve_schedule_def("daily_summary")
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # 08:00 in Berlin in winter is 07:00 UTC: the run's as_of is in UTC.
    tick = datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    [request] = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests
    assert request.tags[AS_OF_TAG] == "2026-12-01 07:00:00"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone 'Mars/Olympus'"),
        (
            {"schedules": {"hourly_ingest": {"cron": "61 * * * *"}}},
            "hourly_ingest.cron: '61 * * * *' is not a cron",
        ),
        ({"schedules": {"hourly_ingest": {"cron": "0 * * * *"}}}, "schedules.daily_summary: missing"),
        ({"sensors": {"landing": {"enabled": True}}}, "sensors.landing: unknown sensor"),
    ],
)
def test_a_bad_config_names_the_file_and_the_key(changes, message):
    with pytest.raises(AutomationConfigError) as error:
        parse_automation_config(with_changes(**changes))
    assert "config/schedules.yml" in str(error.value) and message in str(error.value)


def test_a_freshness_rule_on_an_unknown_asset_is_refused(tmp_path):
    rules = [{"name": "typo", "assets": ["marts/lead_score"], "max_age_hours": 2}]
    with pytest.raises(AutomationConfigError, match=r"freshness\[typo\].assets: no asset marts/lead_score"):
        build_definitions(settings_for(tmp_path), parse_automation_config(with_changes(freshness=rules)))


FIRST_MTIME = 1_780_000_000 * 10**9  # 2026-05-28: settled long ago


def landing(tmp_path, source: str, name: str, text: str) -> None:
    folder = tmp_path / "landing" / source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    os.utime(folder / name, ns=(FIRST_MTIME, FIRST_MTIME))


def test_the_landing_sensor_runs_the_sources_with_new_files_and_what_depends_on_them(tmp_path):
    defs = build_definitions(settings_for(tmp_path))
    sensor = defs.resolve_sensor_def("landing_files_sensor")

    def tick(cursor):
        return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, definitions=defs))

    nothing = tick(None)
    assert nothing.skip_message == "no new or changed landing files" and not nothing.run_requests

    landing(tmp_path, "web_forms", "a.csv", "Submission ID\n1\n")
    landing(tmp_path, "web_forms", "b.csv", "Submission ID\n2\n")
    landing(tmp_path, "chat", "c.jsonl", "{}\n")
    first = tick(nothing.cursor)
    [request] = first.run_requests  # the sources with files in this tick share one run
    assert request.tags["leadhouse/sources"] == "chat, web_forms"
    assert request.tags["leadhouse/changed_files"] == "chat/c.jsonl, web_forms/a.csv, web_forms/b.csv"
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {"raw/web_forms", "raw/chat"} <= selected and "raw/referrals" not in selected  # those sources
    assert {"marts/dim_leads", "published/warehouse", "marts/lead_scores"} <= selected  # and what follows
    assert (
        not {"ml/conversion_model_candidate", "marts/fct_activities_daily", "ops/retention_cleanup"}
        & selected
    )

    assert tick(first.cursor).run_requests == []  # nothing new: no run

    landing(tmp_path, "web_forms", "b.csv", "Submission ID\n2\n3\n")  # b changed
    changed = tick(first.cursor)
    [again] = changed.run_requests
    assert again.tags["leadhouse/changed_files"] == "web_forms/b.csv"
    assert "raw/chat" not in {key.to_user_string() for key in again.asset_selection}  # web_forms only
    assert again.run_key != request.run_key
    # A sensor that lost its cursor asks for every file again: the first tick's run key again if
    # nothing changed since, which Dagster never starts twice.
    landing(tmp_path, "web_forms", "b.csv", "Submission ID\n2\n")
    os.utime(tmp_path / "landing" / "web_forms" / "b.csv", ns=(FIRST_MTIME, FIRST_MTIME))
    assert [r.run_key for r in tick(None).run_requests] == [request.run_key]


def test_an_ingest_that_loaded_something_starts_the_build_and_one_that_did_not_starts_nothing(tmp_path):
    defs = build_definitions(settings_for(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.resolve_sensor_def("build_after_ingest")
    ingest = defs.resolve_job_def("ingest_sources")
    landing(tmp_path, "web_forms", "a.csv", "Submission ID,Email\n1,ann@example.com\n")

    def evaluate(result: dg.ExecuteInProcessResult):
        assert result.success
        run = instance.get_run_by_id(result.run_id)
        event = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
        context = dg.build_run_status_sensor_context(
            sensor_name="build_after_ingest", dagster_event=event, dagster_instance=instance, dagster_run=run
        )
        return sensor(context)

    loaded = evaluate(ingest.execute_in_process(instance=instance))
    assert isinstance(loaded, dg.RunRequest)
    assert loaded.tags["leadhouse/loaded"] == "raw/web_forms" and loaded.run_key.startswith("after-ingest-")
    assert defs.resolve_sensor_def("build_after_ingest").job_name == "build_warehouse"

    nothing_new = evaluate(ingest.execute_in_process(instance=instance))  # the ledger: already loaded
    assert isinstance(nothing_new, dg.SkipReason) and "loaded nothing new" in nothing_new.skip_message


def test_a_failed_run_is_recorded_in_the_warehouse_and_posted_without_its_url(tmp_path, monkeypatch, caplog):
    import duckdb

    from tests.ops.fake_webhook import FakeWebhook

    settings = settings_for(tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True)
    duckdb.connect(str(settings.warehouse_path)).close()
    defs = build_definitions(settings)

    @dg.op
    def breaks():
        raise RuntimeError("the CRM answered 503\nsecond line")

    instance = dg.DagsterInstance.ephemeral()
    result = (
        dg.GraphDefinition(name="breaks", node_defs=[breaks])
        .to_job()
        .execute_in_process(instance=instance, raise_on_error=False)
    )
    run = instance.get_run_by_id(result.run_id)
    event = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failures_sensor", dagster_event=event, dagster_instance=instance, dagster_run=run
    ).for_run_failure()
    sensor = defs.resolve_sensor_def("run_failures_sensor")
    with FakeWebhook() as webhook:
        secret_url = f"{webhook.url}/hooks/T0KEN-s3cret"
        monkeypatch.setenv("LEADHOUSE_ALERT_WEBHOOK", secret_url)
        with caplog.at_level("DEBUG"):
            sensor(context)
            sensor(context)  # evaluated again (a tick that timed out): one alert, one row
    # The sensor never opens the warehouse (it is outside the writer pool): the failure waits in
    # the spool, which the next step that writes the warehouse flushes.
    from ops.run_failures import flush_spooled_failures

    with connect_warehouse(settings.warehouse_path) as conn:
        assert flush_spooled_failures(conn, tmp_path / "ops") == 2
        rows = conn.execute(
            "select run_id, job_name, failed_steps, error_message from ops.run_failures"
        ).fetchall()
    [(run_id, job, steps, error)] = rows
    assert (run_id, job, steps) == (result.run_id, "breaks", '["breaks"]')
    assert "the CRM answered 503" in error  # the step's own error, not "steps failed"
    [first] = webhook.requests
    assert first["path"] == "/hooks/T0KEN-s3cret" and first["body"]["run_id"] == result.run_id
    assert "Leadhouse run failed: breaks" in first["body"]["text"]
    assert "T0KEN" not in caplog.text


def test_the_retention_job_deletes_what_no_mart_references_and_reconciliation_still_holds(tmp_path):
    from tests.ops.warehouse import build_activities_mart, ingest_activities

    settings = settings_for(tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True)
    with connect_warehouse(settings.warehouse_path) as conn:
        ingest_activities(conn, tmp_path / "landing")
        build_activities_mart(conn)  # shows a1 and a4
        conn.execute("create table marts.fct_lead_status_changes (source varchar, source_record_id varchar)")
    defs = build_definitions(settings)
    tick = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    [request] = (
        defs.resolve_schedule_def("retention_cleanup")
        .evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
        .run_requests
    )
    result = defs.resolve_job_def("retention_cleanup").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=request.tags
    )
    assert result.success
    with connect_warehouse(settings.warehouse_path, read_only=True) as conn:
        kept = conn.execute("select source_record_id from raw.activities order by 1").fetchall()
        removed = conn.execute("select rule, row_key, removed_at from ops.retention_removed").fetchall()
    # a2 (2020) and a5 (2021): old, and no mart shows them; a1 (2020) is old but the mart shows it.
    assert kept == [("a1",), ("a4",)]
    assert sorted(removed) == [
        ("old_activities", "a2", tick.replace(tzinfo=None)),
        ("old_activities", "a5", tick.replace(tzinfo=None)),
    ]
    from ingest.reconcile import reconcile
    from ingest.schemas import ENTITIES

    with connect_warehouse(settings.warehouse_path, read_only=True) as conn:
        # The source's blocking check counts the removed rows: rows read = loaded + quarantined still.
        assert reconcile(conn, "crm_activities", ENTITIES["activity"]).passed


@pytest.mark.parametrize(
    ("key", "hours_ago", "passed", "severity"),
    [
        (["marts", "lead_scores"], 1, True, "ERROR"),
        (["marts", "lead_scores"], 3, False, "ERROR"),
        (["marts", "funnel_by_period"], 23, True, "WARN"),
        (["marts", "funnel_by_period"], 25, False, "WARN"),
    ],
)
def test_lead_scores_are_fresh_for_two_hours_funnels_for_a_day(key, hours_ago, passed, severity):
    from dagster._core.events import DagsterEvent, StepMaterializationData
    from dagster._core.events.log import EventLogEntry

    from orchestration.defs.operations.freshness import build_freshness_defs

    key = dg.AssetKey(key)
    known = {dg.AssetKey(["marts", "lead_scores"]), *FUNNEL_KEYS, dg.AssetKey(["ml", "lead_scores"])}
    checks = build_freshness_defs(SHIPPED, known).asset_checks
    instance = dg.DagsterInstance.ephemeral()
    materialized = DagsterEvent(
        event_type_value=dg.DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="__ASSET_JOB",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(key)),
    )
    instance.store_event(
        EventLogEntry(
            error_info=None,
            level="debug",
            user_message="",
            run_id="",
            timestamp=time.time() - hours_ago * 3600,
            dagster_event=materialized,
        )
    )
    check_key = dg.AssetCheckKey(key, "freshness_check")
    job = dg.define_asset_job("freshness", selection=dg.AssetSelection.checks(check_key))
    defs = dg.Definitions(assets=[dg.AssetSpec(key)], asset_checks=checks, jobs=[job])
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is passed
    assert evaluation.severity == dg.AssetCheckSeverity[severity]  # config/schedules.yml


FUNNEL_KEYS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_lead_stage_history",
        "funnel_by_period",
        "funnel_stage_conversions",
        "funnel_cohorts",
        "funnel_time_in_stage",
        "conversion_metrics",
    )
]


def test_a_run_of_the_day_partitions_is_followed_by_a_publish(defs):
    sensor = defs.resolve_sensor_def("publish_after_partitions")
    keys = {k.to_user_string() for k in defs.resolve_job_def("publish").asset_layer.selected_asset_keys}
    assert sensor.job_name == "publish" and keys == {
        "published/warehouse",
        "published/parquet",
        "published/report",
    }

    @dg.op
    def builds_days():
        pass

    instance = dg.DagsterInstance.ephemeral()
    result = (
        dg.GraphDefinition(name="daily_partitions", node_defs=[builds_days])
        .to_job()
        .execute_in_process(instance=instance)
    )
    event = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
    context = dg.build_run_status_sensor_context(
        sensor_name="publish_after_partitions",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    )
    assert sensor(context).run_key == f"publish-after-{result.run_id}"  # once per partition run

    # A run of another job that built no day partition: nothing to publish for it.
    other = (
        dg.GraphDefinition(name="ingest_sources", node_defs=[builds_days])
        .to_job()
        .execute_in_process(instance=instance)
    )
    event = next(e for e in other.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
    skipped = sensor(
        dg.build_run_status_sensor_context(
            sensor_name="publish_after_partitions",
            dagster_event=event,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(other.run_id),
        )
    )
    assert isinstance(skipped, dg.SkipReason)


@pytest.mark.parametrize("follower", ["report", "parquet"])
def test_the_report_and_the_parquet_files_follow_every_publish_declaratively(defs, follower):
    instance = dg.DagsterInstance.ephemeral()
    published, report = dg.AssetKey(["published", "warehouse"]), dg.AssetKey(["published", follower])
    only_report = dg.AssetSelection.assets(report)
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=only_report)
    assert first.total_requested == 0  # nothing published yet
    instance.report_runless_asset_event(dg.AssetMaterialization(published))
    after = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=only_report, cursor=first.cursor
    )
    assert after.total_requested == 1 and after.get_requested_partitions(report) == {None}


def test_a_failed_blocking_check_keeps_the_bad_data_from_the_published_copy(tmp_path, monkeypatch):
    """rows_reconcile fails after web_forms is ingested: nothing downstream runs, dbt and the
    published copy included (the readers keep the last good copy)."""
    from ingest.reconcile import Reconciliation
    from orchestration.defs.ingest import assets as ingest_assets

    def lost_a_row(conn, source, entity):
        return Reconciliation(
            1, 3, 2, 0, 0, count_mismatches=[{"file": "web_forms/a.csv"}], issue_mismatches=[], orphans=[]
        )

    monkeypatch.setattr(ingest_assets, "reconcile", lost_a_row)
    landing(tmp_path, "web_forms", "a.csv", "Submission ID,Email Address\n1,ann@example.com\n")
    settings = settings_for(tmp_path)
    defs = build_definitions(settings)
    keys = [
        dg.AssetKey(["raw", "web_forms"]),
        dg.AssetKey(["staging", "stg_web_forms__leads"]),
        dg.AssetKey(["marts", "dim_leads"]),  # what the published copy is made of
        PUBLISHED,
    ]
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=keys, raise_on_error=False
    )
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "rows_reconcile"]
    assert not check.passed
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey(["raw", "web_forms"])}
    assert not settings.published_path.exists()


PUBLISHED = dg.AssetKey(["published", "warehouse"])
