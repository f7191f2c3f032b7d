"""config/model.yml: the shipped file is valid, dbt's copy of its horizon is the same, and every
wrong value is refused with the file, the key and the fix."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from ml.config import (
    CONFIG_PATH,
    DBT_PROJECT_YML,
    ModelConfigError,
    load_model_config,
    parse_model_config,
    write_dbt_default,
)
from ml.features import attribute_feature_name, feature_kinds
from tests.config_edits import DROP, changed

SHIPPED = yaml.safe_load(CONFIG_PATH.read_text())


def edited(path: str, value) -> dict:
    return changed(SHIPPED, path, value)


def test_the_shipped_config_is_valid_and_dbt_has_its_horizon():
    config = load_model_config()
    assert config.training_set.cutoff_days == [3, 14, 45] and config.training_set.horizon_days == 90
    assert config.minimum_history.labelled_leads == 1000 and config.minimum_history.conversions == 120
    assert config.gate.max_ece == 0.05
    assert yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["conversion_model"] == config.dbt_var()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("split.holdout", 0.2, r"split: the four fractions add up to 1.05; make them add up to 1"),
        ("training_set.cutoff_days", [3, 3], r"training_set.cutoff_days: lists a day twice"),
        ("training_set.cutoff_days", [], r"training_set.cutoff_days: List should have at least 1 item"),
        (
            "training_set.horizon_days",
            0,
            r"training_set.horizon_days: Input should be greater than or equal to 1",
        ),
        ("calibration", "platt", r"calibration: Input should be 'auto', 'isotonic' or 'sigmoid'"),
        ("gate.max_ece", 2, r"gate.max_ece: Input should be less than or equal to 1"),
        ("grades.4.min_probability", 0.01, r"grades: the last grade needs min_probability: 0"),
        ("grades.0.min_probability", 0.1, r"grades: list the grades from the highest min_probability down"),
        ("drift.warn_psi", 0.3, r"drift: warn_psi must be below fail_psi"),
        (
            "gate.auc_margin",
            0.1,
            r"gate.auc_margin: unknown key; remove it or check its spelling \(docs/model.md\)",
        ),
        ("split", DROP, r"split: required key is missing"),
        (
            "training_set.attribute_features",
            [{"attribute": "it's", "kind": "categorical"}],
            r"training_set.attribute_features\[0\].attribute: String should match pattern",
        ),
        (
            "training_set.attribute_features",
            [
                {"attribute": "Lead Origin", "kind": "categorical"},
                {"attribute": "lead-origin", "kind": "numeric"},
            ],
            r"'Lead Origin' and 'lead-origin' are both the feature attr_lead_origin",
        ),
    ],
)
def test_a_wrong_value_names_the_file_the_key_and_the_fix(path, value, message):
    with pytest.raises(ModelConfigError) as error:
        parse_model_config(edited(path, value), CONFIG_PATH)
    assert str(error.value).startswith(f"{CONFIG_PATH}: invalid model config")
    assert re.search(message, str(error.value)), str(error.value)


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(ModelConfigError, match="model.yml: model config not found"):
        load_model_config(tmp_path / "model.yml")
    (tmp_path / "model.yml").write_text("split: [")
    with pytest.raises(ModelConfigError, match="model.yml: not valid YAML"):
        load_model_config(tmp_path / "model.yml")


def test_source_attributes_become_features():
    config = parse_model_config(
        edited(
            "training_set.attribute_features",
            [{"attribute": "Total Time Spent on Website", "kind": "numeric"}],
        )
    )
    assert feature_kinds(config)["attr_total_time_spent_on_website"] == "numeric"
    assert attribute_feature_name("Lead Origin") == "attr_lead_origin"


def test_write_dbt_default_rewrites_a_stale_copy_and_nothing_else(tmp_path):
    project = tmp_path / "dbt_project.yml"
    shutil.copy(DBT_PROJECT_YML, project)
    original = project.read_text()
    assert write_dbt_default(parse_model_config(edited("training_set.horizon_days", 30)), project)
    assert yaml.safe_load(project.read_text())["vars"]["conversion_model"] == {"horizon_days": 30}
    assert write_dbt_default(load_model_config(), project)
    assert project.read_text() == original
