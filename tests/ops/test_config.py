"""config/retention.yml: the shipped rules are the ones documented, and every value that would reach
the cleanup's SQL wrong is refused with the file, the key and the fix."""

from __future__ import annotations

import pytest
import yaml

from ops.config import (
    CLEANABLE_TABLES,
    CONFIG_PATH,
    RetentionConfigError,
    load_retention_config,
    mart_models,
    parse_retention_config,
    table_columns,
)
from tests import config_edits
from tests.config_edits import DROP

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())
# YAML 1.1 reads the unquoted key `on:` as true; the edits below name it "on".
for _rule in SHIPPED["rules"]:
    for _reference in _rule.get("unless_referenced_by", []):
        _reference["on"] = _reference.pop(True)


def changed(path: str, value) -> dict:
    return config_edits.changed(SHIPPED, path, value)


def test_the_shipped_rules():
    rules = {rule.name: rule for rule in load_retention_config().rules}
    assert {name: (r.table, r.age_column, r.older_than_days) for name, r in rules.items()} == {
        "old_activities": ("raw.activities", "occurred_at", 730),
        "old_status_changes": ("raw.status_changes", "changed_at", 730),
        "old_quarantine": ("raw.quarantine", "quarantined_at", 365),
        "old_export_log": ("exports.sync_log", "logged_at", 180),
        "old_run_failures": ("ops.run_failures", "failed_at", 365),
    }
    activities = rules["old_activities"].unless_referenced_by
    # `on:` unquoted is the boolean true to YAML 1.1; the loader reads it as the key it means.
    assert [(r.relation, r.on) for r in activities] == [
        ("marts.fct_lead_activities", {"source": "source", "source_record_id": "source_record_id"})
    ]
    assert rules["old_status_changes"].unless_referenced_by[0].relation == "marts.fct_lead_status_changes"
    assert rules["old_activities"].keep_if_loaded_within_days == 30
    assert all(rule.enabled for rule in rules.values())


def test_every_cleanable_table_is_one_the_project_creates():
    assert sorted(CLEANABLE_TABLES) == [
        "exports.sync_log",
        "ops.run_failures",
        "raw.activities",
        "raw.field_issues",
        "raw.quarantine",
        "raw.status_changes",
    ]
    columns = table_columns()
    for table in CLEANABLE_TABLES.values():
        assert table.loaded_column in columns[table.name], table.name
    assert {"fct_lead_activities", "fct_lead_status_changes", "dim_leads"} <= mart_models()


def test_a_missing_file_names_itself(tmp_path):
    with pytest.raises(RetentionConfigError, match="retention.yml: retention config not found"):
        load_retention_config(tmp_path / "retention.yml")


# (what is changed, the value, the key the error names, words of the fix)
INVALID = [
    ("version", 2, "version", "this Leadhouse reads version 1"),
    ("rules.0.tabel", "raw.activities", "rules[old_activities].tabel", "unknown key"),
    ("rules.0.table", "raw.lead_records", "rules[old_activities].table", "'raw.activities'"),
    ("rules.0.name", "Old Activities", "rules[Old Activities].name", "lower case letters"),
    ("rules.1.name", "old_activities", "rules[old_activities].name", "used twice"),
    ("rules.0.age_column", "occured_at", "rules[old_activities].age_column", "'occurred_at'"),
    ("rules.0.age_column", "detail", "rules[old_activities].age_column", "no timestamp column 'detail'"),
    ("rules.0.older_than_days", 0, "rules[old_activities].older_than_days", "greater than or equal to 1"),
    ("rules.0.older_than_days", "two years", "rules[old_activities].older_than_days", "valid integer"),
    ("rules.0.older_than_days", DROP, "rules[old_activities].older_than_days", "required key is missing"),
    (
        "rules.0.keep_if_loaded_within_days",
        -1,
        "rules[old_activities].keep_if_loaded_within_days",
        "greater than or equal to 0",
    ),
    (
        "rules.0.unless_referenced_by.0.relation",
        "raw.lead_records",
        "rules[old_activities].unless_referenced_by[0].relation",
        "marts.<model>",
    ),
    (
        "rules.0.unless_referenced_by.0.relation",
        "marts.fct_lead_activity",
        "rules[old_activities].unless_referenced_by[0].relation",
        "dbt builds no mart 'fct_lead_activity'",
    ),
    (
        "rules.0.unless_referenced_by.0.on",
        {"record_id": "source_record_id"},
        "rules[old_activities].unless_referenced_by[0].on.record_id",
        "raw.activities has no column 'record_id'",
    ),
    (
        "rules.0.unless_referenced_by.0.on",
        {"source": "Source; drop table x"},
        "rules[old_activities].unless_referenced_by[0].on.source",
        "lower case letters",
    ),
    ("rules.0.unless_referenced_by.0.on", {}, "rules[old_activities].unless_referenced_by[0].on", "map one"),
    (
        "rules.0.unless_referenced_by.0",
        {"relation": "marts.fct_lead_activities", "on": {"source": "source"}, True: {"source": "source"}},
        "rules[old_activities].unless_referenced_by[0]",
        "given twice",
    ),
]


@pytest.mark.parametrize(("path", "value", "key", "fix"), INVALID)
def test_a_wrong_value_names_the_file_the_key_and_the_fix(path, value, key, fix):
    with pytest.raises(RetentionConfigError) as error:
        parse_retention_config(changed(path, value), CONFIG_PATH)
    message = str(error.value)
    assert message.startswith(f"{CONFIG_PATH}: invalid retention config")
    line = next((line for line in message.splitlines() if line.startswith(f"  {key}:")), None)
    assert line is not None, message
    assert fix in line, message


def test_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "retention.yml"
    path.write_text("- rules\n")
    with pytest.raises(RetentionConfigError, match="expected a mapping of keys"):
        load_retention_config(path)
