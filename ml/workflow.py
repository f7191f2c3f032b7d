"""The model's life, step by step, as the orchestration (and the ``leadhouse-model`` command) runs
it: train a candidate and register it, judge it at the gate, promote it, score the open leads
with the champion (or the rule fallback), and keep the scores in the warehouse.

The warehouse tables the scoring writes (schema ``ml``) are created here; dbt reads them as the
source ``ml`` (marts.lead_scores, marts.model_performance_over_time, the work queue).
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from leadhouse.settings import PROJECT_ROOT
from ml.config import ModelConfig, TrainingSet
from ml.evaluate import save_plots
from ml.features import (
    WAREHOUSE,
    TrainingSetSize,
    WarehouseTables,
    scoring_rows,
    training_examples,
    training_set,
)
from ml.gate import GateResult, evaluate_gate
from ml.registry import ModelRegistry
from ml.scoring import LEAD_SCORE_COLUMNS, Scored, drift_of, score_with_model, score_with_rules
from ml.train import Progress, enough_history, train_conversion_model

_DUCKDB_TYPES = {
    pl.Utf8: "varchar",
    pl.Float64: "double",
    pl.Int32: "integer",
    pl.Datetime("us"): "timestamp",
}
ML_TABLES = ("lead_scores", "lead_score_log")


def code_version() -> str:
    """The git commit of the code that trains (with ``+changes`` when the tree is not clean)."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def ensure_ml_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """``ml.lead_scores`` and ``ml.lead_score_log``, empty until the first scoring, so that dbt
    builds its marts on them from the first run."""
    columns = ", ".join(f"{name} {_DUCKDB_TYPES[dtype]}" for name, dtype in LEAD_SCORE_COLUMNS.items())
    conn.execute("create schema if not exists ml")
    for table in ML_TABLES:
        conn.execute(f"create table if not exists ml.{table} ({columns})")


def write_scores(conn: duckdb.DuckDBPyConnection, scores: pl.DataFrame) -> None:
    """Replace the current scores, and the log's snapshot of the day (UTC) of ``scored_at``, in one
    transaction: the log keeps one snapshot a day, the day's last scoring run (the hourly rescore
    would otherwise log every open lead 24 times a day)."""
    ensure_ml_tables(conn)
    scored_at = scores["scored_at"].unique().to_list()
    conn.execute("begin")
    try:
        conn.register("new_scores", scores.to_arrow())
        conn.execute("delete from ml.lead_scores")
        conn.execute("insert into ml.lead_scores by name select * from new_scores")
        if scored_at:
            conn.execute(
                "delete from ml.lead_score_log where cast(scored_at as date) = cast(? as date)",
                [scored_at[0]],
            )
        conn.execute("insert into ml.lead_score_log by name select * from new_scores")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    finally:
        conn.unregister("new_scores")


def train_candidate(
    conn: duckdb.DuckDBPyConnection,
    registry: ModelRegistry,
    config: ModelConfig,
    as_of: datetime,
    progress: Progress = lambda _: None,
    tables: WarehouseTables = WAREHOUSE,
) -> str:
    """Train on the warehouse as of ``as_of`` and register the version (not yet champion).
    Raises NotEnoughHistory below the configured minimum."""
    examples, size = training_set(conn, as_of, config, tables)
    progress(
        f"training set: {size.labelled_rows:,} labelled rows of {size.labelled_leads:,} leads "
        f"({size.unlabelled_rows:,} more within their horizon); features of the newest "
        f"{examples.height:,} (max_training_rows {config.training_set.max_training_rows:,})"
    )
    trained = train_conversion_model(
        examples, config, as_of=as_of, code_version=code_version(), progress=progress, size=size
    )
    with tempfile.TemporaryDirectory() as folder:
        y = trained.holdout["label"].to_numpy()
        names = save_plots(
            Path(folder),
            y,
            trained.holdout["probability"].to_numpy(),
            rule_scores(trained.holdout, trained.card["baseline"]),
            f"{trained.card['estimator']}, as of {as_of:%Y-%m-%d}",
        )
        plots = {name: (Path(folder) / name).read_bytes() for name in names}
    return registry.save(trained.model, trained.card, trained.reference, trained.holdout, plots)


def rule_scores(holdout: pl.DataFrame, baseline: dict | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(outcomes, rule scores) of the holdout rows that have a rule score, for the ROC plot."""
    if baseline is None:
        return None
    known = holdout.filter(pl.col(baseline["column"]).is_not_null())
    return known["label"].to_numpy(), known[baseline["column"]].to_numpy().astype(float)


def judge(registry: ModelRegistry, version: str, config: ModelConfig) -> GateResult:
    """The gate's verdict on ``version``, recorded in its card."""
    result = evaluate_gate(registry, version, config)
    registry.update_card(version, gate=result.as_card())
    return result


def score_open_leads(
    conn: duckdb.DuckDBPyConnection,
    registry: ModelRegistry,
    config: ModelConfig,
    as_of: datetime,
    tables: WarehouseTables = WAREHOUSE,
) -> Scored:
    """Every lead open at ``as_of``, scored by the champion, or by the rule fallback when there is
    none (the reason is in every row's ``scoring_note``). The champion's features are computed
    with the settings it was trained with (its card), so an edit of config/model.yml changes
    nothing until a new version is trained."""
    champion = registry.champion()
    if champion is not None:
        model, card, reference = (
            registry.load(champion),
            registry.card(champion),
            registry.reference(champion),
        )
        trained_with = config.model_copy(
            update={"training_set": TrainingSet.model_validate(card["config"]["training_set"])}
        )
        rows = scoring_rows(conn, as_of, trained_with, tables)
        scored = score_with_model(rows, model, card, reference, config, as_of)
        # The newest leads as they looked at the cutoff the training reference was taken at (the
        # rows whose horizon still runs): like with like, as an open lead scored today may be a
        # year old and no training row is.
        newest = training_examples(
            conn,
            as_of,
            trained_with,
            tables,
            cutoff_days=[reference["drift_cutoff_days"]],
            unlabelled_only=True,
        )
        scored.drift = drift_of(model, card, reference, newest)
        return scored
    rows = scoring_rows(conn, as_of, config, tables)
    examples = training_examples(conn, as_of, config, tables)
    size, need = TrainingSetSize.of(examples), config.minimum_history
    if not enough_history(size, config):
        reason = (
            f"not enough history ({size.labelled_leads:,} labelled leads, {size.converted_leads:,} "
            f"conversions; the model needs {need.labelled_leads:,} and {need.conversions:,})"
        )
    else:
        reason = "no version has passed the champion gate yet"
    return score_with_rules(conn, rows, examples, config, as_of, reason)
