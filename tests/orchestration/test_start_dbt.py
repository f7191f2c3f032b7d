"""start_dbt gives dbt's process the invocation's environment and leaves this process's as it was
(the asset used to os.environ.update it, for every later step to inherit)."""

from __future__ import annotations

import os

from leadhouse.dbt_invocation import DbtInvocation
from orchestration.lib.dbt import start_dbt


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
