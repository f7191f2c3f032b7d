"""Training the conversion model: time-ordered slices, two candidates, calibration, the card.

The labelled examples (ml.features.training_examples) are cut by the moment each lead was first
captured, oldest first, into four slices (config ``split``): the candidates (a regularized
logistic regression and a HistGradientBoostingClassifier, each a Pipeline behind a
ColumnTransformer) are fitted on ``train``, the one with the higher ROC AUC on ``validation`` is
kept, its probabilities are calibrated on ``calibration`` (isotonic or sigmoid, on the frozen
model), and every figure of the card is measured on ``holdout``, the newest leads, beside the rule
score's. All rows of one lead fall in one slice, so no lead is both learned and judged.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from ml.config import ModelConfig
from ml.drift import reference_bins
from ml.encoding import StringCodes
from ml.evaluate import calibration_table, probability_metrics, ranking_metrics
from ml.explain import effect_tables, importance_order, reference_values
from ml.features import TrainingSetSize, feature_kinds, newest_labelled

SLICES = ("train", "validation", "calibration", "holdout")
# A feature known for fewer of the training rows than this is left out: a model would learn
# nothing from it and then meet it at every scoring.
MIN_FEATURE_COVERAGE = 0.05
# The rule score at the cutoff comes from lead_score_history, which starts with the first scoring
# run: while it covers only the newer training rows, "unknown" would mean "an old lead" to the
# model, yet every lead scored has one. It is used once it covers nearly every training row.
REQUIRED_COVERAGE = {"rule_score": 0.9}
RANDOM_STATE = 0

Progress = Callable[[str], None]


class NotEnoughHistory(Exception):
    """Too few labelled leads or conversions to train (config ``minimum_history``)."""


@dataclass
class TrainedModel:
    model: CalibratedClassifierCV  # predict_proba on a frame of ``features``
    features: list[str]
    reference: dict[str, Any]  # explanation references and drift bins (ml.explain, ml.drift)
    card: dict[str, Any]  # the model card (data, features, metrics, baseline, timing)
    holdout: pl.DataFrame  # the holdout rows with their features, label, probability, rule score


def model_frame(frame: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """The columns a pipeline reads (``kinds``: feature -> kind, in the model's order): booleans
    as 0/1 floats, numerics as floats, text as text."""
    columns = []
    for name, kind in kinds.items():
        if kind == "categorical":
            columns.append(pl.col(name).cast(pl.Utf8))
        else:
            columns.append(pl.col(name).cast(pl.Float64))
    return frame.select(columns)


def enough_history(size: TrainingSetSize, config: ModelConfig) -> bool:
    """Whether the examples reach config/model.yml's minimum_history."""
    need = config.minimum_history
    return size.labelled_leads >= need.labelled_leads and size.converted_leads >= need.conversions


def check_history(size: TrainingSetSize, config: ModelConfig) -> None:
    leads, conversions = size.labelled_leads, size.converted_leads
    need = config.minimum_history
    if not enough_history(size, config):
        raise NotEnoughHistory(
            f"{leads:,} labelled leads and {conversions:,} conversions; training needs at least "
            f"{need.labelled_leads:,} and {need.conversions:,} (config/model.yml minimum_history)"
        )


def time_ordered_split(labelled: pl.DataFrame, config: ModelConfig) -> dict[str, pl.DataFrame]:
    """The four slices, by each lead's first capture (ties by lead id), oldest leads first."""
    leads = labelled.select("lead_id", "first_seen_at").unique("lead_id").sort("first_seen_at", "lead_id")
    fractions = config.split.model_dump()
    bounds = np.cumsum([fractions[name] for name in SLICES])
    position = (np.arange(leads.height) + 0.5) / max(leads.height, 1)
    slice_index = np.searchsorted(bounds, position, side="right").clip(max=len(SLICES) - 1)
    assignment = leads.select("lead_id").with_columns(
        pl.Series("slice", np.array(SLICES)[slice_index], dtype=pl.Utf8)
    )
    joined = labelled.join(assignment, on="lead_id", how="left")
    return {name: joined.filter(pl.col("slice") == name).drop("slice") for name in SLICES}


def usable_features(train: pl.DataFrame, kinds: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The features (with their kinds) known often enough in ``train``, and why the others are
    left out. A feature the data has no column for (a dataset without activities) is left out
    without a word."""
    used, dropped = {}, {}
    for name, kind in kinds.items():
        if name not in train.columns:
            continue
        coverage = 1 - train[name].null_count() / max(train.height, 1)
        if coverage < REQUIRED_COVERAGE.get(name, MIN_FEATURE_COVERAGE):
            dropped[name] = f"known for {coverage:.1%} of the training rows"
        elif train[name].n_unique() <= 1:
            dropped[name] = "one value in every training row"
        else:
            used[name] = kind
    return used, dropped


def candidate_pipelines(kinds: dict[str, str], config: ModelConfig) -> dict[str, Pipeline]:
    categorical = [f for f, kind in kinds.items() if kind == "categorical"]
    numeric = [f for f, kind in kinds.items() if kind != "categorical"]
    lr = config.candidates.logistic_regression
    gb = config.candidates.gradient_boosting
    linear = ColumnTransformer(
        [
            (
                "numeric",
                # arcsinh: counts and amounts grow like a log, and zero stays zero
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True),
                    FunctionTransformer(np.arcsinh),
                    StandardScaler(),
                ),
                numeric,
            ),
            (
                "categorical",
                # A missing value is a category of its own (ml.encoding)
                make_pipeline(
                    StringCodes(),
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20, max_categories=40),
                ),
                categorical,
            ),
        ]
    )
    trees = ColumnTransformer(
        [
            (
                "categorical",
                make_pipeline(
                    StringCodes(),  # a missing value is a category of its own (ml.encoding)
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=-1,  # negative: a value training never saw, for the trees
                        min_frequency=20,
                        max_categories=60,
                    ),
                ),
                categorical,
            ),
            ("numeric", "passthrough", numeric),
        ]
    )
    return {
        "logistic_regression": Pipeline(
            [("features", linear), ("classifier", LogisticRegression(C=lr.C, max_iter=2000))]
        ),
        "gradient_boosting": Pipeline(
            [
                ("features", trees),
                (
                    "classifier",
                    HistGradientBoostingClassifier(
                        max_iter=gb.max_iter,
                        learning_rate=gb.learning_rate,
                        max_leaf_nodes=gb.max_leaf_nodes,
                        l2_regularization=gb.l2_regularization,
                        categorical_features=list(range(len(categorical))),
                        random_state=RANDOM_STATE,
                    ),
                ),
            ]
        ),
    }


def rule_baseline(labelled: pl.DataFrame) -> tuple[str, str]:
    """Which rule score to compare with, chosen once for every slice: (column, how the card names
    it). As of each cutoff (``rule_score``, from lead_score_history) when the history covers
    nearly every labelled row; else today's (``current_rule_score``), which has seen what happened
    after the cutoff: an optimistic baseline, and the card says so."""
    coverage = 1 - labelled["rule_score"].null_count() / max(labelled.height, 1)
    if coverage >= REQUIRED_COVERAGE["rule_score"]:
        return "rule_score", "rule score at the cutoff"
    return "current_rule_score", "current rule score (sees events after the cutoff: an optimistic baseline)"


def calibration_method(
    pipeline: Pipeline, x: pl.DataFrame, y: np.ndarray, config: ModelConfig
) -> tuple[str, dict[str, float]]:
    """``config.calibration``, or for ``auto`` the method (isotonic or sigmoid) whose mapping of
    the frozen model's scores predicts held-out folds of the calibration slice best (5-fold Brier):
    isotonic needs rows to be smooth, sigmoid is rigid; the calibration slice itself decides, so
    the holdout stays unseen."""
    if config.calibration != "auto":
        return config.calibration, {}
    scores = np.asarray(pipeline.decision_function(x), dtype=float)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
    brier = {}
    for method in ("isotonic", "sigmoid"):
        losses = []
        for fit, held in folds.split(scores.reshape(-1, 1), y):
            if method == "isotonic":
                mapping = IsotonicRegression(out_of_bounds="clip").fit(scores[fit], y[fit])
                p = mapping.predict(scores[held])
            else:
                mapping = LogisticRegression(C=1e6).fit(scores[fit].reshape(-1, 1), y[fit])
                p = mapping.predict_proba(scores[held].reshape(-1, 1))[:, 1]
            losses.append(brier_score_loss(y[held], p))
        brier[method] = float(np.mean(losses))
    return min(brier, key=lambda m: (brier[m], m)), brier


def rule_score_baseline(
    labelled: pl.DataFrame, slices: dict[str, pl.DataFrame], y: dict[str, np.ndarray], holdout_p: np.ndarray
) -> dict[str, Any] | None:
    """The rule score's figures on the holdout rows that have one, and the model's ROC AUC on the
    same rows; None for data without a rule score (a CRM export trained on as it is)."""
    if not {"rule_score", "current_rule_score"} <= set(labelled.columns):
        return None
    column, name = rule_baseline(labelled)
    known = {part: slices[part][column].is_not_null().to_numpy() for part in ("calibration", "holdout")}
    if known["holdout"].sum() == 0 or len(set(y["holdout"][known["holdout"]])) < 2:
        return None
    rule = slices["holdout"][column].to_numpy().astype(float)[known["holdout"]]
    mapping = fit_rule_calibration(
        slices["calibration"][column].to_numpy().astype(float)[known["calibration"]],
        y["calibration"][known["calibration"]],
    )
    outcome = y["holdout"][known["holdout"]]
    calibrated = probability_metrics(outcome, mapping.predict(rule))
    return {
        "name": name,
        "column": column,
        "rows": int(known["holdout"].sum()),
        "holdout": ranking_metrics(outcome, rule) | {k: calibrated[k] for k in ("brier", "log_loss", "ece")},
        "model_roc_auc": float(roc_auc_score(outcome, holdout_p[known["holdout"]])),  # the same rows
    }


def fit_rule_calibration(score: np.ndarray, y: np.ndarray) -> IsotonicRegression:
    """The rule score as a calibrated probability (isotonic: higher score, no lower probability)."""
    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(score, y)


def data_fingerprint(labelled: pl.DataFrame) -> str:
    """sha256 of the labelled rows' identity and label: two trainings on the same data share it."""
    rows = labelled.select(
        pl.concat_str(
            [pl.col("lead_id"), pl.col("cutoff_days").cast(pl.Utf8), pl.col("label").cast(pl.Utf8)],
            separator="|",
        )
    ).to_series()
    return hashlib.sha256("\n".join(sorted(rows.to_list())).encode()).hexdigest()


def train_conversion_model(
    examples: pl.DataFrame,
    config: ModelConfig,
    *,
    as_of: datetime,
    code_version: str = "unknown",
    progress: Progress = lambda _: None,
    size: TrainingSetSize | None = None,
) -> TrainedModel:
    """Train, choose, calibrate and measure; raises NotEnoughHistory below the minimum.
    ``size``: the whole set's, when ``examples`` are only the rows kept (ml.features.training_set)."""
    started = time.perf_counter()
    size = size or TrainingSetSize.of(examples)
    check_history(size, config)
    labelled = newest_labelled(examples, config.training_set.max_training_rows)
    slices = time_ordered_split(labelled, config)
    for name in SLICES:
        if slices[name]["label"].n_unique() < 2:
            raise NotEnoughHistory(f"the {name} slice has only one outcome; more history is needed")
    kinds, dropped = usable_features(slices["train"], feature_kinds(config))
    features = list(kinds)
    progress(
        f"training on {slices['train'].height:,} rows, {len(features)} features "
        f"({', '.join(f'{k}: {v:,}' for k, v in ((n, slices[n].height) for n in SLICES))})"
    )
    x = {name: model_frame(slices[name], kinds) for name in SLICES}
    y = {name: slices[name]["label"].to_numpy().astype(int) for name in SLICES}

    validation_auc: dict[str, float] = {}
    fitted: dict[str, Pipeline] = {}
    for name, pipeline in candidate_pipelines(kinds, config).items():
        t = time.perf_counter()
        fitted[name] = pipeline.fit(x["train"], y["train"])
        validation_auc[name] = float(
            roc_auc_score(y["validation"], pipeline.predict_proba(x["validation"])[:, 1])
        )
        progress(f"{name}: validation ROC AUC {validation_auc[name]:.4f} ({time.perf_counter() - t:.1f} s)")
    chosen = max(validation_auc, key=lambda name: (validation_auc[name], name))
    method, calibration_brier = calibration_method(fitted[chosen], x["calibration"], y["calibration"], config)
    model = CalibratedClassifierCV(FrozenEstimator(fitted[chosen]), method=method)
    model.fit(x["calibration"], y["calibration"])
    progress(f"chose {chosen}, calibrated ({method}) on {slices['calibration'].height:,} rows")

    holdout_p = model.predict_proba(x["holdout"])[:, 1]
    metrics = probability_metrics(y["holdout"], holdout_p)
    baseline = rule_score_baseline(labelled, slices, y, holdout_p)
    progress(
        f"holdout: ROC AUC {metrics['roc_auc']:.4f}"
        + (
            f" (rule score {baseline['holdout']['roc_auc']:.4f})"
            if baseline
            else " (no rule score in the data)"
        )
        + f", ECE {metrics['ece']:.4f}"
    )

    references = reference_values(slices["train"], kinds)
    tables = effect_tables(fitted[chosen], x["validation"], kinds, references)
    order = importance_order(x["validation"], tables)
    # Drift compares leads as they looked at the first cutoff: the training rows here, the newest
    # (still unlabelled) leads at scoring time (ml.workflow.score_open_leads).
    drift_cutoff = int(slices["train"]["cutoff_days"].min())
    first = slices["train"].filter(pl.col("cutoff_days") == drift_cutoff)
    reference = {
        "explain": {"values": references, "importance_order": order, "effects": tables},
        "drift_cutoff_days": drift_cutoff,
        "drift": reference_bins(first, kinds, model.predict_proba(model_frame(first, kinds))[:, 1]),
    }
    holdout = slices["holdout"].with_columns(pl.Series("probability", holdout_p))
    card = {
        "model": "conversion",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "estimator": chosen,
        "calibration": method,
        "calibration_brier_cv": calibration_brier,  # each method's 5-fold Brier on the calibration slice
        "candidates": {name: {"validation_roc_auc": auc} for name, auc in validation_auc.items()},
        "data": {
            "first_seen_from": str(labelled["first_seen_at"].min()),
            "first_seen_to": str(labelled["first_seen_at"].max()),
            "cutoff_days": config.training_set.cutoff_days,
            "horizon_days": config.training_set.horizon_days,
            "rows": {name: slices[name].height for name in SLICES},
            "positives": {name: int(y[name].sum()) for name in SLICES},
            "leads": {name: slices[name]["lead_id"].n_unique() for name in SLICES},
            "unlabelled_rows": size.unlabelled_rows,
            "fingerprint": data_fingerprint(labelled),
        },
        "features": {
            "used": features,
            "kinds": kinds,
            "dropped": dropped,
            "importance_order": order,
        },
        "metrics": {"holdout": metrics, "calibration_curve": calibration_table(y["holdout"], holdout_p)},
        "baseline": baseline,
        "training_seconds": round(time.perf_counter() - started, 2),
        "code_version": code_version,
        "library_versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "config": config.model_dump(),
    }
    return TrainedModel(model=model, features=features, reference=reference, card=card, holdout=holdout)
