"""The dbt invocation: its arguments carry every config file's var section, its environment the
warehouse's absolute path and no telemetry."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from entity_resolution.config import load_er_config
from leadhouse.dbt_invocation import dbt_env, dbt_invocation, project_var_sections, vars_args
from leadhouse.settings import Settings


def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, sources_dir=data_dir / "sources", model_dir=data_dir / "models")


def test_the_command_comes_first_then_the_vars_then_the_extra_flags(tmp_path):
    sections = {"entity_resolution": {"version": 3}, "scoring": {"rules": [{"name": "hot", "points": 10}]}}
    invocation = dbt_invocation("build", settings(tmp_path), sections, "--select", "marts")
    command, flag, payload, *extra = invocation.args
    assert (command, flag, extra) == ("build", "--vars", ["--select", "marts"])
    # dbt reads --vars as YAML; JSON is YAML, and what it reads is exactly the sections.
    assert yaml.safe_load(payload) == json.loads(payload) == sections


def test_no_sections_no_vars_flag(tmp_path):
    assert dbt_invocation("parse", settings(tmp_path), {}).args == ["parse"]
    assert vars_args({}) == []


def test_the_environment_has_an_absolute_data_dir_and_no_telemetry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = dbt_invocation("build", settings(Path("data")), {}).env
    assert env == {
        "LEADHOUSE_DATA_DIR": str(tmp_path / "data"),  # dbt runs inside dbt_project/
        "LEADHOUSE_ENGINE": "duckdb",  # profiles.yml's target
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    assert dbt_env(settings(tmp_path)) == env | {"LEADHOUSE_DATA_DIR": str(tmp_path)}


def test_the_project_sections_are_the_validated_config_files():
    assert project_var_sections() == {"entity_resolution": load_er_config().dbt_var()}


def test_the_engine_picks_the_profile_target(tmp_path):
    from leadhouse.settings import Settings

    spark = Settings.from_env({"LEADHOUSE_DATA_DIR": str(tmp_path), "LEADHOUSE_ENGINE": "spark"})
    assert dbt_env(spark)["LEADHOUSE_ENGINE"] == "spark"
