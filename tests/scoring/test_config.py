"""config/scoring.yml: the shipped file is valid, dbt's copy of it is the same, the defaults are
the seeds' point tables, and every value that would reach the SQL wrong is refused with the
file, the rule and the fix."""

from __future__ import annotations

import copy
import re
import shutil

import pytest
import yaml

from ingest.schemas import ACTIVITY_TYPES
from scoring.config import (
    CATEGORIES,
    CONFIG_PATH,
    DBT_PROJECT_YML,
    LEAD_FIELDS,
    OPERATORS,
    ScoringConfigError,
    load_scoring_config,
    parse_scoring_config,
    write_dbt_default,
)

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())


def with_change(path: str, value, data=None):
    """A copy of the shipped settings with one key set; list items by id: rules[title_vp].points."""
    data = copy.deepcopy(SHIPPED if data is None else data)
    node = data
    parts = re.findall(r"[^.\[\]]+|\[[^\]]+\]", path)
    for part, following in zip(parts, parts[1:] + [None], strict=True):
        key = part
        if part.startswith("["):
            key = next(i for i, item in enumerate(node) if item.get("id") == part[1:-1])
        if following is None:
            node[key] = value
        else:
            node = node[key]
    return data


def error_of(data) -> str:
    with pytest.raises(ScoringConfigError) as caught:
        parse_scoring_config(data, CONFIG_PATH)
    return str(caught.value)


def test_the_shipped_config_is_valid_and_has_the_seeds_categories_and_points():
    config = load_scoring_config()
    assert config.categories == {
        "demographic": 20,
        "behavioral": 25,
        "engagement": 25,
        "firmographic": 20,
        "intent": 10,
    }
    points = {rule.id: rule.points for rule in config.rules} | {r.id: r.points for r in config.activity_rules}
    assert {k: points[k] for k in ("title_c_level", "title_vp", "title_director", "edu_gov_email")} == {
        "title_c_level": 20,
        "title_vp": 15,
        "title_director": 10,
        "edu_gov_email": 5,
    }
    assert {k: points[k] for k in ("email_opens", "email_clicks", "page_views", "form_submissions")} == {
        "email_opens": 2,
        "email_clicks": 5,
        "page_views": 1,
        "form_submissions": 10,
    }
    assert points["demo_requests"] == 20 and points["recent_activity"] == 5
    assert [t.id for t in config.triggers] == [
        "property_views_24h",
        "email_open_streak",
        "daily_site_visits",
        "repeated_search",
    ]


def test_dbt_run_by_hand_reads_the_same_settings():
    by_hand = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["scoring"]
    assert by_hand == load_scoring_config().dbt_var(), (
        "dbt_project/dbt_project.yml's vars.scoring differs from config/scoring.yml; "
        "run .venv/bin/python -m scoring.config"
    )


def test_write_dbt_default_rewrites_a_stale_copy_and_nothing_else(tmp_path):
    project = tmp_path / "dbt_project.yml"
    shutil.copy(DBT_PROJECT_YML, project)
    original = project.read_text()
    stale = parse_scoring_config(with_change("auto_qualify_at", 70))
    assert write_dbt_default(stale, project)
    assert yaml.safe_load(project.read_text())["vars"]["scoring"]["auto_qualify_at"] == 70
    assert write_dbt_default(load_scoring_config(), project)
    assert project.read_text() == original


def test_what_dbt_gets_is_normalized():
    var = load_scoring_config().dbt_var()
    rules = {rule["id"]: rule for rule in var["rules"]}
    assert rules["title_c_level"]["value"] == "c-level"  # text compares case-insensitively
    assert rules["edu_gov_email"]["value"] == [".edu", ".gov"]
    activity = {rule["id"]: rule for rule in var["activity_rules"]}
    assert activity["email_opens"]["window_days"] == 30 and activity["email_opens"]["half_life_days"] == 15
    assert activity["recent_activity"]["half_life_days"] is None  # null in the file: no decay
    anything = parse_scoring_config(with_change("activity_rules[page_views].activity_types", "any")).dbt_var()
    (page_views,) = [rule for rule in anything["activity_rules"] if rule["id"] == "page_views"]
    assert page_views["activity_types"] == list(ACTIVITY_TYPES)  # `any` spelled out
    assert var["grades"] == [["A+", 90], ["A", 80], ["B", 70], ["C", 60], ["D", 50], ["F", 0]]
    assert [name for name, _ in var["categories"]] == list(CATEGORIES)


def test_the_second_grade_scheme_is_selectable():
    var = parse_scoring_config(with_change("grades.scheme", "a_to_d")).dbt_var()
    assert var["grades"] == [["A", 80], ["B", 60], ["C", 40], ["D", 0]]


def test_a_disabled_rule_does_not_reach_dbt():
    var = parse_scoring_config(with_change("rules[title_vp].enabled", False)).dbt_var()
    assert "title_vp" not in {rule["id"] for rule in var["rules"]}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("rules[title_vp].field", "salary", "rules[title_vp].field: unknown field 'salary'"),
        ("rules[title_vp].operator", "like", "rules[title_vp].operator: unknown operator 'like'"),
        ("rules[title_vp].category", "social", "rules[title_vp].category: unknown category 'social'"),
        (
            "rules[title_vp].value",
            "it's \\ bad",
            "rules[title_vp].value: equals on seniority takes one text value",
        ),
        ("rules[company_size_50_199].value", [199, 50], "between: low 199 is above high 50"),
        ("rules[company_size_50_199].value", "big", "between takes [low, high]"),
        ("rules[target_industry].value", [], "in takes a list"),
        (
            "rules[title_vp].operator",
            "greater_than",
            "greater_than does not apply to seniority (a text field)",
        ),
        ("rules[edu_gov_email].value", ["not a domain!"], "matches_domain takes a domain"),
        ("rules[edu_gov_email].field", "company", "matches_domain reads a domain"),
        ("rules[title_vp].id", "title_c_level", "id 'title_c_level' is used twice"),
        ("rules[title_vp].id", "Title VP", "an id is lower case letters"),
        ("rules[title_vp].points", 500, "rules[title_vp].points: Input should be less than or equal to 100"),
        ("activity_rules[email_opens].activity_types", ["tweet"], "unknown activity types ['tweet']"),
        ("activity_rules[email_opens].cap", 0, "activity_rules[email_opens].cap"),
        ("triggers[email_open_streak].category", None, "a trigger that gives points names its category"),
        ("triggers[repeated_search].points", 5, "a trigger does one thing"),
        ("triggers[daily_site_visits].days", None, "a daily_streak trigger needs days"),
        (
            "triggers[repeated_search].within_hours",
            721,
            "triggers[repeated_search].within_hours: 721 hours reach past the trigger's lookback of 30 days",
        ),
        ("grades.scheme", "stars", "unknown scheme 'stars'"),
        ("grades.schemes.a_to_d", {"A": 40, "B": 60, "C": 0}, "list the bands best first"),
        ("temperature", {"hot": 70, "warm": 40}, "the last band start at 0"),
        ("bant.mode", "strict", "bant.mode: Input should be 'points' or 'all_four'"),
        (
            "bant.criteria",
            {"budget": {"field": "budget_confirmed", "operator": "is_present"}},
            "name exactly the four",
        ),
        ("status_workflow.stage_order", ["New", "Won"], "unknown statuses ['Won']"),
        ("categories", {"demographic": 20}, "missing: behavioral"),
        ("surprise", 1, "surprise: unknown key; remove it"),
    ],
)
def test_a_wrong_value_names_the_file_the_rule_and_the_fix(path, value, message):
    error = error_of(with_change(path, value))
    assert str(CONFIG_PATH) in error
    assert message in error


def test_attributes_are_read_by_key_and_only_by_an_identifier():
    data = with_change("rules[title_vp].field", "attributes.Lead_Rating__c")
    data = with_change("rules[title_vp].value", "Hot", data)
    rule = next(r for r in parse_scoring_config(data).dbt_var()["rules"] if r["id"] == "title_vp")
    assert (rule["attribute"], rule["type"], rule["value"]) == ("Lead_Rating__c", "text", "hot")
    assert "unknown field 'attributes.x; drop table'" in error_of(
        with_change("rules[title_vp].field", "attributes.x; drop table")
    )


def test_every_operator_and_field_type_is_covered_by_the_validator():
    assert set(OPERATORS) == {
        "equals",
        "not_equals",
        "contains",
        "in",
        "not_in",
        "greater_than",
        "less_than",
        "between",
        "is_present",
        "matches_domain",
    }
    assert set(LEAD_FIELDS.values()) == {"text", "number", "bool"}


def test_a_missing_or_broken_file_names_itself(tmp_path):
    with pytest.raises(ScoringConfigError, match="scoring config not found"):
        load_scoring_config(tmp_path / "scoring.yml")
    (tmp_path / "scoring.yml").write_text("rules: [")
    with pytest.raises(ScoringConfigError, match="not valid YAML"):
        load_scoring_config(tmp_path / "scoring.yml")
