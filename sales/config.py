"""Sales settings: ``config/sales.yml``, validated on load.

The settings reach dbt's SQL (models/intermediate/sales/, models/marts/sales/, macros/sales/): steps
and anchors choose which SQL is generated, names and ids become literals, numbers become intervals
and thresholds. So nothing passes unchecked: every step, anchor, measure and fallback is one of a
fixed set, every status, channel and activity type one ingest knows (``ingest.schemas``), every
priority one config/scoring.yml defines and every trigger task one of its triggers adds, every
label and text free of characters a SQL literal would need escaped beyond a quote. Errors name the
file, the key and the fix. ``python -m sales.config`` validates the file and rewrites the copy dbt
reads when it is run by hand (``vars.sales`` in ``dbt_project.yml``).

What dbt gets (``SalesConfig.dbt_var``) is the file normalized: defaults filled in, routing steps
in priority order (enabled ones only), hours as minutes or seconds, text compared
case-insensitively lower-cased, mappings as [name, value] pairs in the file's order.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.schemas import ACTIVITY_TYPES, CHANNELS, DIRECTIONS, LEAD_STATUSES
from leadhouse.config_files import (
    ConfigFileError,
    identifier_problems,
    read_yaml,
    refresh_dbt_copy,
    text_problems,
    unknown_problems,
    validation_error_lines,
    write_dbt_var_block,
)
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from scoring.config import CONFIG_FILE as SCORING_CONFIG_FILE
from scoring.config import ScoringConfig, load_scoring_config

CONFIG_PATH = PROJECT_ROOT / "config" / "sales.yml"
CONFIG_FILE = "config/sales.yml"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"
DOCS = "docs/sales.md"

ROUTING_STEPS = ("territory", "specialization", "budget_range")
# The lead fields (marts.lead_enrichment) the specialization step may compare with the agent's
# specializations.
SPECIALIZATION_FIELDS = ("industry", "product_interest")
ANCHORS = ("lead_created", "status_entered", "activity", "last_lead_activity")
# The channels a preferred channel is chosen from; opt-outs remove email (do_not_email), phone and
# sms (do_not_call).
PREFERRED_CHANNELS = ("phone", "email", "sms", "social")

Direction = Literal[DIRECTIONS]  # type: ignore[valid-type]


class SalesConfigError(ConfigFileError):
    """The sales config is wrong; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoutingLeads(_Strict):
    unassigned: bool = True
    new_within_hours: float | None = Field(24, gt=0, le=24 * 365)


class RoutingStep(_Strict):
    step: Literal[ROUTING_STEPS]  # type: ignore[valid-type]
    priority: int = Field(ge=1, le=100)
    enabled: bool = True
    lead_fields: list[Literal[SPECIALIZATION_FIELDS]] | None = None  # type: ignore[valid-type]


class Workload(_Strict):
    measure: Literal["open_leads", "share_of_capacity"] = "open_leads"
    prefer_conversion_rate_at_least: float | None = Field(0.15, ge=0, le=1)
    conversion_min_closed_leads: int = Field(10, ge=1, le=100_000)


class Routing(_Strict):
    leads: RoutingLeads = RoutingLeads()
    steps: list[RoutingStep]
    workload: Workload = Workload()
    fallback: Literal["round_robin", "none"] = "round_robin"
    capacity_passes: int = Field(3, ge=1, le=10)


class UpcomingWindow(_Strict):
    name: str
    minutes: int = Field(gt=0, le=60 * 24 * 90)


class FirstResponseSla(_Strict):
    default_hours: float = Field(gt=0, le=24 * 365)
    channels: dict[str, float] = {}


class ActivityMatch(_Strict):
    activity_types: list[str]
    direction: Direction | None = None
    detail_contains: str | None = None


class FollowUpRule(_Strict):
    id: str
    name: str
    anchor: Literal[ANCHORS]  # type: ignore[valid-type]
    statuses: list[str] = []
    first_channels: list[str] = []
    priorities: list[str] = []
    activity: ActivityMatch | None = None
    task: str
    due_after_hours: float | None = Field(None, ge=0, le=24 * 3650)
    due_after_days: float | None = Field(None, ge=0, le=3650)
    repeat_every_days: float | None = Field(None, gt=0, le=3650)
    done_by: list[str]
    expire_after_days: float | None = Field(None, gt=0, le=3650)
    enabled: bool = True

    def due_after_minutes(self) -> int:
        hours = self.due_after_hours if self.due_after_hours is not None else (self.due_after_days or 0) * 24
        return round(hours * 60)


class TriggerTask(_Strict):
    due_after_hours: float = Field(ge=0, le=24 * 3650)
    done_by: list[str]


class FollowUp(_Strict):
    stale_after_days: int = Field(7, ge=1, le=3650)
    upcoming_windows: list[UpcomingWindow]
    team_activity_types: list[str] = ["meeting", "demo"]
    first_response_sla: FirstResponseSla
    rules: list[FollowUpRule]
    trigger_tasks: dict[str, TriggerTask]


class NurtureStep(_Strict):
    day: int = Field(ge=0, le=3650)
    action: str
    name: str


class NurtureTrack(_Strict):
    id: str
    name: str
    company_size_at_least: int | None = Field(None, ge=1)
    score_above: float | None = Field(None, ge=0, lt=100)
    industries: list[str] | None = None
    steps: list[NurtureStep]

    def has_condition(self) -> bool:
        return any(v is not None for v in (self.company_size_at_least, self.score_above, self.industries))


class Nurture(_Strict):
    enroll_statuses: list[str]
    tracks: list[NurtureTrack]


class PreferredChannel(_Strict):
    min_attempts: int = Field(1, ge=1, le=1000)
    channels: dict[str, list[str]]


class WorkQueue(_Strict):
    min_closed_leads_per_grade: int = Field(20, ge=1, le=1_000_000)
    preferred_channel: PreferredChannel


class DailySummary(_Strict):
    new_lead_hours: float = Field(24, gt=0, le=24 * 30)


class SalesConfig(_Strict):
    version: int
    routing: Routing
    follow_up: FollowUp
    nurture: Nurture
    work_queue: WorkQueue
    daily_summary: DailySummary = DailySummary()

    def dbt_var(self) -> dict[str, Any]:
        """The settings as the SQL reads them (see the module's docstring)."""
        routing, follow_up = self.routing, self.follow_up
        sla = follow_up.first_response_sla
        tasks = follow_up.trigger_tasks
        return {
            "version": self.version,
            "routing": {
                "unassigned": routing.leads.unassigned,
                "new_within_minutes": None
                if routing.leads.new_within_hours is None
                else round(routing.leads.new_within_hours * 60),
                "steps": [
                    {
                        "step": step.step,
                        "lead_fields": list(step.lead_fields or SPECIALIZATION_FIELDS)
                        if step.step == "specialization"
                        else [],
                    }
                    for step in sorted(routing.steps, key=lambda s: s.priority)
                    if step.enabled
                ],
                "workload_measure": routing.workload.measure,
                "prefer_conversion_rate_at_least": routing.workload.prefer_conversion_rate_at_least,
                "conversion_min_closed_leads": routing.workload.conversion_min_closed_leads,
                "fallback": routing.fallback,
                "capacity_passes": routing.capacity_passes,
            },
            "follow_up": {
                "stale_after_days": follow_up.stale_after_days,
                "upcoming_windows": [[w.name, w.minutes] for w in follow_up.upcoming_windows],
                "team_activity_types": follow_up.team_activity_types,
                "first_response_sla": {
                    "default_seconds": round(sla.default_hours * 3600),
                    "channels": [[channel, round(hours * 3600)] for channel, hours in sla.channels.items()],
                },
                "rules": [_rule_var(rule) for rule in follow_up.rules if rule.enabled],
                "trigger_tasks": {
                    "default": _trigger_task_var(tasks["default"]),
                    "tasks": [
                        [name, _trigger_task_var(task)] for name, task in tasks.items() if name != "default"
                    ],
                },
            },
            "nurture": {
                "enroll_statuses": self.nurture.enroll_statuses,
                "tracks": [
                    {
                        "id": track.id,
                        "name": track.name,
                        "company_size_at_least": track.company_size_at_least,
                        "score_above": track.score_above,
                        "industries": [i.lower() for i in track.industries] if track.industries else None,
                        "steps": [
                            {"number": number, "day": step.day, "action": step.action, "name": step.name}
                            for number, step in enumerate(track.steps, start=1)
                        ],
                    }
                    for track in self.nurture.tracks
                ],
            },
            "work_queue": {
                "min_closed_leads_per_grade": self.work_queue.min_closed_leads_per_grade,
                "preferred_channel": {
                    "min_attempts": self.work_queue.preferred_channel.min_attempts,
                    "channels": [
                        [name, types] for name, types in self.work_queue.preferred_channel.channels.items()
                    ],
                },
            },
            "daily_summary": {"new_lead_minutes": round(self.daily_summary.new_lead_hours * 60)},
        }


def _rule_var(rule: FollowUpRule) -> dict[str, Any]:
    activity = rule.activity
    return {
        "id": rule.id,
        "name": rule.name,
        "anchor": rule.anchor,
        "statuses": rule.statuses,
        "first_channels": rule.first_channels,
        "priorities": rule.priorities,
        "activity": None
        if activity is None
        else {
            "activity_types": activity.activity_types,
            "direction": activity.direction,
            "detail_contains": activity.detail_contains.lower() if activity.detail_contains else None,
        },
        "task": rule.task,
        "due_after_minutes": rule.due_after_minutes(),
        "repeat_every_days": rule.repeat_every_days,
        "done_by": rule.done_by,
        "expire_after_days": rule.expire_after_days,
    }


def _trigger_task_var(task: TriggerTask) -> dict[str, Any]:
    return {"due_after_minutes": round(task.due_after_hours * 60), "done_by": task.done_by}


# --- checks pydantic cannot express -------------------------------------------------------------


def _routing_problems(routing: Routing) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    steps = [s.step for s in routing.steps]
    if duplicated := sorted({s for s in steps if steps.count(s) > 1}):
        problems.append(("routing.steps", f"each step is listed once; {duplicated} more than once"))
    priorities = [s.priority for s in routing.steps]
    if len(set(priorities)) != len(priorities):
        problems.append(("routing.steps", "each step has its own priority (1 runs first)"))
    for step in routing.steps:
        if step.lead_fields is not None and step.step != "specialization":
            problems.append(
                (f"routing.steps[{step.step}].lead_fields", "only the specialization step reads lead_fields")
            )
        elif step.lead_fields is not None and not step.lead_fields:
            problems.append(
                (
                    f"routing.steps[{step.step}].lead_fields",
                    f"name one or more of {', '.join(SPECIALIZATION_FIELDS)}",
                )
            )
    return problems


def _follow_up_problems(follow_up: FollowUp, scoring: ScoringConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    windows = follow_up.upcoming_windows
    for window in windows:
        problems += identifier_problems(
            f"follow_up.upcoming_windows[{window.name}].name", window.name, "a window's name"
        )
    minutes = [w.minutes for w in windows]
    if not windows or minutes != sorted(set(minutes)):
        problems.append(
            ("follow_up.upcoming_windows", "list one or more windows, shortest first, each longer")
        )
    names = [w.name for w in windows]
    if len(set(names)) != len(names):
        problems.append(("follow_up.upcoming_windows", "each window has its own name"))
    problems += unknown_problems(
        "follow_up.team_activity_types", follow_up.team_activity_types, ACTIVITY_TYPES, "activity types"
    )
    sla = follow_up.first_response_sla
    problems += unknown_problems(
        "follow_up.first_response_sla.channels", list(sla.channels), CHANNELS, "channels"
    )
    problems += [
        (f"follow_up.first_response_sla.channels.{channel}", "an SLA is a number of hours above 0")
        for channel, hours in sla.channels.items()
        if not (isinstance(hours, int | float) and hours > 0)
    ]

    priorities = list(scoring.priority)
    seen: set[str] = set()
    for rule in follow_up.rules:
        where = f"follow_up.rules[{rule.id}]"
        problems += identifier_problems(f"{where}.id", rule.id, "a rule id")
        if rule.id in seen:
            problems.append((f"{where}.id", f"id {rule.id!r} is used twice; ids name the rule in every task"))
        seen.add(rule.id)
        problems += text_problems(f"{where}.name", rule.name)
        problems += identifier_problems(f"{where}.task", rule.task, "a task")
        problems += unknown_problems(f"{where}.statuses", rule.statuses, LEAD_STATUSES, "statuses")
        problems += unknown_problems(f"{where}.first_channels", rule.first_channels, CHANNELS, "channels")
        if unknown := [p for p in rule.priorities if p not in priorities]:
            problems.append(
                (
                    f"{where}.priorities",
                    f"unknown priorities {unknown}; {SCORING_CONFIG_FILE} defines {', '.join(priorities)}",
                )
            )
        if not rule.done_by:
            problems.append((f"{where}.done_by", "name the activity types that complete the task"))
        problems += unknown_problems(f"{where}.done_by", rule.done_by, ACTIVITY_TYPES, "activity types")
        if (rule.due_after_hours is None) == (rule.due_after_days is None):
            problems.append((where, "give the due time once: due_after_hours or due_after_days"))
        if rule.anchor == "status_entered" and not rule.statuses:
            problems.append(
                (f"{where}.statuses", "an anchor status_entered needs the statuses it starts from")
            )
        if rule.anchor == "activity":
            if rule.activity is None:
                problems.append((f"{where}.activity", "an anchor activity needs the activity to match"))
            else:
                if not rule.activity.activity_types:
                    problems.append((f"{where}.activity.activity_types", "name one or more activity types"))
                problems += unknown_problems(
                    f"{where}.activity.activity_types",
                    rule.activity.activity_types,
                    ACTIVITY_TYPES,
                    "activity types",
                )
                problems += text_problems(
                    f"{where}.activity.detail_contains", rule.activity.detail_contains, "the text"
                )
        elif rule.activity is not None:
            problems.append((f"{where}.activity", "only an anchor activity reads activity; remove it"))

    tasks = follow_up.trigger_tasks
    if "default" not in tasks:
        problems.append(("follow_up.trigger_tasks.default", "required: the tasks of triggers not listed"))
    trigger_tasks = sorted({t.task for t in scoring.triggers if t.task})
    for name, task in tasks.items():
        where = f"follow_up.trigger_tasks.{name}"
        if name != "default" and name not in trigger_tasks:
            problems.append(
                (
                    where,
                    f"no trigger in {SCORING_CONFIG_FILE} adds a task {name!r}; its triggers add {trigger_tasks}",
                )
            )
        if not task.done_by:
            problems.append((f"{where}.done_by", "name the activity types that complete the task"))
        problems += unknown_problems(f"{where}.done_by", task.done_by, ACTIVITY_TYPES, "activity types")
    return problems


def _nurture_problems(nurture: Nurture) -> list[tuple[str, str]]:
    problems = unknown_problems("nurture.enroll_statuses", nurture.enroll_statuses, LEAD_STATUSES, "statuses")
    if not nurture.enroll_statuses:
        problems.append(("nurture.enroll_statuses", "name the statuses that enroll a lead"))
    tracks = nurture.tracks
    if not tracks or tracks[-1].has_condition():
        problems.append(("nurture.tracks", "end with a track without conditions: it takes every other lead"))
    seen: set[str] = set()
    for position, track in enumerate(tracks):
        where = f"nurture.tracks[{track.id}]"
        problems += identifier_problems(f"{where}.id", track.id, "a track id")
        if track.id in seen:
            problems.append((f"{where}.id", f"id {track.id!r} is used twice"))
        seen.add(track.id)
        problems += text_problems(f"{where}.name", track.name)
        if position < len(tracks) - 1 and not track.has_condition():
            problems.append(
                (where, "only the last track has no conditions (the tracks after it would get no lead)")
            )
        for industry in track.industries or []:
            problems += text_problems(f"{where}.industries", industry, "an industry")
        if track.industries is not None and not track.industries:
            problems.append((f"{where}.industries", "name one or more industries, or remove the key"))
        days = [step.day for step in track.steps]
        if not days or days != sorted(set(days)):
            problems.append((f"{where}.steps", "list one or more steps by day, each on a later day"))
        for step in track.steps:
            problems += identifier_problems(f"{where}.steps[day {step.day}].action", step.action, "an action")
            problems += text_problems(f"{where}.steps[day {step.day}].name", step.name)
    return problems


def _work_queue_problems(work_queue: WorkQueue) -> list[tuple[str, str]]:
    channels = work_queue.preferred_channel.channels
    problems = unknown_problems(
        "work_queue.preferred_channel.channels", list(channels), PREFERRED_CHANNELS, "channels"
    )
    for name, types in channels.items():
        key = f"work_queue.preferred_channel.channels.{name}"
        if not types:
            problems.append((key, "name the outbound activity types of the channel"))
        problems += unknown_problems(key, types, ACTIVITY_TYPES, "activity types")
    return problems


def _problems(config: SalesConfig, scoring: ScoringConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if config.version != 1:
        problems.append(
            ("version", f"version {config.version} is not supported; this Leadhouse reads version 1")
        )
    problems += _routing_problems(config.routing)
    problems += _follow_up_problems(config.follow_up, scoring)
    problems += _nurture_problems(config.nurture)
    problems += _work_queue_problems(config.work_queue)
    return problems


def parse_sales_config(
    data: Any, path: Path = CONFIG_PATH, scoring: ScoringConfig | None = None
) -> SalesConfig:
    """Validate settings already read (``path`` names them in errors); priorities and trigger
    tasks are checked against ``scoring`` (default: config/scoring.yml)."""
    if not isinstance(data, dict):
        raise SalesConfigError(f"{path}: expected a mapping of keys (version, routing, follow_up, ...)")
    try:
        config = SalesConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS, labels=("id", "step", "name"))
    else:
        problems = _problems(config, load_scoring_config() if scoring is None else scoring)
        lines = [f"  {key}: {message}" for key, message in problems]
        if not lines:
            return config
    raise SalesConfigError(f"{path}: invalid sales config\n" + "\n".join(lines))


def load_sales_config(path: Path = CONFIG_PATH, scoring: ScoringConfig | None = None) -> SalesConfig:
    path = Path(path)
    return parse_sales_config(read_yaml(path, "sales config", SalesConfigError), path, scoring)


def write_dbt_default(config: SalesConfig, dbt_project_yml: Path = DBT_PROJECT_YML) -> bool:
    """Replace ``vars.sales`` in dbt_project.yml with ``config``; True when it changed."""
    return write_dbt_var_block("sales", config.dbt_var(), CONFIG_FILE, dbt_project_yml, SalesConfigError)


def main() -> int:
    """Validate config/sales.yml and bring dbt_project.yml's copy up to date."""
    return refresh_dbt_copy("sales", lambda: load_sales_config().dbt_var(), CONFIG_FILE, DBT_PROJECT_YML)


if __name__ == "__main__":
    sys.exit(main())
