"""Model settings: ``config/model.yml``, validated on load.

Every error names the file, the key and the fix (``ModelConfigError``). ``python -m ml.config``
validates the file and rewrites the copy dbt reads when it is run by hand
(``vars.conversion_model`` in ``dbt_project.yml``: the horizon).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leadhouse.config_files import (
    ConfigFileError,
    read_yaml,
    refresh_dbt_copy,
    validation_error_lines,
    write_dbt_var_block,
)
from leadhouse.settings import DBT_PROJECT_DIR, PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "model.yml"
CONFIG_FILE = "config/model.yml"
DBT_PROJECT_YML = DBT_PROJECT_DIR / "dbt_project.yml"
DOCS = "docs/model.md"

Fraction = Annotated[float, Field(gt=0, lt=1)]
Probability = Annotated[float, Field(ge=0, le=1)]


def attribute_feature_name(attribute: str) -> str:
    """``attr_<attribute in lower case, other characters as _>``: "Lead Origin" -> attr_lead_origin."""
    return "attr_" + re.sub(r"[^a-z0-9]+", "_", attribute.lower()).strip("_")


class ModelConfigError(ConfigFileError):
    """The model config is wrong; the message names the file, the key and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttributeFeature(_Strict):
    """A source column kept in ``attributes`` (a CRM custom field), used as a feature."""

    attribute: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^'\"\\\x00-\x1f]+$")]
    kind: Literal["categorical", "numeric"]


class TrainingSet(_Strict):
    cutoff_days: list[Annotated[int, Field(ge=0, le=3650)]] = Field(min_length=1)
    horizon_days: Annotated[int, Field(ge=1, le=3650)]
    recent_days: Annotated[int, Field(ge=1, le=365)] = 7
    max_training_rows: Annotated[int, Field(ge=1000)] = 600_000
    attribute_features: list[AttributeFeature] = Field(default_factory=list)


class MinimumHistory(_Strict):
    labelled_leads: Annotated[int, Field(ge=0)] = 1000
    conversions: Annotated[int, Field(ge=0)] = 120


class Split(_Strict):
    train: Fraction
    validation: Fraction
    calibration: Fraction
    holdout: Fraction


class LogisticRegressionParams(_Strict):
    C: Annotated[float, Field(gt=0)] = 0.5


class GradientBoostingParams(_Strict):
    max_iter: Annotated[int, Field(ge=10, le=5000)] = 200
    learning_rate: Annotated[float, Field(gt=0, le=1)] = 0.08
    max_leaf_nodes: Annotated[int, Field(ge=2, le=1024)] = 31
    l2_regularization: Annotated[float, Field(ge=0)] = 1.0


class Candidates(_Strict):
    logistic_regression: LogisticRegressionParams = LogisticRegressionParams()
    gradient_boosting: GradientBoostingParams = GradientBoostingParams()


class Gate(_Strict):
    beat_rule_score: bool = True
    auc_tolerance: Annotated[float, Field(ge=0, le=1)] = 0.01
    max_ece: Probability = 0.05


class Explanations(_Strict):
    factors: Annotated[int, Field(ge=1, le=10)] = 3
    candidate_features: Annotated[int, Field(ge=1, le=200)] = 16


class GradeBand(_Strict):
    grade: Annotated[str, Field(pattern=r"^[A-Za-z0-9+-]{1,3}$")]
    min_probability: Probability


class Drift(_Strict):
    warn_psi: Annotated[float, Field(gt=0)] = 0.1
    fail_psi: Annotated[float, Field(gt=0)] = 0.25


class ModelConfig(_Strict):
    version: Literal[1]
    training_set: TrainingSet
    minimum_history: MinimumHistory = MinimumHistory()
    split: Split
    candidates: Candidates = Candidates()
    calibration: Literal["auto", "isotonic", "sigmoid"] = "auto"
    gate: Gate = Gate()
    explanations: Explanations = Explanations()
    grades: list[GradeBand] = Field(min_length=1)
    drift: Drift = Drift()

    def dbt_var(self) -> dict[str, Any]:
        """What dbt reads (``vars.conversion_model``): the horizon of model_performance_over_time."""
        return {"horizon_days": self.training_set.horizon_days}


def _problems(config: ModelConfig) -> list[tuple[str, str]]:
    problems = []
    total = sum(config.split.model_dump().values())
    if abs(total - 1) > 1e-9:
        problems.append(("split", f"the four fractions add up to {total:g}; make them add up to 1"))
    if len(set(config.training_set.cutoff_days)) != len(config.training_set.cutoff_days):
        problems.append(("training_set.cutoff_days", "lists a day twice; list each cutoff once"))
    minimums = [band.min_probability for band in config.grades]
    if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
        problems.append(
            ("grades", "list the grades from the highest min_probability down, each minimum once")
        )
    if minimums and minimums[-1] != 0:
        problems.append(
            ("grades", "the last grade needs min_probability: 0, so that every lead gets a grade")
        )
    if len({band.grade for band in config.grades}) != len(config.grades):
        problems.append(("grades", "a grade is listed twice; give each band its own name"))
    names: dict[str, str] = {}
    for extra in config.training_set.attribute_features:
        name = attribute_feature_name(extra.attribute)
        if name in names:
            problems.append(
                (
                    "training_set.attribute_features",
                    f"{names[name]!r} and {extra.attribute!r} are both the feature {name}; list one of them",
                )
            )
        names[name] = extra.attribute
    if config.drift.warn_psi >= config.drift.fail_psi:
        problems.append(("drift", "warn_psi must be below fail_psi"))
    return problems


def parse_model_config(data: Any, path: Path = CONFIG_PATH) -> ModelConfig:
    """Validate settings already read (``path`` names them in errors)."""
    if not isinstance(data, dict):
        raise ModelConfigError(f"{path}: expected a mapping of keys (version, training_set, split, ...)")
    try:
        config = ModelConfig.model_validate(data)
    except ValidationError as exc:
        lines = validation_error_lines(data, exc, DOCS, labels=("grade",))
    else:
        lines = [f"  {key}: {message}" for key, message in _problems(config)]
        if not lines:
            return config
    raise ModelConfigError(f"{path}: invalid model config\n" + "\n".join(lines))


def load_model_config(path: Path = CONFIG_PATH) -> ModelConfig:
    path = Path(path)
    return parse_model_config(read_yaml(path, "model config", ModelConfigError), path)


def write_dbt_default(config: ModelConfig, dbt_project_yml: Path = DBT_PROJECT_YML) -> bool:
    """Replace ``vars.conversion_model`` in dbt_project.yml with ``config``'s; True when it changed."""
    return write_dbt_var_block(
        "conversion_model", config.dbt_var(), CONFIG_FILE, dbt_project_yml, ModelConfigError
    )


def main() -> int:
    """Validate config/model.yml and bring dbt_project.yml's copy up to date."""
    return refresh_dbt_copy(
        "conversion_model", lambda: load_model_config().dbt_var(), CONFIG_FILE, DBT_PROJECT_YML
    )


if __name__ == "__main__":
    sys.exit(main())
