"""Analytics settings: ``config/analytics.yml``, validated on load.

The settings reach dbt's SQL (models/marts/funnel/, marts/marketing/, the pipeline and agent marts
of marts/sales/): statuses, segments and grains choose which SQL is generated, campaigns and test
names become literals, numbers become weights, windows and thresholds. So nothing passes
unchecked: every status and activity type is one ingest knows (``ingest.schemas``), every funnel
step one of config/scoring.yml's stage order and in that order, every segment and grain one of a
fixed set, every id an identifier, every name and campaign free of characters a SQL literal would
need escaped beyond a quote. Errors name the file, the key and the fix. ``python -m
analytics.config`` validates the file and rewrites the copy dbt reads when it is run by hand
(``vars.analytics`` in ``dbt_project.yml``).

What dbt gets (``AnalyticsConfig.dbt_var``) is the file normalized: probabilities as [status, p]
pairs in the order of ``LEAD_STATUSES``, the qualified stages spelled out (``qualified_from`` and
every stage after it in the stage order), position-based credit as [first, middle, last], the
confidence with its z (the two-sided normal quantile), mappings as [name, value] pairs in the
file's order.
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ingest.schemas import ACTIVITY_TYPES, LEAD_STATUSES
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

CONFIG_PATH = PROJECT_ROOT / "config" / "analytics.yml"
CONFIG_FILE = "config/analytics.yml"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"
DOCS = "docs/funnels.md"

SEGMENTS = ("channel", "campaign", "industry", "region", "agent", "grade")
PERIOD_GRAINS = ("day", "week", "month")
# Weights and shares reach the SQL rounded to this many decimals (1 - 0.4 - 0.4 is 0.19999999999999996).
DECIMALS = 6

Probability = Annotated[float, Field(ge=0, le=1)]


class AnalyticsConfigError(ConfigFileError):
    """The analytics config is wrong; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Funnel(_Strict):
    steps: list[str]
    qualified_from: str


class Cohorts(_Strict):
    weeks: int = Field(26, ge=1, le=104)


class Forecast(_Strict):
    horizons_days: list[Annotated[int, Field(ge=1, le=3650)]]


class PositionBased(_Strict):
    first: Probability = 0.4
    last: Probability = 0.4

    def weights(self) -> list[float]:
        """[first, the touches between, last]."""
        middle = 1 - self.first - self.last
        return [round(w, DECIMALS) for w in (self.first, middle, self.last)]


class Attribution(_Strict):
    lookback_days: int = Field(30, ge=1, le=3650)
    position_based: PositionBased = PositionBased()
    activity_channels: dict[str, str]


class AbTest(_Strict):
    id: str
    name: str
    variants: list[str]


class AbTests(_Strict):
    confidence: float = Field(0.95, gt=0, lt=1)
    tests: list[AbTest] = []

    def z(self) -> float:
        """The two-sided critical value: |z| above it is a significant difference."""
        return round(NormalDist().inv_cdf((1 + self.confidence) / 2), DECIMALS)


class ContactAttempts(_Strict):
    activity_types: list[str]
    max_attempt_number: int = Field(10, ge=1, le=100)


class AnalyticsConfig(_Strict):
    version: int
    stage_probabilities: dict[str, Probability]
    funnel: Funnel
    segments: list[Literal[SEGMENTS]]  # type: ignore[valid-type]
    period_grains: list[Literal[PERIOD_GRAINS]]  # type: ignore[valid-type]
    cohorts: Cohorts = Cohorts()
    forecast: Forecast
    attribution: Attribution
    ab_tests: AbTests
    contact_attempts: ContactAttempts
    # config/scoring.yml's status_workflow.stage_order, which the funnel was checked against.
    _stage_order: list[str] = PrivateAttr(default_factory=list)

    def qualified_stages(self) -> list[str]:
        order = self._stage_order
        return order[order.index(self.funnel.qualified_from) :] if self.funnel.qualified_from in order else []

    def dbt_var(self) -> dict[str, Any]:
        """The settings as the SQL reads them (see the module's docstring)."""
        attribution, ab_tests = self.attribution, self.ab_tests
        return {
            "version": self.version,
            "stage_probabilities": [[status, self.stage_probabilities[status]] for status in LEAD_STATUSES],
            "funnel_steps": self.funnel.steps,
            "qualified_stages": self.qualified_stages(),
            "segments": self.segments,
            "period_grains": self.period_grains,
            "cohort_weeks": self.cohorts.weeks,
            "forecast_horizons_days": self.forecast.horizons_days,
            "attribution": {
                "lookback_days": attribution.lookback_days,
                "position_based": attribution.position_based.weights(),
                "activity_channels": [list(pair) for pair in attribution.activity_channels.items()],
            },
            "ab_tests": {
                "confidence": ab_tests.confidence,
                "z": ab_tests.z(),
                "tests": [
                    {"id": test.id, "name": test.name, "variants": test.variants} for test in ab_tests.tests
                ],
            },
            "contact_attempts": {
                "activity_types": self.contact_attempts.activity_types,
                "max_attempt_number": self.contact_attempts.max_attempt_number,
            },
        }


# --- checks pydantic cannot express -------------------------------------------------------------


def _listed_once(key: str, values: list[str], what: str) -> list[tuple[str, str]]:
    if duplicated := sorted({v for v in values if values.count(v) > 1}):
        return [(key, f"each of the {what} is listed once; {duplicated} more than once")]
    return []


def _funnel_problems(funnel: Funnel, stage_order: list[str]) -> list[tuple[str, str]]:
    order = f"status_workflow.stage_order of {SCORING_CONFIG_FILE} ({', '.join(stage_order)})"
    steps = funnel.steps
    problems = _listed_once("funnel.steps", steps, "steps")
    if len(set(steps)) < 2:
        problems.append(("funnel.steps", "list two or more stages"))
    if outside := [s for s in steps if s not in stage_order]:
        problems.append(("funnel.steps", f"{outside} are not stages; the stages are {order}"))
    elif steps != sorted(steps, key=stage_order.index):
        problems.append(
            (
                "funnel.steps",
                f"list the steps in the stage order, {', '.join(sorted(set(steps), key=stage_order.index))}; "
                f"the order is {order}",
            )
        )
    if funnel.qualified_from not in stage_order:
        problems.append(
            ("funnel.qualified_from", f"{funnel.qualified_from!r} is not a stage; the stages are {order}")
        )
    return problems


def _attribution_problems(attribution: Attribution) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    credit = attribution.position_based
    if credit.first + credit.last > 1:
        problems.append(
            (
                "attribution.position_based",
                f"first + last is at most 1, the touches between get the rest (now {credit.first + credit.last:g})",
            )
        )
    channels = attribution.activity_channels
    problems += unknown_problems(
        "attribution.activity_channels", list(channels), ACTIVITY_TYPES, "activity types"
    )
    for activity_type, channel in channels.items():
        problems += identifier_problems(
            f"attribution.activity_channels.{activity_type}", channel, "a channel"
        )
    return problems


def _ab_test_problems(ab_tests: AbTests) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for test in ab_tests.tests:
        where = f"ab_tests.tests[{test.id}]"
        problems += identifier_problems(f"{where}.id", test.id, "a test id")
        if test.id in seen:
            problems.append((f"{where}.id", f"id {test.id!r} is used twice; ids name the test in every row"))
        seen.add(test.id)
        problems += text_problems(f"{where}.name", test.name)
        if len(set(test.variants)) < 2:
            problems.append((f"{where}.variants", "list two or more campaigns to compare"))
        problems += _listed_once(f"{where}.variants", test.variants, "variants")
        for variant in test.variants:
            problems += text_problems(f"{where}.variants", variant, "a campaign")
    return problems


def _problems(config: AnalyticsConfig, stage_order: list[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if config.version != 1:
        problems.append(
            ("version", f"version {config.version} is not supported; this Leadhouse reads version 1")
        )
    probabilities = config.stage_probabilities
    problems += unknown_problems("stage_probabilities", list(probabilities), LEAD_STATUSES, "statuses")
    if missing := [s for s in LEAD_STATUSES if s not in probabilities]:
        problems.append(
            (
                "stage_probabilities",
                f"missing statuses {missing}; give every status a probability from 0 to 1",
            )
        )
    problems += _funnel_problems(config.funnel, stage_order)
    for key, values, known in (
        ("segments", config.segments, SEGMENTS),
        ("period_grains", config.period_grains, PERIOD_GRAINS),
    ):
        if not values:
            problems.append((key, f"name one or more of {', '.join(known)}"))
        problems += _listed_once(key, values, key.replace("_", " "))
    horizons = config.forecast.horizons_days
    if not horizons or horizons != sorted(set(horizons)):
        problems.append(("forecast.horizons_days", "list one or more horizons, shortest first, each longer"))
    problems += _attribution_problems(config.attribution)
    problems += _ab_test_problems(config.ab_tests)
    types = config.contact_attempts.activity_types
    if not types:
        problems.append(
            ("contact_attempts.activity_types", "name the activity types that are contact attempts")
        )
    problems += unknown_problems("contact_attempts.activity_types", types, ACTIVITY_TYPES, "activity types")
    problems += _listed_once("contact_attempts.activity_types", types, "activity types")
    return problems


def parse_analytics_config(
    data: Any, path: Path = CONFIG_PATH, scoring: ScoringConfig | None = None
) -> AnalyticsConfig:
    """Validate settings already read (``path`` names them in errors); the funnel is checked
    against ``scoring``'s stage order (default: config/scoring.yml)."""
    if not isinstance(data, dict):
        raise AnalyticsConfigError(
            f"{path}: expected a mapping of keys (version, stage_probabilities, funnel, ...)"
        )
    try:
        config = AnalyticsConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS)
    else:
        stage_order = (load_scoring_config() if scoring is None else scoring).status_workflow.stage_order
        config._stage_order = list(stage_order)
        lines = [f"  {key}: {message}" for key, message in _problems(config, stage_order)]
        if not lines:
            return config
    raise AnalyticsConfigError(f"{path}: invalid analytics config\n" + "\n".join(lines))


def load_analytics_config(path: Path = CONFIG_PATH, scoring: ScoringConfig | None = None) -> AnalyticsConfig:
    path = Path(path)
    return parse_analytics_config(read_yaml(path, "analytics config", AnalyticsConfigError), path, scoring)


def write_dbt_default(config: AnalyticsConfig, dbt_project_yml: Path = DBT_PROJECT_YML) -> bool:
    """Replace ``vars.analytics`` in dbt_project.yml with ``config``; True when it changed."""
    return write_dbt_var_block(
        "analytics", config.dbt_var(), CONFIG_FILE, dbt_project_yml, AnalyticsConfigError
    )


def main() -> int:
    """Validate config/analytics.yml and bring dbt_project.yml's copy up to date."""
    return refresh_dbt_copy(
        "analytics", lambda: load_analytics_config().dbt_var(), CONFIG_FILE, DBT_PROJECT_YML
    )


if __name__ == "__main__":
    sys.exit(main())
