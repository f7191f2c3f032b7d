"""MetricFlow's `mf` command with its version check off: ``python -m leadhouse.mf query ...``.

The `mf` of dbt-metricflow asks PyPI for a newer release on every command (``update_checker``);
Leadhouse keeps version checks and telemetry off (as DBT_VERSION_CHECK=false does for dbt), so this
runs the same command line with that check replaced by "no update". Everything else is `mf` as
shipped (docs/metrics.md).
"""

from __future__ import annotations


def main() -> None:
    import update_checker

    update_checker.UpdateChecker.check = lambda self, package_name, package_version: None

    from dbt_metricflow.cli.main import cli

    cli()


if __name__ == "__main__":
    main()
