"""Scoring every open lead: the champion's calibrated probability with its reasons, or, without a
champion, the rule score mapped to a probability (``rule_fallback``), which every row says.

The rows (``LEAD_SCORE_COLUMNS``) become ``ml.lead_scores`` (the current scores, read by the dbt
mart ``marts.lead_scores`` and the work queue) and the day's snapshot in ``ml.lead_score_log`` (for
``marts.model_performance_over_time``; ml.workflow.write_scores). ``scored_at`` is the run's
``as_of``, so scoring again as of the same moment gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import polars as pl

from ml.config import ModelConfig
from ml.drift import drift_report
from ml.explain import FACTOR_SEPARATOR, explain
from ml.train import fit_rule_calibration, model_frame, rule_baseline

LEAD_SCORE_COLUMNS = {
    "lead_id": pl.Utf8,
    "conversion_probability": pl.Float64,
    "decile": pl.Int32,
    "model_grade": pl.Utf8,
    "model_version": pl.Utf8,
    "scored_by": pl.Utf8,
    "top_positive_factors": pl.Utf8,
    "top_negative_factors": pl.Utf8,
    "scoring_note": pl.Utf8,
    "scored_at": pl.Datetime("us"),
}
PROBABILITY_FLOOR = 0.001
RULE_FALLBACK_VERSION = "rule_score"
# Fewer labelled rows than this (or one outcome only): the rule score is read as a percentage.
MIN_ROWS_TO_CALIBRATE_RULES = 50


@dataclass
class Scored:
    scores: pl.DataFrame  # LEAD_SCORE_COLUMNS
    # PSI per feature and of the score; empty: no new leads to compare; None: no model scored
    drift: dict[str, float] | None


def deciles(probability: np.ndarray, lead_ids: list[str]) -> np.ndarray:
    """1 = the 10 % most likely to convert ... 10; ties by lead id, so a rerun gives the same."""
    n = len(probability)
    order = np.lexsort((np.asarray(lead_ids, dtype=str), -np.asarray(probability, dtype=float)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return (rank * 10 // max(n, 1) + 1).astype(np.int32)


def grades(probability: np.ndarray, config: ModelConfig) -> list[str]:
    """Each probability's grade: the first band (highest minimum first) whose minimum it reaches."""
    bands = config.grades
    index = np.zeros(len(probability), dtype=np.int64) + len(bands) - 1
    for i in range(len(bands) - 1, -1, -1):
        index[np.asarray(probability) >= bands[i].min_probability] = i
    names = np.array([band.grade for band in bands], dtype=object)
    return names[index].tolist()


def _finish(
    rows: pl.DataFrame,
    probability: np.ndarray,
    positive: list[str],
    negative: list[str],
    config: ModelConfig,
    version: str,
    scored_by: str,
    note: str,
    scored_at: datetime,
) -> pl.DataFrame:
    lead_ids = rows["lead_id"].to_list()
    return pl.DataFrame(
        {
            "lead_id": lead_ids,
            "conversion_probability": probability.astype(float),
            "decile": deciles(probability, lead_ids),
            "model_grade": grades(probability, config),
            "model_version": [version] * rows.height,
            "scored_by": [scored_by] * rows.height,
            "top_positive_factors": positive,
            "top_negative_factors": negative,
            "scoring_note": [note] * rows.height,
            "scored_at": [scored_at.replace(tzinfo=None)] * rows.height,
        },
        schema=LEAD_SCORE_COLUMNS,
    )


def score_with_model(
    rows: pl.DataFrame,
    model: Any,
    card: dict[str, Any],
    reference: dict[str, Any],
    config: ModelConfig,
    scored_at: datetime,
) -> Scored:
    """The champion's probabilities, deciles, grades and factors for ``rows`` (ml.features.scoring_rows)."""
    missing = [name for name in card["features"]["kinds"] if name not in rows.columns]
    if missing:
        raise ValueError(
            f"champion {card['version']} needs features the warehouse no longer gives ({', '.join(missing)}): "
            "restore them in config/model.yml, or train a new version (retrain_conversion_model) or "
            "roll back (leadhouse-model rollback)"
        )
    frame = model_frame(rows, card["features"]["kinds"])
    probability = model.predict_proba(frame)[:, 1] if rows.height else np.zeros(0)
    # Isotonic calibration reaches 0 and 1 at its ends; no lead is certain either way.
    probability = np.clip(probability, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    positive, negative = explain(
        rows,
        frame,
        reference["explain"]["importance_order"],
        reference["explain"]["effects"],
        config.explanations.factors,
        config.explanations.candidate_features,
        max_age=max(card["config"]["training_set"]["cutoff_days"]),
    )
    scores = _finish(
        rows,
        probability,
        positive,
        negative,
        config,
        card["version"],
        "model",
        f"conversion model {card['version']} ({card['estimator']})",
        scored_at,
    )
    return Scored(scores=scores, drift={})  # the caller measures drift (ml.workflow)


def drift_of(
    model: Any, card: dict[str, Any], reference: dict[str, Any], rows: pl.DataFrame
) -> dict[str, float]:
    """PSI of each feature and of the score between the training reference and ``rows``."""
    if rows.height == 0:
        return {}
    probability = model.predict_proba(model_frame(rows, card["features"]["kinds"]))[:, 1]
    return drift_report(reference["drift"], rows, probability)


def rule_factors(
    conn: duckdb.DuckDBPyConnection, lead_ids: list[str], factors: int
) -> dict[str, tuple[list, list]]:
    """Per lead, the rules that added and took the most points (marts.lead_rule_score_details)."""
    details = conn.sql(
        "select lead_id, rule_name, points from marts.lead_rule_score_details where points <> 0"
    ).pl()
    details = details.filter(pl.col("lead_id").is_in(lead_ids))
    out: dict[str, tuple[list, list]] = {}
    for (lead_id,), group in details.group_by("lead_id"):
        up = (
            group.filter(pl.col("points") > 0)
            .sort(["points", "rule_name"], descending=[True, False])
            .head(factors)
        )
        down = group.filter(pl.col("points") < 0).sort(["points", "rule_name"]).head(factors)
        out[lead_id] = (
            [f"{r} (+{float(p):g} points)" for r, p in up.select("rule_name", "points").iter_rows()],
            [f"{r} ({float(p):g} points)" for r, p in down.select("rule_name", "points").iter_rows()],
        )
    return out


def score_with_rules(
    conn: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    examples: pl.DataFrame,
    config: ModelConfig,
    scored_at: datetime,
    reason: str,
) -> Scored:
    """The rule score as a probability: isotonic regression of the outcome on the rule score over
    the labelled leads (one row each, at its first cutoff; the score valid then when the score
    history covers them, else today's, see ml.train.rule_baseline), or score / 100 with too few of
    them; factors are the rules that added and took the most points."""
    labelled = (
        examples.filter(pl.col("label").is_not_null())
        .sort("lead_id", "cutoff_days")
        .unique("lead_id", keep="first", maintain_order=True)
    )
    column = rule_baseline(labelled)[0] if labelled.height else "current_rule_score"
    labelled = labelled.filter(pl.col(column).is_not_null())
    score = rows["current_rule_score"].fill_null(0).to_numpy().astype(float)
    if labelled.height >= MIN_ROWS_TO_CALIBRATE_RULES and labelled["label"].n_unique() == 2:
        mapping = fit_rule_calibration(
            labelled[column].to_numpy().astype(float), labelled["label"].to_numpy()
        )
        probability = np.asarray(mapping.predict(score), dtype=float)
        how = f"rule score calibrated on {labelled.height:,} labelled leads"
    else:
        probability = np.clip(score / 100.0, 0.0, 1.0)
        how = "rule score / 100 (too few labelled leads to calibrate it)"
    by_lead = rule_factors(conn, rows["lead_id"].to_list(), config.explanations.factors)
    positive = [FACTOR_SEPARATOR.join(by_lead.get(lead, ([], []))[0]) for lead in rows["lead_id"]]
    negative = [FACTOR_SEPARATOR.join(by_lead.get(lead, ([], []))[1]) for lead in rows["lead_id"]]
    scores = _finish(
        rows,
        probability,
        positive,
        negative,
        config,
        RULE_FALLBACK_VERSION,
        "rule_fallback",
        f"no conversion model: {reason}; {how}",
        scored_at,
    )
    return Scored(scores=scores, drift=None)
