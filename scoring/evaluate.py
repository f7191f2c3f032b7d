"""How well the rule score separates converters from the rest: its ROC AUC (the baseline the
conversion model must beat) and the conversion rate per grade, which should fall from the best
grade to the worst.

``python -m scoring.evaluate [--warehouse W] [--backtest-days 90] [--snapshots 8] [--every 30]``
prints two evaluations:

- **backtest** (the honest one): the score as of past moments (T0 = the warehouse's as_of minus
  ``--backtest-days``, then every ``--every`` days back, ``--snapshots`` of them) of every lead
  that was open then, against whether it was won by now, for the leads whose outcome is now
  known; the moments are pooled (a snapshot panel: a lead open at two of them counts twice, with
  the score it had each time), so the best grades, which few leads reach on any one day, hold
  enough leads to compare. The scores as of each moment are built by ``dbt run`` of the scoring
  models on a copy of the warehouse (the copy is thrown away), so activity after the moment never
  counts. The golden fields are today's (a field first given later counts): a mild leak.
- **current**: today's score of the leads already closed. Their activity windows are mostly
  empty (they closed long ago), so this mostly measures the field rules.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from sklearn.metrics import roc_auc_score

from leadhouse.settings import Settings
from leadhouse.warehouse import connect, copy_warehouse


@dataclass(frozen=True)
class GradeConversion:
    grade: str
    closed_leads: int
    won_leads: int

    @property
    def conversion_rate(self) -> float:
        return self.won_leads / self.closed_leads if self.closed_leads else float("nan")


@dataclass(frozen=True)
class RuleScoreEvaluation:
    closed_leads: int
    won_leads: int
    roc_auc: float | None  # None: one class only
    grades: list[GradeConversion]  # best grade first, as config/scoring.yml lists them

    @property
    def conversion_falls_with_grade(self) -> bool:
        rates = [g.conversion_rate for g in self.grades if g.closed_leads]
        return all(a >= b for a, b in zip(rates, rates[1:], strict=False))

    def report(self) -> str:
        auc = "n/a (one outcome only)" if self.roc_auc is None else f"{self.roc_auc:.4f}"
        lines = [
            f"rule score on {self.closed_leads:,} closed leads ({self.won_leads:,} won): ROC AUC {auc}",
            f"{'grade':<7}{'closed':>9}{'won':>8}{'conversion':>12}",
        ]
        lines += [
            f"{g.grade:<7}{g.closed_leads:>9,}{g.won_leads:>8,}{g.conversion_rate:>12.1%}"
            for g in self.grades
        ]
        falls = "falls" if self.conversion_falls_with_grade else "does NOT fall"
        lines.append(f"conversion {falls} from the best grade to the worst")
        return "\n".join(lines)


CLOSED_NOW = """
    select scores.score, scores.grade, leads.is_won
    from marts.lead_rule_scores as scores
    inner join marts.dim_leads as leads on scores.lead_id = leads.lead_id
    where leads.is_closed
"""

# Leads seen by T0 whose latest status at T0 (if any) was open, and which are closed now.
OPEN_AT_SCORING_TIME = """
    with statuses_then as (
        select lead_id, status,
            row_number() over (partition by lead_id order by changed_at desc, status_change_id desc) as recency
        from marts.fct_lead_status_changes
        where changed_at <= (select max(scored_as_of) from marts.lead_rule_scores)
    )
    select scores.score, scores.grade, leads.is_won
    from marts.lead_rule_scores as scores
    inner join marts.dim_leads as leads on scores.lead_id = leads.lead_id
    left join statuses_then on scores.lead_id = statuses_then.lead_id and statuses_then.recency = 1
    where leads.is_closed
        and leads.first_seen_at <= scores.scored_as_of
        and coalesce(statuses_then.status not in ('Closed Won', 'Closed Lost', 'Disqualified'), true)
"""


Outcome = tuple[float, str, bool]  # score, grade, won


def outcomes(conn: duckdb.DuckDBPyConnection, cohort: str = CLOSED_NOW) -> list[Outcome]:
    """``cohort`` (a query of score, grade, is_won) as rows."""
    return [(float(score), grade, bool(won)) for score, grade, won in conn.execute(cohort).fetchall()]


def summarize(rows: list[Outcome], grade_order: list[str]) -> RuleScoreEvaluation:
    """ROC AUC and conversion per grade of ``rows``; ``grade_order`` best first."""
    won = [is_won for _, _, is_won in rows]
    auc = roc_auc_score(won, [score for score, _, _ in rows]) if 0 < sum(won) < len(won) else None
    grades = [
        GradeConversion(
            grade,
            sum(1 for _, g, _ in rows if g == grade),
            sum(1 for _, g, is_won in rows if g == grade and is_won),
        )
        for grade in grade_order
    ]
    return RuleScoreEvaluation(len(rows), sum(won), None if auc is None else float(auc), grades)


def evaluate(
    conn: duckdb.DuckDBPyConnection, grade_order: list[str], cohort: str = CLOSED_NOW
) -> RuleScoreEvaluation:
    """From ``marts.lead_rule_scores`` and ``marts.dim_leads`` (``cohort``: a query of score,
    grade, is_won); ``grade_order`` best first."""
    return summarize(outcomes(conn, cohort), grade_order)


def backtest(
    warehouse: Path, as_ofs: list[datetime], grade_order: list[str], progress=None
) -> RuleScoreEvaluation:
    """Scores as of each moment of ``as_ofs`` on a throw-away copy of ``warehouse``, evaluated on
    the leads open then whose outcome is known now, pooled: a lead open at two of the moments
    counts twice, each time with the score it had then (a snapshot panel, as a sales team sees
    its pipeline week after week)."""
    import os
    import subprocess
    import tempfile

    from leadhouse.dbt_invocation import dbt_invocation, project_var_sections
    from leadhouse.settings import DBT_PROJECT_DIR

    rows: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="leadhouse-backtest-") as scratch:
        data = Path(scratch)
        copy = data / "warehouse" / "leadhouse.duckdb"
        copy.parent.mkdir(parents=True)
        copy_warehouse(warehouse, copy)
        settings = Settings.from_env({"LEADHOUSE_DATA_DIR": str(data)})
        dbt = Path(sys.executable).with_name("dbt")
        for number, as_of in enumerate(as_ofs, 1):
            if progress:
                progress(f"backtest {number}/{len(as_ofs)}: scores as of {as_of:%Y-%m-%d}")
            invocation = dbt_invocation(
                "run",
                Settings(settings.data_dir, settings.sources_dir, settings.model_dir, as_of=as_of),
                project_var_sections(),
                "--project-dir", str(DBT_PROJECT_DIR),
                "--profiles-dir", str(DBT_PROJECT_DIR),
                "--target-path", str(data / "target"),
                "--log-path", str(data / "logs"),
                "--quiet",
                "--select", "int_lead_scoring_activities+", "lead_enrichment+",
                "--exclude", "int_lead_score_changes+", "path:models/marts/sales", "path:models/intermediate/sales",
            )  # fmt: skip
            subprocess.run([str(dbt), *invocation.args], env=os.environ | invocation.env, check=True)
            with connect(copy, read_only=True) as conn:
                rows += outcomes(conn, OPEN_AT_SCORING_TIME)
    return summarize(rows, grade_order)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from scoring.config import load_scoring_config

    parser = argparse.ArgumentParser(description="How well the rule score separates converters.")
    # The pipeline's warehouse, not the published copy: the backtest rebuilds the scoring models from
    # the staging and intermediate layers, and only the marts are published.
    parser.add_argument("--warehouse", type=Path, default=Settings.from_env().warehouse_path)
    parser.add_argument("--backtest-days", type=int, default=90, help="T0 = the scores' as_of minus this")
    parser.add_argument("--snapshots", type=int, default=8, help="backtest moments: T0, T0 - every, ...")
    parser.add_argument("--every", type=int, default=30, help="days between the backtest moments")
    args = parser.parse_args(argv)
    grade_order = [label for label, _ in load_scoring_config().dbt_var()["grades"]]
    with connect(args.warehouse, read_only=True) as conn:
        current = evaluate(conn, grade_order)
        (scored_as_of,) = conn.execute("select max(scored_as_of) from marts.lead_rule_scores").fetchone()
    t0 = scored_as_of.replace(tzinfo=UTC) - timedelta(days=args.backtest_days)
    moments = [t0 - timedelta(days=args.every * k) for k in range(args.snapshots)]
    result = backtest(
        args.warehouse, moments, grade_order, progress=lambda m: print(m, file=sys.stderr, flush=True)
    )
    print(
        f"backtest: scores as of {len(moments)} moments ({moments[-1]:%Y-%m-%d} to {t0:%Y-%m-%d}, every"
        f" {args.every} days), leads open then, outcome known by {scored_as_of:%Y-%m-%d}"
    )
    print(result.report())
    print(f"\ncurrent: scores as of {scored_as_of:%Y-%m-%d %H:%M} UTC, leads already closed")
    print(current.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
