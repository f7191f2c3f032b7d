"""config/sales.yml: the shipped file is valid, dbt's copy of it is the same, and every value that
would reach the SQL wrong is refused with the file, the key and the fix."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from leadhouse.dbt_invocation import project_var_sections
from sales.config import (
    CONFIG_PATH,
    DBT_PROJECT_YML,
    SalesConfigError,
    load_sales_config,
    parse_sales_config,
    write_dbt_default,
)
from scoring.config import load_scoring_config
from tests import config_edits
from tests.config_edits import DROP

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())
SCORING = load_scoring_config()


def test_the_shipped_config_is_valid_and_normalized_for_dbt():
    var = load_sales_config().dbt_var()
    routing, follow_up = var["routing"], var["follow_up"]
    assert [s["step"] for s in routing["steps"]] == ["territory", "specialization", "budget_range"]
    assert routing["steps"][1]["lead_fields"] == ["industry", "product_interest"]
    assert routing["new_within_minutes"] == 24 * 60
    assert follow_up["upcoming_windows"] == [["next_30_minutes", 30], ["next_day", 1440]]
    assert dict(follow_up["first_response_sla"]["channels"])["web_form"] == 3600
    assert follow_up["first_response_sla"]["default_seconds"] == 86400
    rules = {rule["id"]: rule for rule in follow_up["rules"]}
    assert list(rules) == [
        "new_web_lead",
        "quote_sent",
        "callback_requested",
        "won_kickoff",
        "lost_reengage",
        "urgent_priority",
        "referral",
        "negotiating_weekly",
    ]
    assert rules["new_web_lead"]["due_after_minutes"] == 60
    assert rules["quote_sent"]["due_after_minutes"] == 48 * 60
    assert rules["lost_reengage"]["due_after_minutes"] == 30 * 24 * 60
    assert rules["urgent_priority"]["due_after_minutes"] == 0
    assert rules["negotiating_weekly"]["repeat_every_days"] == 7
    assert rules["callback_requested"]["activity"]["detail_contains"] == "callback"
    assert [t["id"] for t in var["nurture"]["tracks"]] == [
        "enterprise",
        "high_value",
        "industry_focused",
        "default",
    ]
    assert var["nurture"]["tracks"][1]["score_above"] == 70


def test_the_orchestration_passes_the_config_to_dbt():
    assert project_var_sections()["sales"] == load_sales_config().dbt_var()


def test_dbt_run_by_hand_reads_the_same_settings():
    """The copy dbt_project.yml holds for `dbt build` without --vars is the config file's."""
    by_hand = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["sales"]
    assert by_hand == load_sales_config().dbt_var(), (
        "dbt_project/dbt_project.yml's vars.sales differs from config/sales.yml; run .venv/bin/python -m sales.config"
    )


def test_write_dbt_default_rewrites_a_stale_copy_and_nothing_else(tmp_path):
    project = tmp_path / "dbt_project.yml"
    shutil.copy(DBT_PROJECT_YML, project)
    original = project.read_text()
    stale = parse_sales_config(changed("follow_up.stale_after_days", 9), scoring=SCORING)
    assert write_dbt_default(stale, project)
    assert yaml.safe_load(project.read_text())["vars"]["sales"]["follow_up"]["stale_after_days"] == 9
    assert write_dbt_default(load_sales_config(), project)
    assert project.read_text() == original
    assert not write_dbt_default(load_sales_config(), project)  # up to date: untouched


def test_write_dbt_default_refuses_a_project_without_the_markers(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: leadhouse\nvars: {}\n")
    with pytest.raises(SalesConfigError, match="vars.sales: expected a block"):
        write_dbt_default(load_sales_config(), project)


def changed(path: str, value) -> dict:
    return config_edits.changed(SHIPPED, path, value)


# (what is changed, the value, the key the error names, words of the fix)
INVALID = [
    ("version", 2, "version", "this Leadhouse reads version 1"),
    ("versoin", 1, "versoin", "unknown key"),
    ("routing.steps.0.step", "zip_code", "routing.steps[zip_code].step", "'territory', 'specialization'"),
    ("routing.steps.1.step", "territory", "routing.steps", "each step is listed once"),
    ("routing.steps.1.priority", 1, "routing.steps", "its own priority"),
    (
        "routing.steps.1.lead_fields",
        ["job_title"],
        "routing.steps[specialization].lead_fields[0]",
        "'industry'",
    ),
    (
        "routing.steps.0.lead_fields",
        ["industry"],
        "routing.steps[territory].lead_fields",
        "only the specialization",
    ),
    (
        "routing.workload.measure",
        "fewest_calls",
        "routing.workload.measure",
        "'open_leads' or 'share_of_capacity'",
    ),
    (
        "routing.workload.prefer_conversion_rate_at_least",
        15,
        "routing.workload.prefer_conversion_rate_at_least",
        "1",
    ),
    ("routing.fallback", "random", "routing.fallback", "'round_robin' or 'none'"),
    ("routing.capacity_passes", 0, "routing.capacity_passes", "greater than or equal to 1"),
    ("routing.leads.new_within_hours", -1, "routing.leads.new_within_hours", "greater than 0"),
    ("follow_up.stale_after_days", 0, "follow_up.stale_after_days", "greater than or equal to 1"),
    ("follow_up.stale_after_days", DROP, "", ""),  # has a default: valid
    (
        "follow_up.upcoming_windows",
        [{"name": "next_day", "minutes": 1440}, {"name": "next_30_minutes", "minutes": 30}],
        "follow_up.upcoming_windows",
        "shortest first",
    ),
    (
        "follow_up.upcoming_windows.0.name",
        "next 30",
        "follow_up.upcoming_windows[next 30].name",
        "lower case",
    ),
    ("follow_up.team_activity_types", ["huddle"], "follow_up.team_activity_types", "unknown activity types"),
    (
        "follow_up.first_response_sla.channels",
        {"webform": 1},
        "follow_up.first_response_sla.channels",
        "web_form",
    ),
    (
        "follow_up.first_response_sla.channels.web_form",
        0,
        "follow_up.first_response_sla.channels.web_form",
        "above 0",
    ),
    ("follow_up.rules.0.id", "New Web Lead", "follow_up.rules[New Web Lead].id", "lower case letters"),
    ("follow_up.rules.1.id", "new_web_lead", "follow_up.rules[new_web_lead].id", "used twice"),
    ("follow_up.rules.0.anchor", "created", "follow_up.rules[new_web_lead].anchor", "'lead_created'"),
    ("follow_up.rules.0.statuses", ["Fresh"], "follow_up.rules[new_web_lead].statuses", "unknown statuses"),
    (
        "follow_up.rules.0.first_channels",
        ["website"],
        "follow_up.rules[new_web_lead].first_channels",
        "web_form",
    ),
    (
        "follow_up.rules.5.priorities",
        ["critical"],
        "follow_up.rules[urgent_priority].priorities",
        "config/scoring.yml",
    ),
    (
        "follow_up.rules.0.done_by",
        ["phone_call"],
        "follow_up.rules[new_web_lead].done_by",
        "unknown activity types",
    ),
    ("follow_up.rules.0.done_by", [], "follow_up.rules[new_web_lead].done_by", "name the activity types"),
    (
        "follow_up.rules.0.due_after_days",
        1,
        "follow_up.rules[new_web_lead]",
        "due_after_hours or due_after_days",
    ),
    (
        "follow_up.rules.0.due_after_hours",
        DROP,
        "follow_up.rules[new_web_lead]",
        "due_after_hours or due_after_days",
    ),
    (
        "follow_up.rules.0.due_after_hours",
        -1,
        "follow_up.rules[new_web_lead].due_after_hours",
        "greater than",
    ),
    ("follow_up.rules.1.statuses", [], "follow_up.rules[quote_sent].statuses", "needs the statuses"),
    ("follow_up.rules.2.activity", DROP, "follow_up.rules[callback_requested].activity", "activity to match"),
    (
        "follow_up.rules.2.activity.direction",
        "incoming",
        "follow_up.rules[callback_requested].activity.direction",
        "'inbound' or 'outbound'",
    ),
    (
        "follow_up.rules.2.activity.detail_contains",
        "call\\back",
        "follow_up.rules[callback_requested].activity.detail_contains",
        "without backslashes",
    ),
    (
        "follow_up.rules.0.activity",
        {"activity_types": ["call"]},
        "follow_up.rules[new_web_lead].activity",
        "remove it",
    ),
    ("follow_up.rules.0.name", "Call\\now", "follow_up.rules[new_web_lead].name", "without backslashes"),
    ("follow_up.rules.0.task", "Call!", "follow_up.rules[new_web_lead].task", "lower case letters"),
    ("follow_up.rules.0.remind", True, "follow_up.rules[new_web_lead].remind", "unknown key"),
    ("follow_up.trigger_tasks.default", DROP, "follow_up.trigger_tasks.default", "required"),
    (
        "follow_up.trigger_tasks.send_flowers",
        {"due_after_hours": 1, "done_by": ["call"]},
        "follow_up.trigger_tasks.send_flowers",
        "no trigger in config/scoring.yml",
    ),
    (
        "follow_up.trigger_tasks.call.done_by",
        ["fax"],
        "follow_up.trigger_tasks.call.done_by",
        "unknown activity types",
    ),
    ("nurture.enroll_statuses", ["Dormant"], "nurture.enroll_statuses", "unknown statuses"),
    ("nurture.tracks.3.industries", ["retail"], "nurture.tracks", "end with a track without conditions"),
    ("nurture.tracks.0.company_size_at_least", DROP, "nurture.tracks[enterprise]", "only the last track"),
    ("nurture.tracks.1.id", "enterprise", "nurture.tracks[enterprise].id", "used twice"),
    ("nurture.tracks.1.score_above", 100, "nurture.tracks[high_value].score_above", "less than 100"),
    ("nurture.tracks.0.steps.1.day", 0, "nurture.tracks[enterprise].steps", "each on a later day"),
    ("nurture.tracks.0.steps", [], "nurture.tracks[enterprise].steps", "one or more steps"),
    (
        "nurture.tracks.0.steps.0.action",
        "E-mail",
        "nurture.tracks[enterprise].steps[day 0].action",
        "lower case",
    ),
    (
        "nurture.tracks.2.industries",
        [],
        "nurture.tracks[industry_focused].industries",
        "one or more industries",
    ),
    (
        "work_queue.min_closed_leads_per_grade",
        0,
        "work_queue.min_closed_leads_per_grade",
        "greater than or equal to 1",
    ),
    (
        "work_queue.preferred_channel.channels.fax",
        ["call"],
        "work_queue.preferred_channel.channels",
        "unknown channels",
    ),
    (
        "work_queue.preferred_channel.channels.sms",
        ["text"],
        "work_queue.preferred_channel.channels.sms",
        "unknown activity types",
    ),
    ("daily_summary.new_lead_hours", 0, "daily_summary.new_lead_hours", "greater than 0"),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "fix"), INVALID, ids=[f"{p}={v!r}"[:60] for p, v, *_ in INVALID]
)
def test_invalid_settings_are_refused_with_the_file_the_key_and_the_fix(path, value, key, fix):
    data = changed(path, value)
    if not key:
        parse_sales_config(data, scoring=SCORING)
        return
    with pytest.raises(SalesConfigError) as error:
        parse_sales_config(data, scoring=SCORING)
    message = str(error.value)
    assert message.startswith(f"{CONFIG_PATH}: invalid sales config\n"), message
    assert f"  {key}: " in message, message
    assert fix in message, message


def test_every_problem_is_listed_at_once():
    data = changed("routing.capacity_passes", 0)
    data["follow_up"]["stale_after_days"] = 0
    message = str(pytest.raises(SalesConfigError, parse_sales_config, data, scoring=SCORING).value)
    assert "  routing.capacity_passes: " in message and "  follow_up.stale_after_days: " in message


def test_a_disabled_rule_or_step_does_not_reach_dbt():
    data = changed("follow_up.rules.0.enabled", False)
    data["routing"]["steps"][2]["enabled"] = False
    var = parse_sales_config(data, scoring=SCORING).dbt_var()
    assert "new_web_lead" not in [rule["id"] for rule in var["follow_up"]["rules"]]
    assert [s["step"] for s in var["routing"]["steps"]] == ["territory", "specialization"]


def test_steps_run_in_priority_order_not_file_order():
    data = changed("routing.steps.0.priority", 9)
    var = parse_sales_config(data, scoring=SCORING).dbt_var()
    assert [s["step"] for s in var["routing"]["steps"]] == ["specialization", "budget_range", "territory"]


def test_unreadable_files_name_the_file(tmp_path):
    missing = tmp_path / "sales.yml"
    with pytest.raises(SalesConfigError, match=f"{re.escape(str(missing))}: sales config not found"):
        load_sales_config(missing, scoring=SCORING)
    missing.write_text("version: [1\n")
    with pytest.raises(SalesConfigError, match="not valid YAML"):
        load_sales_config(missing, scoring=SCORING)
    missing.write_text("- version\n")
    with pytest.raises(SalesConfigError, match="expected a mapping of keys"):
        load_sales_config(missing, scoring=SCORING)
