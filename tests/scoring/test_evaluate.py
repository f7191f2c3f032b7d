"""scoring.evaluate's arithmetic: ROC AUC and conversion per grade of (score, grade, won) rows."""

from __future__ import annotations

import math

import pytest

from scoring.evaluate import summarize

GRADES = ["A+", "A", "B", "C", "D", "F"]


def test_conversion_per_grade_and_auc() -> None:
    rows = [
        (95.0, "A+", True),
        (91.0, "A+", True),
        (85.0, "A", True),
        (82.0, "A", False),
        (40.0, "F", True),
        (10.0, "F", False),
        (5.0, "F", False),
        (1.0, "F", False),
    ]
    result = summarize(rows, GRADES)
    assert (result.closed_leads, result.won_leads) == (8, 4)
    # 16 won/lost pairs; the won lead at 40 is ranked below the lost one at 82: 15 of 16 right.
    assert result.roc_auc == pytest.approx(15 / 16)
    by_grade = {g.grade: (g.closed_leads, g.won_leads) for g in result.grades}
    assert by_grade == {"A+": (2, 2), "A": (2, 1), "B": (0, 0), "C": (0, 0), "D": (0, 0), "F": (4, 1)}
    assert [g.grade for g in result.grades] == GRADES  # best first, empty grades listed
    assert math.isnan(result.grades[2].conversion_rate)
    assert result.conversion_falls_with_grade  # 100 %, 50 %, (empty ones skipped), 25 %
    report = result.report()
    assert "ROC AUC 0.9375" in report
    assert "conversion falls from the best grade to the worst" in report


def test_a_rise_between_populated_grades_is_reported() -> None:
    rows = [(85.0, "A", False), (84.0, "A", True), (65.0, "C", True), (64.0, "C", True), (3.0, "F", False)]
    result = summarize(rows, GRADES)
    assert not result.conversion_falls_with_grade  # A 50 % < C 100 %
    assert "does NOT fall" in result.report()


def test_one_outcome_only_has_no_auc() -> None:
    result = summarize([(50.0, "D", False), (20.0, "F", False)], GRADES)
    assert result.roc_auc is None
    assert "n/a (one outcome only)" in result.report()
