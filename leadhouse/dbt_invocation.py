"""How Leadhouse invokes dbt: the arguments and the environment of one dbt command, from a pure
function, so the orchestration and the benchmark run dbt the same way and a test can say exactly
what dbt gets.

dbt's settings come from validated config files, passed as ``--vars`` sections (one per file:
``entity_resolution``, ``scoring``, ``sales``, ``analytics``, ``conversion_model``; exports will be
one more line in ``project_var_sections``). The environment is passed to the dbt process, never set in ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analytics.config import load_analytics_config
from entity_resolution.config import load_er_config
from leadhouse.settings import Settings, as_of_var
from ml.config import load_model_config
from sales.config import load_sales_config
from scoring.config import load_scoring_config


@dataclass(frozen=True)
class DbtInvocation:
    args: list[str]  # after the dbt executable: the command, then its flags
    env: dict[str, str]  # set in dbt's process, on top of the caller's environment


def project_var_sections() -> dict[str, dict[str, Any]]:
    """Every var section dbt gets, each loaded and validated from its config file (a wrong value
    fails here, naming the file, the key and the fix, before dbt starts)."""
    return {
        "entity_resolution": load_er_config().dbt_var(),
        "scoring": load_scoring_config().dbt_var(),
        "sales": load_sales_config().dbt_var(),
        "analytics": load_analytics_config().dbt_var(),
        "conversion_model": load_model_config().dbt_var(),
    }


# dbt commands that run no model: they get no ``as_of``.
COMMANDS_WITHOUT_CLOCK = frozenset({"parse", "ls", "list", "debug", "clean", "deps", "docs"})


def vars_args(var_sections: Mapping[str, Any]) -> list[str]:
    """``--vars`` with the sections as JSON (which dbt reads as YAML); nothing when there are none."""
    return ["--vars", json.dumps(dict(var_sections))] if var_sections else []


def dbt_env(settings: Settings) -> dict[str, str]:
    """What dbt needs in its environment: it runs inside dbt_project/, so the data folder goes
    absolute (profiles.yml reads LEADHOUSE_DATA_DIR); no telemetry, no version check."""
    return {
        "LEADHOUSE_DATA_DIR": str(settings.data_dir.absolute()),
        "LEADHOUSE_ENGINE": settings.engine,  # profiles.yml's target
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def as_of_env(command: str, settings: Settings) -> dict[str, str]:
    """For a command that runs models, the "now" its marts take (the macro ``as_of()``): the
    settings' (``LEADHOUSE_AS_OF``), else this moment, read here, once, never inside SQL.

    In the environment, not in ``--vars``: dbt re-parses the whole project when a var changes
    (20 s of CPU here), but only the files that read an environment variable when it changes."""
    if command in COMMANDS_WITHOUT_CLOCK:  # a pinned as_of still goes, normalized for the macro
        return {"LEADHOUSE_AS_OF": as_of_var(settings.as_of)} if settings.as_of else {}
    return {"LEADHOUSE_AS_OF": as_of_var(settings.as_of or datetime.now(UTC))}


def dbt_invocation(
    command: str, settings: Settings, var_sections: Mapping[str, Mapping[str, Any]], *extra: str
) -> DbtInvocation:
    """``dbt <command> --vars {...} <extra>`` against the warehouse of ``settings``."""
    return DbtInvocation(
        args=[command, *vars_args(var_sections), *extra],
        env=dbt_env(settings) | as_of_env(command, settings),
    )


# dbt's unit tests check the SQL against rows given in YAML, not the warehouse's data: they run
# where the SQL is checked (make test: tests/dbt/test_dbt_build.py; make test-spark, on both
# engines), not in every materialization (on the sample they took 11.5 s of a 43 s build).
PIPELINE_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


def pipeline_build_invocation(
    settings: Settings, var_sections: Mapping[str, Mapping[str, Any]]
) -> DbtInvocation:
    """The pipeline's ``dbt build``: models, seeds and data tests, without the unit tests."""
    return dbt_invocation("build", settings, var_sections, *PIPELINE_BUILD_FLAGS)


def main(argv: list[str] | None = None) -> int:
    """``python -m leadhouse.dbt_invocation parse --quiet``: run a dbt command on the project the
    way the orchestration does (same vars, same environment), e.g. for `make manifest`, so the
    runs that follow reuse its parse."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from leadhouse.settings import DBT_PROJECT_DIR

    command, *extra = (sys.argv[1:] if argv is None else argv) or ["parse"]
    invocation = dbt_invocation(
        command,
        Settings.from_env(),
        project_var_sections(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        *extra,
    )
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), *invocation.args], env=os.environ | invocation.env).returncode


if __name__ == "__main__":
    raise SystemExit(main())
