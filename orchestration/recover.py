"""``python -m orchestration.recover``: repair what killed runs left behind, before a new run starts.

`make materialize` and `make dev` run it first (docs/operations.md). It fails the runs of the
Dagster instance (DAGSTER_HOME) whose process is gone and frees their pool slots
(orchestration.lib.recovery), and, when no run is in progress, removes what a killed publish left
(a half-written copy, Parquet files not yet renamed into place). dbt drops its own leftover
relations when it starts (dbt_project/macros/maintenance/).
"""

from __future__ import annotations

import dagster as dg

from leadhouse.publish import discard_unfinished_copy
from leadhouse.settings import Settings
from orchestration.lib.recovery import recover_abandoned_runs


def recover(instance: dg.DagsterInstance, settings: Settings) -> list[str]:
    """Repairs; returns one line per thing repaired or left alone."""
    recovery = recover_abandoned_runs(instance)
    lines = recovery.report()
    if not recovery.running:  # a running publish writes that file
        for path in discard_unfinished_copy(settings.published_path):
            lines.append(f"recovery: removed {path}, left by a publish that was killed")
    return lines


def main() -> None:
    with dg.DagsterInstance.get() as instance:
        for line in recover(instance, Settings.from_env()):
            print(line, flush=True)


if __name__ == "__main__":
    main()
