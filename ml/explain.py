"""Why a lead got its probability, in words a sales agent reads.

A factor is a feature whose value moves this lead's score away from a typical lead's: its
contribution is the model's log-odds for the lead minus the log-odds with that one feature set to
the training data's typical value (the median of a number, the most common category). Positive
contributions are reasons for, negative ones reasons against; the largest three of each are
written with the lead's own value ("4 pricing-page views in the last week", "no response to 3
emails"). Contributions are taken on the uncalibrated model, whose log-odds calibration only
rescales monotonically, so the direction and order of the factors are the calibrated model's.

Only the ``explanations.candidate_features`` most important features (mean absolute contribution
on the validation slice, ``importance_order``) are tried per lead, which keeps explaining a
million leads within the scoring budget; a feature outside them moves scores less than any inside.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ml.features import FEATURES_BY_NAME

# A factor moves the log-odds by at least this much; smaller moves are not worth an agent's time.
MIN_CONTRIBUTION = 0.05
# Features whose missing value is a fact about the lead, not a gap in the data.
KNOWN_WHEN_MISSING = frozenset({"days_since_last_touch"})
IMPORTANCE_SAMPLE_ROWS = 5000

_BOOLEAN_PHRASES = {
    "budget_confirmed": ("budget confirmed", "budget not confirmed"),
    "is_decision_maker": ("is the decision maker", "not the decision maker"),
    "has_phone": ("gave a phone number", "no phone number"),
    "do_not_email": ("asked not to be emailed", "may be emailed"),
    "do_not_call": ("asked not to be called", "may be called"),
}


def base_pipeline(model: Any) -> Any:
    """The fitted pipeline inside a calibrated model (CalibratedClassifierCV over FrozenEstimator)."""
    inner = model.calibrated_classifiers_[0].estimator
    return getattr(inner, "estimator", inner)


def log_odds(pipeline: Any, frame: pl.DataFrame) -> np.ndarray:
    return np.asarray(pipeline.decision_function(frame), dtype=float)


def reference_values(train: pl.DataFrame, kinds: dict[str, str]) -> dict[str, Any]:
    """The typical value of each feature in ``train``: median of a number, most common category."""
    values: dict[str, Any] = {}
    for name, kind in kinds.items():
        column = train[name].drop_nulls()
        if column.is_empty():
            values[name] = None
        elif kind == "categorical":
            values[name] = column.cast(pl.Utf8).mode().sort().first()
        else:
            values[name] = float(column.cast(pl.Float64).median())
    return values


def _with_reference(frame: pl.DataFrame, name: str, value: Any) -> pl.DataFrame:
    dtype = frame.schema[name]
    return frame.with_columns(pl.lit(value, dtype=dtype).alias(name))


def contributions(
    pipeline: Any, frame: pl.DataFrame, names: list[str], references: dict[str, Any]
) -> np.ndarray:
    """rows x ``names``: log-odds of the row minus log-odds with the feature at its reference."""
    base = log_odds(pipeline, frame)
    out = np.empty((frame.height, len(names)))
    for j, name in enumerate(names):
        out[:, j] = base - log_odds(pipeline, _with_reference(frame, name, references.get(name)))
    return out


def importance_order(
    pipeline: Any, frame: pl.DataFrame, features: list[str], references: dict[str, Any]
) -> list[str]:
    """Features by mean absolute contribution on (a sample of) ``frame``, largest first."""
    sample = frame.head(IMPORTANCE_SAMPLE_ROWS)
    mean_abs = np.abs(contributions(pipeline, sample, features, references)).mean(axis=0)
    return [features[i] for i in np.argsort(-mean_abs, kind="stable")]


def _money(value: float) -> str:
    if value >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if value >= 1e3:
        return f"${value / 1e3:,.0f}k"
    return f"${value:,.0f}"


def phrase(name: str, value: Any, max_age: float | None = None) -> str:
    """The feature's value in words (a source attribute: "<its name>: <value>")."""
    feature = FEATURES_BY_NAME.get(name)
    if feature is None:
        label = name.removeprefix("attr_").replace("_", " ")
        if value is None:
            return f"{label} unknown"
        return f"{label}: {value:g}" if isinstance(value, float) else f"{label}: {value}"
    if name in _BOOLEAN_PHRASES:
        if value is None:
            return f"{name.replace('_', ' ')}: not asked"
        return _BOOLEAN_PHRASES[name][0 if value else 1]
    if name == "days_since_last_touch":
        return "no marketing touch yet" if value is None else f"last marketing touch {round(value)} days ago"
    if value is None:
        return f"{name.replace('_', ' ')} unknown"
    if feature.kind == "categorical":
        return feature.phrase.format(value=value)
    n = int(round(float(value)))
    if name == "lead_age_days" and max_age is not None and float(value) >= max_age:
        return f"lead {n}+ days old"  # ages are capped at the last training cutoff
    if n == 0 and feature.zero:
        return feature.zero
    text = feature.phrase.format(
        n=n, s="" if n == 1 else "s", es="" if n == 1 else "es", money=_money(float(value))
    )
    return text.replace("0 ", "no ", 1) if n == 0 and text.startswith("0 ") else text


def explain(
    pipeline: Any,
    rows: pl.DataFrame,
    frame: pl.DataFrame,
    importance: list[str],
    references: dict[str, Any],
    factors: int,
    candidates: int,
    max_age: float | None = None,
) -> tuple[list[list[str]], list[list[str]]]:
    """Per row of ``frame`` (the model's columns; ``rows`` has the raw values): its top
    ``factors`` positive and negative factors, in words."""
    names = [n for n in importance if n in frame.columns][:candidates]
    if frame.height == 0 or not names:
        return [[] for _ in range(frame.height)], [[] for _ in range(frame.height)]
    contribution = contributions(pipeline, frame, names, references)
    values = {name: rows[name].to_list() for name in names}
    # An unknown value is no reason an agent can act on ("budget unknown"): not a factor. (No
    # marketing touch yet is something known.)
    for j, name in enumerate(names):
        if name not in KNOWN_WHEN_MISSING:
            contribution[np.asarray([v is None for v in values[name]]), j] = 0.0
    order = np.argsort(-contribution, axis=1, kind="stable")
    positive, negative = [], []
    for i in range(frame.height):
        up = [j for j in order[i, :factors] if contribution[i, j] >= MIN_CONTRIBUTION]
        down = [j for j in order[i, ::-1][:factors] if contribution[i, j] <= -MIN_CONTRIBUTION]
        positive.append([phrase(names[j], values[names[j]][i], max_age) for j in up])
        negative.append([phrase(names[j], values[names[j]][i], max_age) for j in down])
    return positive, negative
