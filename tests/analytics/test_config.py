"""config/analytics.yml: the shipped file is valid, dbt's copy of it is the same, and every value that
would reach the SQL wrong is refused with the file, the key and the fix."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from analytics.config import (
    CONFIG_PATH,
    DBT_PROJECT_YML,
    AnalyticsConfigError,
    load_analytics_config,
    parse_analytics_config,
    write_dbt_default,
)
from ingest.schemas import LEAD_STATUSES
from leadhouse.dbt_invocation import project_var_sections
from scoring.config import load_scoring_config
from tests import config_edits
from tests.config_edits import DROP

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())
SCORING = load_scoring_config()


def test_the_shipped_config_is_valid_and_normalized_for_dbt():
    var = load_analytics_config().dbt_var()
    assert [status for status, _ in var["stage_probabilities"]] == list(LEAD_STATUSES)
    assert dict(var["stage_probabilities"])["Proposal"] == 0.6
    assert dict(var["stage_probabilities"])["Closed Lost"] == 0.0
    assert var["funnel_steps"] == ["New", "Contacted", "Qualified", "Proposal", "Negotiation", "Closed Won"]
    assert var["qualified_stages"] == ["Qualified", "Proposal", "Negotiation", "Closed Won"]
    assert var["cohort_weeks"] == 26
    assert var["forecast_horizons_days"] == [30, 60, 90]
    assert var["attribution"]["position_based"] == [0.4, 0.2, 0.4]  # not 0.19999999999999996
    assert dict(var["attribution"]["activity_channels"])["form_submission"] == "web_form"
    assert var["ab_tests"]["z"] == 1.959964
    assert [t["id"] for t in var["ab_tests"]["tests"]] == ["prospecting_script", "website_phone_greeting"]
    assert var["ab_tests"]["tests"][0]["variants"] == [
        "Outbound - Prospecting List (script A)",
        "Outbound - Prospecting List (script B)",
    ]


def test_the_qualified_stages_follow_scorings_stage_order():
    data = changed("funnel.qualified_from", "Nurturing")
    var = parse_analytics_config(data, scoring=SCORING).dbt_var()
    assert var["qualified_stages"] == ["Nurturing", "Qualified", "Proposal", "Negotiation", "Closed Won"]


def test_position_based_credit_and_z_are_derived():
    data = changed("attribution.position_based", {"first": 0.3, "last": 0.5})
    data["ab_tests"]["confidence"] = 0.9
    var = parse_analytics_config(data, scoring=SCORING).dbt_var()
    assert var["attribution"]["position_based"] == [0.3, 0.2, 0.5]
    assert var["ab_tests"]["z"] == 1.644854


def test_the_orchestration_passes_the_config_to_dbt():
    assert project_var_sections()["analytics"] == load_analytics_config().dbt_var()


def test_dbt_run_by_hand_reads_the_same_settings():
    """The copy dbt_project.yml holds for `dbt build` without --vars is the config file's."""
    by_hand = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["analytics"]
    assert by_hand == load_analytics_config().dbt_var(), (
        "dbt_project/dbt_project.yml's vars.analytics differs from config/analytics.yml; "
        "run .venv/bin/python -m analytics.config"
    )


def test_write_dbt_default_rewrites_a_stale_copy_and_nothing_else(tmp_path):
    project = tmp_path / "dbt_project.yml"
    shutil.copy(DBT_PROJECT_YML, project)
    original = project.read_text()
    stale = parse_analytics_config(changed("cohorts.weeks", 13), scoring=SCORING)
    assert write_dbt_default(stale, project)
    assert yaml.safe_load(project.read_text())["vars"]["analytics"]["cohort_weeks"] == 13
    assert write_dbt_default(load_analytics_config(), project)
    assert project.read_text() == original
    assert not write_dbt_default(load_analytics_config(), project)  # up to date: untouched


def test_write_dbt_default_refuses_a_project_without_the_markers(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: leadhouse\nvars: {}\n")
    with pytest.raises(AnalyticsConfigError, match="vars.analytics: expected a block"):
        write_dbt_default(load_analytics_config(), project)


def changed(path: str, value) -> dict:
    return config_edits.changed(SHIPPED, path, value)


# (what is changed, the value, the key the error names, words of the fix)
INVALID = [
    ("version", 2, "version", "this Leadhouse reads version 1"),
    ("verison", 1, "verison", "unknown key"),
    ("stage_probabilities.Recycled", DROP, "stage_probabilities", "missing statuses ['Recycled']"),
    ("stage_probabilities.Proposal", 1.5, "stage_probabilities.Proposal", "less than or equal to 1"),
    ("stage_probabilities.New", -0.1, "stage_probabilities.New", "greater than or equal to 0"),
    ("stage_probabilities.Won", 1, "stage_probabilities", "unknown statuses ['Won']"),
    (
        "funnel.steps",
        ["New", "Qualified", "Contacted"],
        "funnel.steps",
        "in the stage order, New, Contacted, Qualified",
    ),
    ("funnel.steps", ["New", "Recycled"], "funnel.steps", "['Recycled'] are not stages"),
    ("funnel.steps", ["New"], "funnel.steps", "two or more"),
    ("funnel.steps", ["New", "Contacted", "Contacted"], "funnel.steps", "['Contacted'] more than once"),
    ("funnel.steps", ["New", "Nurturing", "Qualified"], "", ""),  # any stages, in order: valid
    ("funnel.qualified_from", "Closed Lost", "funnel.qualified_from", "config/scoring.yml"),
    ("segments", ["channel", "country"], "segments[1]", "'campaign'"),
    ("segments", ["channel", "channel"], "segments", "listed once"),
    ("segments", [], "segments", "name one or more"),
    ("period_grains", ["quarter"], "period_grains[0]", "'day', 'week' or 'month'"),
    ("cohorts.weeks", 0, "cohorts.weeks", "greater than or equal to 1"),
    ("cohorts.weeks", 105, "cohorts.weeks", "less than or equal to 104"),
    ("cohorts", DROP, "", ""),  # has a default: valid
    ("forecast.horizons_days", [60, 30], "forecast.horizons_days", "shortest first"),
    ("forecast.horizons_days", [30, 30], "forecast.horizons_days", "each longer"),
    ("forecast.horizons_days", [0, 30], "forecast.horizons_days[0]", "greater than or equal to 1"),
    ("attribution.lookback_days", 0, "attribution.lookback_days", "greater than or equal to 1"),
    (
        "attribution.position_based",
        {"first": 0.6, "last": 0.5},
        "attribution.position_based",
        "first + last is at most 1",
    ),
    ("attribution.position_based.first", -0.1, "attribution.position_based.first", "greater than or equal"),
    ("attribution.position_based.middle", 0.2, "attribution.position_based.middle", "unknown key"),
    ("attribution.activity_channels.fax", "phone", "attribution.activity_channels", "unknown activity types"),
    (
        "attribution.activity_channels.chat",
        "Live Chat",
        "attribution.activity_channels.chat",
        "lower case letters",
    ),
    ("ab_tests.confidence", 1, "ab_tests.confidence", "less than 1"),
    ("ab_tests.tests.1.id", "prospecting_script", "ab_tests.tests[prospecting_script].id", "used twice"),
    ("ab_tests.tests.0.id", "Script Test", "ab_tests.tests[Script Test].id", "lower case letters"),
    ("ab_tests.tests.0.name", "A\\B", "ab_tests.tests[prospecting_script].name", "without backslashes"),
    (
        "ab_tests.tests.0.variants",
        ["Outbound - Prospecting List (script A)"],
        "ab_tests.tests[prospecting_script].variants",
        "two or more campaigns",
    ),
    (
        "ab_tests.tests.0.variants",
        ["A", "B", "A"],
        "ab_tests.tests[prospecting_script].variants",
        "['A'] more than once",
    ),
    (
        "ab_tests.tests.0.variants",
        ["A\\1", "B"],
        "ab_tests.tests[prospecting_script].variants",
        "a campaign is 1-200 printable characters",
    ),
    ("ab_tests.tests", [], "", ""),  # no test: valid
    (
        "contact_attempts.activity_types",
        ["call", "fax"],
        "contact_attempts.activity_types",
        "unknown activity types ['fax']",
    ),
    ("contact_attempts.activity_types", [], "contact_attempts.activity_types", "name the activity types"),
    (
        "contact_attempts.max_attempt_number",
        0,
        "contact_attempts.max_attempt_number",
        "greater than or equal to 1",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "fix"), INVALID, ids=[f"{p}={v!r}"[:60] for p, v, *_ in INVALID]
)
def test_invalid_settings_are_refused_with_the_file_the_key_and_the_fix(path, value, key, fix):
    data = changed(path, value)
    if not key:
        parse_analytics_config(data, scoring=SCORING)
        return
    with pytest.raises(AnalyticsConfigError) as error:
        parse_analytics_config(data, scoring=SCORING)
    message = str(error.value)
    assert message.startswith(f"{CONFIG_PATH}: invalid analytics config\n"), message
    assert f"  {key}: " in message, message
    assert fix in message, message


def test_every_problem_is_listed_at_once():
    data = changed("stage_probabilities.Recycled", DROP)
    data["ab_tests"]["tests"][1]["id"] = "prospecting_script"
    message = str(pytest.raises(AnalyticsConfigError, parse_analytics_config, data, scoring=SCORING).value)
    assert "  stage_probabilities: " in message and "  ab_tests.tests[prospecting_script].id: " in message


def test_unreadable_files_name_the_file(tmp_path):
    missing = tmp_path / "analytics.yml"
    with pytest.raises(AnalyticsConfigError, match=f"{re.escape(str(missing))}: analytics config not found"):
        load_analytics_config(missing, scoring=SCORING)
    missing.write_text("version: [1\n")
    with pytest.raises(AnalyticsConfigError, match="not valid YAML"):
        load_analytics_config(missing, scoring=SCORING)
    missing.write_text("- version\n")
    with pytest.raises(AnalyticsConfigError, match="expected a mapping of keys"):
        load_analytics_config(missing, scoring=SCORING)
