"""Training (ml.train), evaluation (ml.evaluate) and explanations (ml.explain) on constructed
examples whose outcome one feature drives."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from ml.config import load_model_config
from ml.evaluate import expected_calibration_error, probability_metrics, top_decile
from ml.explain import explain, phrase
from ml.train import NotEnoughHistory, model_frame, time_ordered_split, train_conversion_model
from tests.ml.synthetic import START, examples


@pytest.fixture(scope="module")
def trained():
    return train_conversion_model(examples(), load_model_config(), as_of=START)


def test_the_split_is_time_ordered_and_keeps_each_lead_in_one_slice():
    frame = examples(1000)
    # Every lead twice (two cutoffs): both rows must land in the same slice.
    twice = pl.concat([frame, frame.with_columns(pl.lit(30, dtype=pl.Int32).alias("cutoff_days"))])
    slices = time_ordered_split(twice, load_model_config())
    assert [s.height for s in slices.values()] == [1200, 300, 200, 300]
    order = list(slices.values())
    for older, newer in zip(order, order[1:], strict=False):
        assert older["first_seen_at"].max() < newer["first_seen_at"].min()
    leads = [set(s["lead_id"]) for s in order]
    assert sum(len(s) for s in leads) == 1000 == len(set().union(*leads))


def test_the_model_learns_the_signal_and_beats_the_rule_score(trained):
    card = trained.card
    assert card["data"]["rows"] == {"train": 4800, "validation": 1200, "calibration": 800, "holdout": 1200}
    holdout = trained.holdout
    best_possible = roc_auc_score(holdout["label"], holdout["true_probability"])
    assert card["metrics"]["holdout"]["roc_auc"] >= 0.97 * best_possible
    assert card["metrics"]["holdout"]["roc_auc"] > card["baseline"]["holdout"]["roc_auc"] + 0.1
    assert card["features"]["importance_order"][0] == "recent_pricing_page_views"
    dropped = card["features"]["dropped"]
    assert dropped["rule_score"] == "known for 0.0% of the training rows"
    assert dropped["lead_age_days"] == dropped["status"] == "one value in every training row"
    assert "industry" not in dropped and "recent_pricing_page_views" not in dropped
    assert set(card["candidates"]) == {"logistic_regression", "gradient_boosting"}
    assert card["estimator"] in card["candidates"]
    assert len(card["data"]["fingerprint"]) == 64


def test_calibrated_probabilities_match_observed_rates(trained):
    holdout = trained.holdout
    y, p = holdout["label"].to_numpy(), holdout["probability"].to_numpy()
    assert trained.card["metrics"]["holdout"]["ece"] == pytest.approx(expected_calibration_error(y, p))
    assert expected_calibration_error(y, p) < 0.05
    assert abs(p.mean() - y.mean()) < 0.03


def test_expected_calibration_error_on_a_constructed_case():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.6, 200_000)
    y = (rng.random(p.size) < p).astype(int)
    assert expected_calibration_error(y, p) < 0.005  # the true probabilities: calibrated
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) == pytest.approx(0.2, abs=0.01)
    assert expected_calibration_error(y, p / 2) == pytest.approx(p.mean() / 2, abs=0.01)


def test_lift_and_capture_of_the_top_decile():
    y = np.array([1] * 5 + [0] * 5 + [0] * 90)
    score = np.arange(100, 0, -1)  # the five converters score highest
    assert top_decile(y, score) == (pytest.approx(10.0), pytest.approx(1.0))
    metrics = probability_metrics(y, np.where(y == 1, 0.9, 0.01))
    assert metrics["roc_auc"] == 1.0 and metrics["top_decile_capture"] == 1.0


def test_a_feature_that_drives_the_score_is_among_the_top_factors(trained):
    rows = examples(200, seed=5)
    busy = rows.with_columns(pl.lit(6.0).alias("recent_pricing_page_views"))
    idle = rows.with_columns(pl.lit(0.0).alias("recent_pricing_page_views"))
    order = trained.reference["explain"]["importance_order"]
    tables = trained.reference["explain"]["effects"]
    kinds = trained.card["features"]["kinds"]
    for frame, side, words in (
        (busy, 0, "6 pricing-page views in the last week"),
        (idle, 1, "no pricing-page views in the last week"),
    ):
        factors = explain(frame, model_frame(frame, kinds), order, tables, 3, 16)[side]
        assert all(words in lead.split("; ") for lead in factors), factors[:3]
        assert all(len(lead.split("; ")) <= 3 for lead in factors)


def test_the_effects_of_a_logistic_regression_are_its_own_contributions(trained):
    """Partial dependence of an additive model: the lead's own log-odds change, exactly."""
    from ml.explain import base_pipeline, effects, log_odds

    pipeline = base_pipeline(trained.model)
    if trained.card["estimator"] != "logistic_regression":
        pytest.skip("the gradient-boosting candidate won on this data")
    kinds = trained.card["features"]["kinds"]
    rows = model_frame(examples(50, seed=9), kinds)
    typical = rows.with_columns(pl.lit(trained.reference["explain"]["values"]["industry"]).alias("industry"))
    exact = log_odds(pipeline, rows) - log_odds(pipeline, typical)
    np.testing.assert_allclose(
        effects(rows, ["industry"], trained.reference["explain"]["effects"])[:, 0], exact
    )


def test_factors_read_as_words():
    assert phrase("unanswered_emails", 3.0) == "no response to 3 emails"
    assert phrase("unanswered_emails", 1.0) == "no response to 1 email"
    assert phrase("unanswered_emails", 0.0) == "no unanswered emails"
    assert phrase("recent_pricing_page_views", 4.0) == "4 pricing-page views in the last week"
    assert phrase("marketing_touches", 1.0) == "1 marketing touch"
    assert phrase("budget", 250000.0) == "budget $250k"
    assert phrase("first_channel", "referral") == "first touch: referral"
    assert phrase("is_decision_maker", 1.0) == "is the decision maker"
    assert phrase("days_since_last_touch", None) == "no marketing touch yet"
    assert phrase("industry", None) == "industry unknown"
    assert phrase("lead_age_days", 45.0, max_age=45) == "lead 45+ days old"  # capped at the last cutoff
    assert phrase("lead_age_days", 12.0, max_age=45) == "lead 12 days old"
    assert phrase("attr_lead_origin", "API") == "lead origin: API"  # a source attribute
    assert phrase("attr_totalvisits", 3.0) == "totalvisits: 3"


def test_too_little_history_trains_nothing():
    config = load_model_config()
    few = examples(500)  # fewer than minimum_history.labelled_leads
    with pytest.raises(NotEnoughHistory, match="500 labelled leads .* needs at least 1,000 and 120"):
        train_conversion_model(few, config, as_of=START)


def test_data_without_a_rule_score_trains_and_passes_the_gate_on_what_it_has(tmp_path):
    """A CRM export with only its own columns (no rule score): no baseline, nothing to beat."""
    from ml.registry import LocalModelRegistry
    from ml.workflow import judge

    frame = examples().drop("rule_score", "current_rule_score")
    trained = train_conversion_model(frame, load_model_config(), as_of=START)
    assert trained.card["baseline"] is None
    registry = LocalModelRegistry(tmp_path)
    version = registry.save(trained.model, trained.card, trained.reference, trained.holdout, {})
    verdict = judge(registry, version, load_model_config())
    assert verdict.passed and "passed: no rule score in the data: nothing to beat" in verdict.reasons
    assert "no rule score in the data" in (registry.folder_of(version) / "card.md").read_text()
