"""Lead-scoring settings: ``config/scoring.yml``, validated on load.

The settings reach dbt's SQL (models/intermediate/scoring/, macros/scoring/): fields become
column references, values literals, ids names in the explanation of a score. So nothing passes
unchecked: every field is one the enriched lead has (``LEAD_FIELDS``, the columns of
``marts.lead_enrichment``; tests/dbt checks they agree) or ``attributes.<path>``, every operator
one of ``OPERATORS`` and used on a field of its type with a value of its shape, every category
one of ``CATEGORIES``, every activity type one ingest knows, every label and text free of
characters a SQL literal would need escaped beyond a quote. Errors name the file, the rule and
the fix. ``python -m scoring.config`` validates the file and rewrites the copy dbt reads when it
is run by hand (``vars.scoring`` in ``dbt_project.yml``).

What dbt gets (``ScoringConfig.dbt_var``) is the file normalized: defaults filled in, text values
lower-cased (text compares case-insensitively), `any` activity types spelled out.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.schemas import ACTIVITY_TYPES, LEAD_STATUSES
from leadhouse.config_files import (
    IDENTIFIER,
    SAFE_TEXT,
    ConfigFileError,
    read_yaml,
    refresh_dbt_copy,
    validation_error_lines,
    write_dbt_var_block,
)
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "scoring.yml"
CONFIG_FILE = "config/scoring.yml"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"
DOCS = "docs/scoring.md"

# The fields of marts.lead_enrichment a rule may read, by type.
LEAD_FIELDS: dict[str, str] = {
    "email": "text",
    "email_domain": "text",
    "email_type": "text",
    "company_domain": "text",
    "company": "text",
    "job_title": "text",
    "seniority": "text",
    "job_function": "text",
    "industry": "text",
    "company_size": "number",
    "company_size_band": "text",
    "annual_revenue": "number",
    "revenue_band": "text",
    "budget": "number",
    "timeline": "text",
    "purchase_timeline": "text",
    "budget_confirmed": "bool",
    "is_decision_maker": "bool",
    "pain_points": "text",
    "product_interest": "text",
    "city": "text",
    "region": "text",
    "country": "text",
    "postal_code": "text",
    "first_channel": "text",
    "first_campaign": "text",
    "current_status": "text",
    "source_count": "number",
    "source_record_count": "number",
    "do_not_email": "bool",
    "do_not_call": "bool",
}
ATTRIBUTE_FIELD = re.compile(r"^attributes\.([A-Za-z_][A-Za-z0-9_]*)$")
DOMAIN_FIELDS = ("email_domain", "company_domain")
CATEGORIES = ("demographic", "behavioral", "engagement", "firmographic", "intent")
OPERATORS = (
    "equals",
    "not_equals",
    "contains",
    "in",
    "not_in",
    "greater_than",
    "less_than",
    "between",
    "is_present",
    "matches_domain",
)
# Which field types each operator takes.
OPERATOR_TYPES: dict[str, tuple[str, ...]] = {
    "equals": ("text", "number", "bool"),
    "not_equals": ("text", "number", "bool"),
    "contains": ("text",),
    "in": ("text", "number"),
    "not_in": ("text", "number"),
    "greater_than": ("number",),
    "less_than": ("number",),
    "between": ("number",),
    "is_present": ("text", "number", "bool"),
    "matches_domain": ("text",),
}
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+ ._-]{0,19}$")
DOMAIN = re.compile(r"^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$")
BANT_CRITERIA = ("budget", "authority", "need", "timeline")


class ScoringConfigError(ConfigFileError):
    """The scoring config is wrong; the message names the file, the rule and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(_Strict):
    field: str
    operator: str
    value: Any = None


class Rule(Condition):
    id: str
    name: str
    category: str
    points: float = Field(ge=-100, le=100)
    enabled: bool = True


class ActivityDefaults(_Strict):
    window_days: int = Field(30, ge=1, le=3650)
    half_life_days: float | None = Field(15, gt=0, le=3650)


class ActivityRule(_Strict):
    id: str
    name: str
    category: str
    activity_types: list[str] | Literal["any"]
    points: float = Field(ge=-100, le=100)  # per event, before decay
    cap: float = Field(gt=0, le=100)
    window_days: int | None = Field(None, ge=1, le=3650)
    half_life_days: float | None = Field(None, gt=0, le=3650)
    enabled: bool = True


class TriggerDefaults(_Strict):
    lookback_days: int = Field(30, ge=1, le=3650)


class Trigger(_Strict):
    id: str
    name: str
    kind: Literal["count_in_window", "consecutive", "daily_streak"]
    activity_types: list[str]
    count: int | None = Field(None, ge=2, le=1000)
    within_hours: int | None = Field(None, ge=1, le=24 * 3650)
    same_detail: bool = False
    among: list[str] | None = None
    days: int | None = Field(None, ge=2, le=365)
    lookback_days: int | None = Field(None, ge=1, le=3650)
    points: float | None = Field(None, ge=-100, le=100)
    category: str | None = None
    task: str | None = None
    task_name: str | None = None
    enabled: bool = True


class Grades(_Strict):
    scheme: str
    schemes: dict[str, dict[str, float]]


class Bant(_Strict):
    mode: Literal["points", "all_four"] = "points"
    qualified_at: float = Field(75, ge=0, le=100)
    criteria: dict[str, Condition]


class StatusWorkflow(_Strict):
    stage_order: list[str]
    transitions: dict[str, list[str]]


class ScoringConfig(_Strict):
    version: int
    categories: dict[str, float]
    rules: list[Rule]
    activity_defaults: ActivityDefaults = ActivityDefaults()
    activity_rules: list[ActivityRule]
    trigger_defaults: TriggerDefaults = TriggerDefaults()
    triggers: list[Trigger] = []
    grades: Grades
    temperature: dict[str, float]
    priority: dict[str, float]
    auto_qualify_at: float = Field(80, ge=0, le=100)
    bant: Bant
    status_workflow: StatusWorkflow

    def dbt_var(self) -> dict[str, Any]:
        """The settings as the SQL reads them: enabled rules only, defaults filled in, text
        values lower-cased, bands as [label, lowest score] pairs best first."""
        defaults = self.activity_defaults
        return {
            "version": self.version,
            "categories": [[name, self.categories[name]] for name in CATEGORIES],
            "rules": [
                _rule_head(rule) | _condition_var(rule) | {"points": rule.points}
                for rule in self.rules
                if rule.enabled
            ],
            "activity_rules": [
                _rule_head(rule)
                | {
                    "activity_types": list(ACTIVITY_TYPES)
                    if rule.activity_types == "any"
                    else rule.activity_types,
                    "points": rule.points,
                    "cap": rule.cap,
                    "window_days": rule.window_days or defaults.window_days,
                    "half_life_days": rule.half_life_days
                    if "half_life_days" in rule.model_fields_set
                    else defaults.half_life_days,
                }
                for rule in self.activity_rules
                if rule.enabled
            ],
            "triggers": [
                _trigger_var(trigger, self.trigger_defaults) for trigger in self.triggers if trigger.enabled
            ],
            "grade_scheme": self.grades.scheme,
            "grades": list(map(list, self.grades.schemes[self.grades.scheme].items())),
            "temperature": list(map(list, self.temperature.items())),
            "priority": list(map(list, self.priority.items())),
            "auto_qualify_at": self.auto_qualify_at,
            "bant": {
                "mode": self.bant.mode,
                "qualified_at": self.bant.qualified_at,
                "criteria": [[name, _condition_var(self.bant.criteria[name])] for name in BANT_CRITERIA],
            },
            "status_workflow": {
                "stage_order": self.status_workflow.stage_order,
                "transitions": [
                    [source, target]
                    for source, targets in self.status_workflow.transitions.items()
                    for target in targets
                ],
            },
        }


def _rule_head(rule: Rule | ActivityRule) -> dict[str, Any]:
    return {"id": rule.id, "name": rule.name, "category": rule.category}


def field_type(field: str) -> str | None:
    if ATTRIBUTE_FIELD.match(field):
        return "text"
    return LEAD_FIELDS.get(field)


def _condition_var(condition: Condition) -> dict[str, Any]:
    """field, operator, value, the field's type and, for attributes, the JSON path."""
    kind = field_type(condition.field)
    value = condition.value
    if kind == "text" and condition.operator != "is_present":
        value = [v.lower() for v in value] if isinstance(value, list) else str(value).lower()
    if condition.operator == "matches_domain" and isinstance(value, str):
        value = [value]
    attribute = ATTRIBUTE_FIELD.match(condition.field)
    return {
        "field": condition.field,
        "operator": condition.operator,
        "value": value,
        "type": kind,
        "attribute": attribute.group(1) if attribute else None,
    }


def _trigger_var(trigger: Trigger, defaults: TriggerDefaults) -> dict[str, Any]:
    return {
        "id": trigger.id,
        "name": trigger.name,
        "kind": trigger.kind,
        "activity_types": trigger.activity_types,
        "count": trigger.count,
        "within_hours": trigger.within_hours,
        "same_detail": trigger.same_detail,
        "among": trigger.among or list(ACTIVITY_TYPES),
        "days": trigger.days,
        "lookback_days": trigger.lookback_days or defaults.lookback_days,
        "points": trigger.points,
        "category": trigger.category,
        "task": trigger.task,
        "task_name": trigger.task_name,
    }


# --- checks pydantic cannot express -------------------------------------------------------------


def _value_problems(where: str, condition: Condition) -> list[tuple[str, str]]:
    kind = field_type(condition.field)
    op, value = condition.operator, condition.value
    if kind is None:
        return [
            (
                f"{where}.field",
                f"unknown field {condition.field!r}; use one of {', '.join(LEAD_FIELDS)} or attributes.<column> "
                f"({DOCS})",
            )
        ]
    if op not in OPERATORS:
        return [(f"{where}.operator", f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")]
    if kind not in OPERATOR_TYPES[op]:
        return [(f"{where}.operator", f"{op} does not apply to {condition.field} (a {kind} field)")]
    if op == "matches_domain" and condition.field not in DOMAIN_FIELDS:
        return [(f"{where}.field", f"matches_domain reads a domain: use one of {', '.join(DOMAIN_FIELDS)}")]

    def scalar_ok(v: Any) -> bool:
        if kind == "bool":
            return isinstance(v, bool)
        if kind == "number":
            return isinstance(v, int | float) and not isinstance(v, bool)
        return isinstance(v, str | int | float) and not isinstance(v, bool) and bool(SAFE_TEXT.match(str(v)))

    key = f"{where}.value"
    if op == "is_present":
        return [] if value is None else [(key, "is_present takes no value; remove it")]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or not all(scalar_ok(v) for v in value):
            return [
                (key, f"{op} takes a list of {kind} values (text without backslashes or control characters)")
            ]
        return []
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(scalar_ok(v) for v in value)):
            return [(key, "between takes [low, high], two numbers")]
        return [] if value[0] <= value[1] else [(key, f"between: low {value[0]} is above high {value[1]}")]
    if op == "matches_domain":
        domains = value if isinstance(value, list) else [value]
        bad = [d for d in domains if not (isinstance(d, str) and DOMAIN.match(d.lower()))]
        if not domains or bad:
            return [
                (
                    key,
                    f"matches_domain takes a domain or a list of them (acme.com, .edu); not {bad or value!r}",
                )
            ]
        return []
    if not scalar_ok(value):
        return [(key, f"{op} on {condition.field} takes one {kind} value (text without backslashes)")]
    return []


def _bands_problems(key: str, bands: dict[str, float]) -> list[tuple[str, str]]:
    problems = [
        (key, f"label {label!r}: use letters, digits, +, -, . or spaces")
        for label in bands
        if not LABEL.match(label)
    ]
    lows = list(bands.values())
    if not lows or lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows):
        problems.append((key, "list the bands best first, each lowest score below the one before"))
    elif lows[-1] != 0 or lows[0] > 100:
        problems.append((key, "the lowest scores must lie in 0-100 and the last band start at 0"))
    return problems


def _problems(config: ScoringConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if config.version != 1:
        problems.append(
            ("version", f"version {config.version} is not supported; this Leadhouse reads version 1")
        )
    unknown = sorted(set(config.categories) - set(CATEGORIES))
    missing = [c for c in CATEGORIES if c not in config.categories]
    if unknown or missing:
        problems.append(
            (
                "categories",
                f"the categories are {', '.join(CATEGORIES)} (a cap of 0 turns one off)"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""),
            )
        )
    problems += [
        (f"categories.{name}", "a cap lies in 0-100")
        for name, cap in config.categories.items()
        if not 0 <= cap <= 100
    ]
    seen: set[str] = set()

    def check_head(where: str, item: Rule | ActivityRule | Trigger, category: str | None) -> None:
        if not IDENTIFIER.match(item.id):
            problems.append(
                (f"{where}.id", "an id is lower case letters, digits and _, starting with a letter")
            )
        if item.id in seen:
            problems.append(
                (f"{where}.id", f"id {item.id!r} is used twice; ids name rules in every explanation")
            )
        seen.add(item.id)
        if not SAFE_TEXT.match(item.name):
            problems.append((f"{where}.name", "a name is 1-200 printable characters without backslashes"))
        if category is not None and category not in CATEGORIES:
            problems.append(
                (f"{where}.category", f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
            )

    def check_types(key: str, types: list[str]) -> None:
        unknown_types = [t for t in types if t not in ACTIVITY_TYPES]
        if not types or unknown_types:
            problems.append((key, f"unknown activity types {unknown_types}; use {', '.join(ACTIVITY_TYPES)}"))

    for rule in config.rules:
        where = f"rules[{rule.id}]"
        check_head(where, rule, rule.category)
        problems.extend(_value_problems(where, rule))
    for rule in config.activity_rules:
        where = f"activity_rules[{rule.id}]"
        check_head(where, rule, rule.category)
        if rule.activity_types != "any":
            check_types(f"{where}.activity_types", rule.activity_types)
    for trigger in config.triggers:
        where = f"triggers[{trigger.id}]"
        check_head(where, trigger, trigger.category if trigger.points is not None else None)
        check_types(f"{where}.activity_types", trigger.activity_types)
        if trigger.among is not None:
            check_types(f"{where}.among", trigger.among)
        needs = {
            "count_in_window": ("count", "within_hours"),
            "consecutive": ("count",),
            "daily_streak": ("days",),
        }
        for name in needs[trigger.kind]:
            if getattr(trigger, name) is None:
                problems.append((f"{where}.{name}", f"a {trigger.kind} trigger needs {name}"))
        lookback_days = trigger.lookback_days or config.trigger_defaults.lookback_days
        if trigger.within_hours is not None and trigger.within_hours > 24 * lookback_days:
            problems.append(
                (
                    f"{where}.within_hours",
                    f"{trigger.within_hours} hours reach past the trigger's lookback of {lookback_days} days;"
                    f" raise lookback_days to {-(-trigger.within_hours // 24)} or shorten within_hours",
                )
            )
        if (trigger.points is None) == (trigger.task is None):
            problems.append((where, "a trigger does one thing: give points (with a category) or add a task"))
        elif trigger.points is not None and trigger.category is None:
            problems.append((f"{where}.category", "a trigger that gives points names its category"))
        elif trigger.task is not None:
            if not IDENTIFIER.match(trigger.task):
                problems.append((f"{where}.task", "a task is lower case letters, digits and _"))
            if trigger.task_name is not None and not SAFE_TEXT.match(trigger.task_name):
                problems.append((f"{where}.task_name", "1-200 printable characters without backslashes"))
    if config.grades.scheme not in config.grades.schemes:
        problems.append(
            (
                "grades.scheme",
                f"unknown scheme {config.grades.scheme!r}; use one of {', '.join(config.grades.schemes)}",
            )
        )
    for name, bands in config.grades.schemes.items():
        problems += _bands_problems(f"grades.schemes.{name}", bands)
    problems += _bands_problems("temperature", config.temperature)
    problems += _bands_problems("priority", config.priority)
    if sorted(config.bant.criteria) != sorted(BANT_CRITERIA):
        problems.append(("bant.criteria", f"name exactly the four criteria: {', '.join(BANT_CRITERIA)}"))
    for name, condition in config.bant.criteria.items():
        if ATTRIBUTE_FIELD.match(condition.field):
            problems.append(
                (f"bant.criteria.{name}.field", "BANT reads enriched fields only, not attributes")
            )
        else:
            problems += _value_problems(f"bant.criteria.{name}", condition)
    workflow = config.status_workflow
    named = (
        set(workflow.stage_order)
        | set(workflow.transitions)
        | {t for ts in workflow.transitions.values() for t in ts}
    )
    if unknown_statuses := sorted(named - set(LEAD_STATUSES)):
        problems.append(
            ("status_workflow", f"unknown statuses {unknown_statuses}; use {', '.join(LEAD_STATUSES)}")
        )
    if missing_statuses := [s for s in LEAD_STATUSES if s not in workflow.transitions]:
        problems.append(
            (
                "status_workflow.transitions",
                f"list the moves out of every status (none: []); missing {missing_statuses}",
            )
        )
    return problems


def parse_scoring_config(data: Any, path: Path = CONFIG_PATH) -> ScoringConfig:
    """Validate settings already read (``path`` names them in errors)."""
    if not isinstance(data, dict):
        raise ScoringConfigError(f"{path}: expected a mapping of keys (version, categories, rules, ...)")
    try:
        config = ScoringConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS)
    else:
        lines = [f"  {key}: {message}" for key, message in _problems(config)]
        if not lines:
            return config
    raise ScoringConfigError(f"{path}: invalid scoring config\n" + "\n".join(lines))


def load_scoring_config(path: Path = CONFIG_PATH) -> ScoringConfig:
    path = Path(path)
    return parse_scoring_config(read_yaml(path, "scoring config", ScoringConfigError), path)


def write_dbt_default(config: ScoringConfig, dbt_project_yml: Path = DBT_PROJECT_YML) -> bool:
    """Replace ``vars.scoring`` in dbt_project.yml with ``config``; True when it changed."""
    return write_dbt_var_block("scoring", config.dbt_var(), CONFIG_FILE, dbt_project_yml, ScoringConfigError)


def main() -> int:
    """Validate config/scoring.yml and bring dbt_project.yml's copy up to date."""
    return refresh_dbt_copy("scoring", lambda: load_scoring_config().dbt_var(), CONFIG_FILE, DBT_PROJECT_YML)


if __name__ == "__main__":
    sys.exit(main())
