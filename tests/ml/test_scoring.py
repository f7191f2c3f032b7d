"""Scoring the open leads (ml.scoring, ml.workflow): the rule fallback with too little history,
deciles, the warehouse tables, and the drift check passing and failing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from leadhouse.settings import DBT_PROJECT_DIR
from ml.config import load_model_config
from ml.drift import drift_report, drift_verdict, psi, reference_bins
from ml.registry import LocalModelRegistry
from ml.scoring import LEAD_SCORE_COLUMNS, deciles, grades
from ml.workflow import ensure_ml_tables, score_open_leads, write_scores
from orchestration.defs.ml.assets import drift_check_result
from tests.ml.synthetic import record, status, warehouse

AS_OF = datetime(2026, 11, 1)


@pytest.fixture
def small_warehouse():
    """Five leads, two of them closed: far too little history for a model."""
    with duckdb.connect() as conn:
        warehouse(conn)
        for i, score in enumerate([10, 80, 40, 55, 20]):
            lead = f"L{i}"
            record(conn, lead, "web_forms", f"r{i}", AS_OF - timedelta(days=30 + i), channel="web_form")
            status(conn, lead, "New", AS_OF - timedelta(days=30 + i))
            conn.execute("insert into marts.lead_rule_scores values (?, ?)", [lead, score])
        status(conn, "L3", "Closed Won", AS_OF - timedelta(days=2))
        status(conn, "L4", "Closed Lost", AS_OF - timedelta(days=2))
        conn.execute(
            "insert into marts.lead_rule_score_details values "
            "('L1', 'Demo requested', 20), ('L1', 'Vice president', 15), ('L1', 'Asked not to be emailed', -5), "
            "('L1', 'Budget confirmed', 5), ('L1', 'Page views', 3)"
        )
        yield conn


def test_too_little_history_falls_back_to_the_rule_score_and_says_so(small_warehouse, tmp_path):
    scored = score_open_leads(small_warehouse, LocalModelRegistry(tmp_path), load_model_config(), AS_OF)
    scores = scored.scores.sort("lead_id")
    assert scores.schema == pl.Schema(LEAD_SCORE_COLUMNS)
    assert scores["lead_id"].to_list() == ["L0", "L1", "L2"]  # the open leads
    assert set(scores["scored_by"]) == {"rule_fallback"} and set(scores["model_version"]) == {"rule_score"}
    note = scores["scoring_note"][0]
    assert note.startswith("no conversion model: not enough history (0 labelled leads, 0 conversions")
    assert "rule score / 100" in note
    assert scores["conversion_probability"].to_list() == pytest.approx([0.1, 0.8, 0.4])
    assert scores["decile"].to_list() == [7, 1, 4]  # 3 leads ranked 0, 1, 2 of 3: deciles 1, 4, 7
    assert scores["model_grade"].to_list() == ["D", "A", "A"]
    row = scores.row(1, named=True)
    assert (
        row["top_positive_factors"]
        == "Demo requested (+20 points); Vice president (+15 points); Budget confirmed (+5 points)"
    )
    assert row["top_negative_factors"] == "Asked not to be emailed (-5 points)"
    assert scores["scored_at"].to_list() == [AS_OF] * 3
    assert scored.drift is None


def test_deciles_split_the_ranking_in_ten():
    p = np.linspace(0, 1, 100)
    d = deciles(p, [f"L{i:03d}" for i in range(100)])
    assert d[-1] == 1 and d[0] == 10
    assert np.bincount(d)[1:].tolist() == [10] * 10
    tied = deciles(np.array([0.5, 0.5, 0.5]), ["b", "a", "c"])
    assert tied.tolist() == [4, 1, 7]  # ties broken by lead id: a, b, c


def test_the_log_keeps_one_snapshot_a_day(small_warehouse, tmp_path):
    registry = LocalModelRegistry(tmp_path)
    config = load_model_config()
    for as_of in (AS_OF, AS_OF, AS_OF + timedelta(hours=1), AS_OF + timedelta(days=1)):
        write_scores(small_warehouse, score_open_leads(small_warehouse, registry, config, as_of).scores)
    assert small_warehouse.sql("select count(*) from ml.lead_scores").fetchone()[0] == 3
    assert small_warehouse.sql(
        "select scored_at, count(*) from ml.lead_score_log group by 1 order by 1"
    ).fetchall() == [(AS_OF + timedelta(hours=1), 3), (AS_OF + timedelta(days=1), 3)]


def test_the_dbt_source_tables_have_the_scoring_columns():
    """macros/engines/create_ml_source_tables.sql creates what ml.workflow writes."""
    macro = (DBT_PROJECT_DIR / "macros" / "engines" / "create_ml_source_tables.sql").read_text()
    declared = re.findall(r"\('(\w+)', '(string|double|integer|timestamp)'\)", macro)
    assert [name for name, _ in declared] == list(LEAD_SCORE_COLUMNS)
    with duckdb.connect() as conn:
        ensure_ml_tables(conn)
        columns = conn.sql("describe ml.lead_scores").pl()
    types = dict(zip(columns["column_name"], columns["column_type"], strict=True))
    expected = {"string": "VARCHAR", "double": "DOUBLE", "integer": "INTEGER", "timestamp": "TIMESTAMP"}
    assert types == {name: expected[kind] for name, kind in declared}


def test_population_stability_index():
    rng = np.random.default_rng(3)
    then = pl.DataFrame(
        {"budget": rng.lognormal(11, 1, 20_000), "industry": rng.choice(["a", "b", "c"], 20_000)}
    )
    kinds = {"budget": "numeric", "industry": "categorical"}
    reference = reference_bins(then, kinds, rng.uniform(0, 0.3, 20_000))
    same = pl.DataFrame({"budget": rng.lognormal(11, 1, 5000), "industry": rng.choice(["a", "b", "c"], 5000)})
    moved = pl.DataFrame({"budget": rng.lognormal(12, 1, 5000), "industry": rng.choice(["a", "d"], 5000)})
    stable = drift_report(reference, same, rng.uniform(0, 0.3, 5000))
    shifted = drift_report(reference, moved, rng.uniform(0.2, 0.5, 5000))
    assert max(stable.values()) < 0.02
    assert shifted["budget"] > 0.25 and shifted["industry"] > 0.25 and shifted["score"] > 0.25
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert psi([0.5, 0.5], [0.6, 0.4]) == pytest.approx(0.1 * np.log(1.2) + 0.1 * np.log(1.25))


@pytest.mark.parametrize(
    ("drift", "passed", "severity", "verdict"),
    [
        ({"budget": 0.02, "score": 0.05}, True, None, "ok"),
        ({"budget": 0.15, "score": 0.05}, False, "WARN", "warn"),
        ({"budget": 0.15, "score": 0.4}, False, "ERROR", "fail"),
    ],
)
def test_the_drift_check_passes_warns_and_fails(drift, passed, severity, verdict):
    config = load_model_config()
    assert drift_verdict(drift, config.drift.warn_psi, config.drift.fail_psi)[0] == verdict
    result = drift_check_result(drift, config.drift.warn_psi, config.drift.fail_psi)
    assert result.passed is passed
    if severity:
        assert result.severity.value == severity
        assert "budget 0.150" in result.description
    assert result.metadata["max_psi"].value == max(drift.values())


def test_grades_take_the_first_band_whose_minimum_is_reached():
    config = load_model_config()
    minimums = [band.min_probability for band in config.grades]
    assert grades(np.array(minimums), config) == [band.grade for band in config.grades]
    below = np.nextafter(np.array(minimums[:-1]), 0)
    assert grades(below, config) == [band.grade for band in config.grades[1:]]


def test_the_drift_check_without_a_model_or_without_new_leads():
    assert drift_check_result(None, 0.1, 0.25).passed  # the rule fallback scored: nothing to compare
    empty = drift_check_result({}, 0.1, 0.25)
    assert not empty.passed and empty.severity.value == "WARN" and "no new leads" in empty.description
