"""``config/schedules.yml``: when each schedule runs, the time zone of the crons, which schedules
and sensors start enabled. Read and validated when the definitions load; a mistake names the file,
the key and the fix (like every file under config/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg
from dagster._utils.schedules import is_valid_cron_string
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leadhouse.config_files import ConfigFileError, read_yaml, validation_error_lines
from leadhouse.settings import PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "schedules.yml"
DOCS = "docs/operations.md"

SCHEDULES = (
    "hourly_ingest",
    "follow_up_queues",
    "overdue_checks",
    "stale_detection",
    "retention_cleanup",
    "daily_summary",
    "hourly_rescore",
    "weekly_retrain",
    "daily_partitions",
)
SENSORS = (
    "landing_files",
    "build_after_ingest",
    "publish_after_partitions",
    "run_failures",
    "freshness_checks",
    "automation_conditions",
)


class AutomationConfigError(ConfigFileError):
    """config/schedules.yml cannot be used."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleSettings(_Strict):
    cron: str
    enabled: bool = False
    lookback_days: int = Field(default=0, ge=0, le=366)  # daily_partitions only


class SensorSettings(_Strict):
    enabled: bool = True
    minimum_interval_seconds: int = Field(default=30, ge=5, le=86_400)


class PartitionSettings(_Strict):
    start_date: date


class FreshnessSettings(_Strict):
    name: str
    assets: list[str] = Field(min_length=1)  # asset keys as the UI shows them: marts/lead_scores
    max_age_hours: float = Field(gt=0)
    severity: Literal["WARN", "ERROR"] = "WARN"


class AutomationConfig(_Strict):
    version: int = 1
    timezone: str = "UTC"
    partitions: PartitionSettings
    schedules: dict[str, ScheduleSettings]
    freshness: list[FreshnessSettings] = []
    sensors: dict[str, SensorSettings] = {}

    def schedule(self, name: str) -> ScheduleSettings:
        return self.schedules[name]

    def sensor(self, name: str) -> SensorSettings:
        return self.sensors.get(name, SensorSettings())


def schedule_status(enabled: bool) -> dg.DefaultScheduleStatus:
    """How a schedule starts: ``enabled`` in the config, or stopped until turned on."""
    return dg.DefaultScheduleStatus.RUNNING if enabled else dg.DefaultScheduleStatus.STOPPED


def sensor_status(enabled: bool) -> dg.DefaultSensorStatus:
    """How a sensor starts: ``enabled`` in the config, or stopped until turned on."""
    return dg.DefaultSensorStatus.RUNNING if enabled else dg.DefaultSensorStatus.STOPPED


def _problems(config: AutomationConfig) -> list[tuple[str, str]]:
    problems = []
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", f"unknown time zone {config.timezone!r}; use an IANA name such as UTC"))
    for name in config.schedules:
        if name not in SCHEDULES:
            problems.append((f"schedules.{name}", f"unknown schedule; use {', '.join(SCHEDULES)}"))
    for name in SCHEDULES:
        if name not in config.schedules:
            problems.append(
                (f"schedules.{name}", "missing; restore it from the repository (enabled: false stops it)")
            )
    for name, schedule in config.schedules.items():
        if not is_valid_cron_string(schedule.cron):
            problems.append(
                (f"schedules.{name}.cron", f"{schedule.cron!r} is not a cron (minute hour day month weekday)")
            )
    for name in config.sensors:
        if name not in SENSORS:
            problems.append((f"sensors.{name}", f"unknown sensor; use {', '.join(SENSORS)}"))
    return problems


def parse_automation_config(data: Any, path: Path = CONFIG_PATH) -> AutomationConfig:
    if not isinstance(data, dict):
        raise AutomationConfigError(
            f"{path}: expected a mapping of keys (version, timezone, partitions, schedules, sensors)"
        )
    try:
        config = AutomationConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS)
    else:
        lines = [f"  {key}: {message}" for key, message in _problems(config)]
        if not lines:
            return config
    raise AutomationConfigError(f"{path}: invalid schedules config\n" + "\n".join(lines))


def load_automation_config(path: Path = CONFIG_PATH) -> AutomationConfig:
    path = Path(path)
    return parse_automation_config(read_yaml(path, "schedules config", AutomationConfigError), path)
