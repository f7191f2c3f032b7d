"""Why a lead got its probability, in words a sales agent reads.

A factor is a feature whose value moves this lead's score away from a typical lead's. How much:
the model's **partial dependence** on the feature, the mean log-odds over a sample of validation
leads with the feature set to this lead's value, minus the same with the typical value (the
training median of a number, the most common category). For the logistic regression, additive in
its inputs, that is exactly the lead's own contribution; for gradient boosting it is the value's
average effect, leaving out its interactions with the lead's other values. The effects are
tabulated once per model at training (``effect_tables``: a grid of values per feature, stored in
the version's reference.json), so explaining a million leads is table look-ups, not a million model
runs per feature.

Positive effects are reasons for, negative ones reasons against; the largest three of each are
written with the lead's own value ("4 pricing-page views in the last week", "no response to 3
emails"). Taken on the uncalibrated log-odds: calibration is monotone, so the directions and the
order are the calibrated model's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ml.features import FEATURES_BY_NAME

FACTOR_SEPARATOR = "; "
# A factor moves the log-odds by at least this much; smaller moves are not worth an agent's time.
MIN_CONTRIBUTION = 0.05
# Features whose missing value is a fact about the lead, not a gap in the data.
KNOWN_WHEN_MISSING = frozenset({"days_since_last_touch"})
IMPORTANCE_SAMPLE_ROWS = 5000  # validation leads the features' importance is averaged over
EFFECT_SAMPLE_ROWS = 1000  # validation leads each partial dependence is averaged over

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


GRID_POINTS = 40  # quantiles of a number's training values, the grid its effect is tabulated on
TOP_CATEGORIES = 60  # categories tabulated one by one; the rest share the effect of an unseen one
OTHER = "(other)"  # a category the model never saw: what the rest get


def _grid(column: pl.Series, kind: str, reference: Any) -> list[Any]:
    values = column.drop_nulls()
    if kind == "categorical":
        top = values.cast(pl.Utf8).value_counts(sort=True).head(TOP_CATEGORIES).get_column(column.name)
        grid = sorted(set(top.to_list()) | ({reference} if reference is not None else set()))
        return [*grid, OTHER, None]
    numbers = values.cast(pl.Float64).to_numpy()
    points = np.quantile(numbers, np.linspace(0, 1, GRID_POINTS)) if numbers.size else np.array([])
    grid = sorted({float(x) for x in points} | ({float(reference)} if reference is not None else set()))
    return [*grid, None]


def _mean_log_odds(pipeline: Any, sample: pl.DataFrame, name: str, grid: list[Any]) -> np.ndarray:
    """The mean log-odds of ``sample`` with ``name`` set to each grid value, in one model run."""
    dtype = sample.schema[name]
    stacked = pl.concat([sample.with_columns(pl.lit(v, dtype=dtype).alias(name)) for v in grid])
    return log_odds(pipeline, stacked).reshape(len(grid), sample.height).mean(axis=1)


def effect_tables(
    pipeline: Any, frame: pl.DataFrame, kinds: dict[str, str], references: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per feature: its grid of values and each value's effect on the log-odds relative to the
    typical value (partial dependence on a sample of ``frame``, the model's columns)."""
    sample = frame.head(EFFECT_SAMPLE_ROWS)
    tables = {}
    for name, kind in kinds.items():
        reference = references.get(name)
        grid = _grid(frame[name], kind, reference)
        mean = _mean_log_odds(pipeline, sample, name, grid)
        at_reference = mean[grid.index(reference)]
        tables[name] = {
            "values": grid[:-1],  # the last grid value is None: unknown
            "effects": (mean[:-1] - at_reference).tolist(),
            "unknown": float(mean[-1] - at_reference),
            "kind": kind,
        }
    return tables


def effects(frame: pl.DataFrame, names: list[str], tables: dict[str, dict[str, Any]]) -> np.ndarray:
    """rows x ``names``: each row's effect of each feature, looked up in its table (numbers
    interpolated between grid points, categories the model never tabulated as ``OTHER``)."""
    out = np.empty((frame.height, len(names)))
    for j, name in enumerate(names):
        table = tables[name]
        column = frame[name]
        if table["kind"] == "categorical":
            known = dict(zip(table["values"], table["effects"], strict=True))
            other = known.pop(OTHER)
            mapped = column.cast(pl.Utf8).replace_strict(known, default=other, return_dtype=pl.Float64)
            out[:, j] = mapped.fill_null(table["unknown"]).to_numpy()
        else:
            values = column.cast(pl.Float64).to_numpy()
            missing = np.isnan(values)
            out[:, j] = np.interp(np.where(missing, 0.0, values), table["values"], table["effects"])
            out[missing, j] = table["unknown"]
    return out


def importance_order(frame: pl.DataFrame, tables: dict[str, dict[str, Any]]) -> list[str]:
    """Features by mean absolute effect on (a sample of) ``frame``, largest first."""
    names = list(tables)
    mean_abs = np.abs(effects(frame.head(IMPORTANCE_SAMPLE_ROWS), names, tables)).mean(axis=0)
    return [names[i] for i in np.argsort(-mean_abs, kind="stable")]


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
    rows: pl.DataFrame,
    frame: pl.DataFrame,
    importance: list[str],
    tables: dict[str, dict[str, Any]],
    factors: int,
    candidates: int,
    max_age: float | None = None,
) -> tuple[list[str], list[str]]:
    """Per row of ``frame`` (the model's columns; ``rows`` has the raw values): its top
    ``factors`` positive and negative factors, in words, joined with "; "."""
    names = [n for n in importance if n in frame.columns][:candidates]
    if frame.height == 0 or not names:
        return [""] * frame.height, [""] * frame.height
    effect = effects(frame, names, tables)
    # An unknown value is no reason an agent can act on ("budget unknown"): not a factor. (No
    # marketing touch yet is something known.)
    for j, name in enumerate(names):
        if name not in KNOWN_WHEN_MISSING:
            effect[rows[name].is_null().to_numpy(), j] = 0.0
    order = np.argsort(-effect, axis=1, kind="stable")
    words = _Phrases(max_age)
    everyone = np.arange(frame.height)
    sides = []
    for columns, keep in (
        (order[:, :factors], lambda e: e >= MIN_CONTRIBUTION),
        (order[:, ::-1][:, :factors], lambda e: e <= -MIN_CONTRIBUTION),
    ):
        ranked = []  # the k-th factor of every row (null: none)
        for k in range(columns.shape[1]):
            chosen = columns[:, k]
            kept = keep(effect[everyone, chosen])
            text = np.full(frame.height, None, dtype=object)
            for j, name in enumerate(names):
                at = np.flatnonzero(kept & (chosen == j))
                if at.size:
                    text[at] = words.of(name, rows[name].gather(at))
            ranked.append(pl.Series(f"factor_{k}", text.tolist(), dtype=pl.Utf8))
        joined = pl.select(
            pl.concat_str(ranked, separator=FACTOR_SEPARATOR, ignore_nulls=True).alias("factors")
        )
        sides.append(joined["factors"].fill_null("").to_list())
    return sides[0], sides[1]


class _Phrases:
    """``phrase`` remembered per (feature, value): a million leads share few distinct values."""

    def __init__(self, max_age: float | None) -> None:
        self.max_age = max_age
        self.known: dict[tuple[str, Any], str] = {}

    def __call__(self, name: str, value: Any) -> str:
        key = (name, value)
        text = self.known.get(key)
        if text is None:
            text = self.known[key] = phrase(name, value, self.max_age)
        return text

    def of(self, name: str, values: pl.Series) -> list[str]:
        """The phrase of each value (each distinct value phrased once)."""
        distinct = {value: self(name, value) for value in values.unique().to_list()}
        return [distinct[value] for value in values.to_list()]
