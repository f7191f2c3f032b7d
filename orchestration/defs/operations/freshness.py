"""Freshness checks on the marts people read (config/schedules.yml ``freshness``): an asset whose
last materialization is older than its ``max_age_hours`` fails its check, evaluated by the sensor
``freshness_checks_sensor`` (and shown on the asset in the UI)."""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.lib.automation_config import AutomationConfig, AutomationConfigError, sensor_status


def build_freshness_defs(automation: AutomationConfig, known: set[dg.AssetKey]) -> dg.Definitions:
    """Dagster 1.12 marks these checks superseded by the new FreshnessPolicy, which is still a
    preview (off unless dagster.yaml enables it, evaluated by the daemon, not an asset check a run
    or a test can evaluate): the checks stay until it is stable, without the warning at every load."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=dg.SupersessionWarning)
        return _build(automation, known)


def _build(automation: AutomationConfig, known: set[dg.AssetKey]) -> dg.Definitions:
    checks = []
    for rule in automation.freshness:
        keys = [dg.AssetKey.from_user_string(text) for text in rule.assets]
        unknown = [key.to_user_string() for key in keys if key not in known]
        if unknown:
            raise AutomationConfigError(
                f"config/schedules.yml: freshness[{rule.name}].assets: no asset {', '.join(unknown)}; "
                "use keys as the UI shows them (marts/lead_scores)"
            )
        checks += dg.build_last_update_freshness_checks(
            assets=keys,
            lower_bound_delta=timedelta(hours=rule.max_age_hours),
            severity=dg.AssetCheckSeverity[rule.severity],
        )
    settings = automation.sensor("freshness_checks")
    sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=checks,
        name="freshness_checks_sensor",
        minimum_interval_seconds=settings.minimum_interval_seconds,
        default_status=sensor_status(settings.enabled),
    )
    return dg.Definitions(asset_checks=checks, sensors=[sensor])
