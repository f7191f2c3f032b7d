"""The schedules and sensors of config/schedules.yml, evaluated with Dagster's testing APIs: the
right run requests at the right ticks, none when nothing is new, one run per source with new files,
the build after an ingest that loaded something, and the validation of the config file."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from leadhouse.settings import PROJECT_ROOT, Settings
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
        "run_failures_sensor": dg.DefaultSensorStatus.RUNNING,
        "freshness_checks_sensor": dg.DefaultSensorStatus.RUNNING,
    }


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


def landing(tmp_path, source: str, name: str, text: str) -> None:
    folder = tmp_path / "landing" / source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    settled = time.time() - 3600
    os.utime(folder / name, (settled, settled))


def test_the_landing_sensor_runs_each_source_with_new_files_and_what_depends_on_it(tmp_path):
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
    by_source = {r.tags["leadhouse/source"]: r for r in first.run_requests}
    assert set(by_source) == {"web_forms", "chat"}  # one run per source, whatever its file count
    assert by_source["web_forms"].tags["leadhouse/changed_files"] == "web_forms/a.csv, web_forms/b.csv"
    selected = {key.to_user_string() for key in by_source["web_forms"].asset_selection}
    assert "raw/web_forms" in selected and "raw/chat" not in selected  # that source only
    assert {"marts/dim_leads", "published/warehouse", "marts/lead_scores"} <= selected  # and what follows
    assert (
        not {"ml/conversion_model_candidate", "marts/fct_activities_daily", "ops/retention_cleanup"}
        & selected
    )

    assert tick(first.cursor).run_requests == []  # nothing new: no run

    landing(tmp_path, "web_forms", "b.csv", "Submission ID\n2\n3\n")  # b changed
    changed = tick(first.cursor)
    [request] = changed.run_requests
    assert request.tags["leadhouse/changed_files"] == "web_forms/b.csv"
    # A sensor that lost its cursor asks again for chat's file: the same run key (the files' names,
    # sizes and times), which Dagster never starts twice.
    assert by_source["chat"].run_key in {r.run_key for r in tick(None).run_requests}
