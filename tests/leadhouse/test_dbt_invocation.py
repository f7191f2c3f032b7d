"""The dbt invocation: its arguments carry every config file's var section, its environment the
warehouse's absolute path and no telemetry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from analytics.config import load_analytics_config
from entity_resolution.config import load_er_config
from leadhouse.dbt_invocation import (
    dbt_env,
    dbt_invocation,
    pipeline_build_invocation,
    project_var_sections,
    vars_args,
)
from leadhouse.settings import Settings, parse_as_of
from ml.config import load_model_config
from sales.config import load_sales_config
from scoring.config import load_scoring_config

AS_OF = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def settings(data_dir: Path, as_of: datetime | None = AS_OF) -> Settings:
    return Settings(
        data_dir=data_dir, sources_dir=data_dir / "sources", model_dir=data_dir / "models", as_of=as_of
    )


def test_the_command_comes_first_then_the_vars_then_the_extra_flags(tmp_path):
    sections = {"entity_resolution": {"version": 3}, "scoring": {"rules": [{"name": "hot", "points": 10}]}}
    invocation = dbt_invocation("build", settings(tmp_path), sections, "--select", "marts")
    command, flag, payload, *extra = invocation.args
    assert (command, flag, extra) == ("build", "--vars", ["--select", "marts"])
    # dbt reads --vars as YAML; JSON is YAML, and what it reads is exactly the sections.
    assert yaml.safe_load(payload) == json.loads(payload) == sections
    # "now" goes in the environment (a changed var would make dbt re-parse the whole project).
    assert invocation.env["LEADHOUSE_AS_OF"] == "2026-11-01 09:30:00"


def test_the_pipeline_builds_models_and_data_tests_but_leaves_unit_tests_to_the_suite(tmp_path):
    sections = {"scoring": {"version": 1}}
    invocation = pipeline_build_invocation(settings(tmp_path), sections)
    assert invocation.args == [
        "build",
        "--vars",
        json.dumps(sections),
        "--exclude-resource-type",
        "unit_test",
    ]
    assert invocation.env == dbt_invocation("build", settings(tmp_path), sections).env


def test_a_run_without_a_pinned_as_of_gets_this_moment_and_a_parse_gets_none(tmp_path):
    before = datetime.now(UTC).replace(microsecond=0)
    env = dbt_invocation("build", settings(tmp_path, as_of=None), {}).env
    as_of = datetime.fromisoformat(env["LEADHOUSE_AS_OF"]).replace(tzinfo=UTC)
    assert before <= as_of <= datetime.now(UTC)
    assert "LEADHOUSE_AS_OF" not in dbt_invocation("parse", settings(tmp_path, as_of=None), {}).env
    # A pinned one reaches a parse too, normalized (the user's spelling may have a Z or an offset).
    assert dbt_invocation("parse", settings(tmp_path), {}).env["LEADHOUSE_AS_OF"] == "2026-11-01 09:30:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30:00Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("2026-11-01T10:30:00.123+01:00", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_as_of_is_an_iso_date_or_timestamp_in_utc(text, expected):
    assert parse_as_of(text) == expected


def test_a_wrong_as_of_names_the_variable():
    with pytest.raises(ValueError, match="LEADHOUSE_AS_OF: 'yesterday' is not an ISO date"):
        Settings.from_env({"LEADHOUSE_AS_OF": "yesterday"})


def test_no_sections_no_vars_flag(tmp_path):
    assert dbt_invocation("parse", settings(tmp_path), {}).args == ["parse"]
    assert vars_args({}) == []


def test_the_environment_has_an_absolute_data_dir_and_no_telemetry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = dbt_invocation("parse", settings(Path("data"), as_of=None), {}).env
    assert env == {
        "LEADHOUSE_DATA_DIR": str(tmp_path / "data"),  # dbt runs inside dbt_project/
        "LEADHOUSE_ENGINE": "duckdb",  # profiles.yml's target
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    assert dbt_env(settings(tmp_path)) == env | {"LEADHOUSE_DATA_DIR": str(tmp_path)}


def test_the_project_sections_are_the_validated_config_files():
    assert project_var_sections() == {
        "entity_resolution": load_er_config().dbt_var(),
        "scoring": load_scoring_config().dbt_var(),
        "sales": load_sales_config().dbt_var(),
        "analytics": load_analytics_config().dbt_var(),
        "conversion_model": load_model_config().dbt_var(),
    }


def test_the_engine_picks_the_profile_target(tmp_path):
    from leadhouse.settings import Settings

    spark = Settings.from_env({"LEADHOUSE_DATA_DIR": str(tmp_path), "LEADHOUSE_ENGINE": "spark"})
    assert dbt_env(spark)["LEADHOUSE_ENGINE"] == "spark"
