"""start_dbt gives dbt's process the invocation's environment and leaves this process's as it was
(the asset used to os.environ.update it, for every later step to inherit)."""

from __future__ import annotations

import os
import re
import subprocess

import dagster_dbt.core.resource
from dagster_dbt import DbtCliResource

from leadhouse.dbt_invocation import DbtInvocation
from leadhouse.settings import DBT_PROJECT_DIR
from orchestration.lib.dbt import DBT_EXECUTABLE, LeadhouseDbtCliResource, start_dbt


class RecordingDbt:
    """Stands in for DbtCliResource: dagster-dbt's cli() copies os.environ into dbt's process."""

    def cli(self, args, *, context):
        self.args, self.context, self.environment = list(args), context, dict(os.environ)
        return "started"


def test_dbt_gets_the_environment_and_this_process_keeps_its_own(monkeypatch):
    monkeypatch.setenv("LEADHOUSE_DATA_DIR", "/where/the/user/pointed")
    monkeypatch.delenv("DBT_VERSION_CHECK", raising=False)
    before = dict(os.environ)
    dbt, context = RecordingDbt(), object()
    invocation = DbtInvocation(
        args=["build", "--vars", "{}"],
        env={"LEADHOUSE_DATA_DIR": "/tmp/warehouse", "DBT_VERSION_CHECK": "false"},
    )

    assert start_dbt(dbt, invocation, context) == "started"

    assert dbt.args == ["build", "--vars", "{}"] and dbt.context is context
    assert dbt.environment == before | invocation.env
    assert dict(os.environ) == before


def test_the_resource_knows_dbts_version_without_starting_dbt(monkeypatch):
    """dagster-dbt asks ``dbt --version`` (a whole dbt start) before a run's first dbt command; the
    project's resource answers from the installed package, the same version the executable prints."""
    # the hook overridden is still dagster-dbt's (a rename in an upgrade fails here, not in runs)
    assert "_cli_version" in vars(DbtCliResource)
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    expected = re.search(r"(\d+\.\d+\.\d+)", printed).group(1)
    started = []
    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", lambda *a, **k: started.append(a) or b"")
    resource = LeadhouseDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE)
    assert str(resource._cli_version) == expected and resource._cli_version.major < 2
    assert started == []  # no dbt process
