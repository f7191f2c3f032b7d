"""Part ``olist``: the conversion model on the Olist marketing funnel, real data nobody here wrote.

The 8,000 Olist marketing-qualified leads and their 842 closed deals
(/work/shared/datasets/olist_funnel, read in place) are ingested with their source configs
(config/public_datasets/olist_mqls.yml, olist_closed_deals.yml: each deal a Closed Won status
change of its MQL) into a fresh warehouse in the work folder and built with the pipeline's
`dbt build` as of 2019-01-01 (after the last win), as tests/acceptance/test_olist_marts.py does.

The training set is ml.features.training_examples on that warehouse, with config/model.yml
changed only where Olist needs it (``OLIST_TRAINING_SET``): one cutoff, the day of first contact
(an MQL is one snapshot: nothing is known about it later but whether it closed); a horizon long
enough for Olist's sales cycle (the part prints the days from first contact to the win); and the
MQL's landing page as a source attribute. The features are the MQL's own fields only
(``MQL_FEATURES``): origin (the canonical campaign, ``first_campaign``), landing page and the
weekday of the first contact (``capture_weekday``); the first-contact date is ``first_seen_at``.
The closed-deal columns exist only for won leads and are never features.

Target: holdout ROC AUC >= 0.70 (the dataset's README measured 0.69-0.71 from the lead fields on
a random split). The holdout is 1,200 MQLs with about 120 wins: its AUC moves by about +-0.05 (the
part prints a bootstrap interval). No tuning: a more regularized logistic regression (C 0.05,
the best of 0.01-0.2 on the validation slice) did no better on the holdout.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.model.report import Check, at_least, figure, holdout_summary, show
from leadhouse.warehouse import connect as connect_warehouse

DATASETS = Path("/work/shared/datasets")
FILES = {
    "olist_mqls": DATASETS / "olist_funnel" / "olist_marketing_qualified_leads_dataset.csv",
    "olist_closed_deals": DATASETS / "olist_funnel" / "olist_closed_deals_dataset.csv",
}
AS_OF = datetime(2019, 1, 1)  # naive UTC; the last win is on 2018-11-14
TARGET_AUC = 0.70
OLIST_TRAINING_SET = {
    "cutoff_days": [0],
    "horizon_days": 180,
    "attribute_features": [{"attribute": "landing_page_id", "kind": "categorical"}],
}
# The MQL's own fields, as the training set names them.
MQL_FEATURES = ("first_campaign", "attr_landing_page_id", "capture_weekday")
# Besides the features: what ml.train reads of a training frame.
FRAME_COLUMNS = ("lead_id", "first_seen_at", "cutoff_days", "cutoff_at", "label")
# What the bench changes in config/model.yml besides OLIST_TRAINING_SET (nested keys, as
# bench/model/x_education.py's TUNING): nothing, unless a target needs it.
TUNING: dict = {}


def build(workdir: Path) -> Path:
    """A fresh warehouse of the two Olist sources, built with dbt as of AS_OF; its path."""
    import duckdb

    from bench.marts_sample import dbt_command
    from bench.measure import timed
    from ingest.config import load_source_configs
    from ingest.pipeline import Ingestor
    from leadhouse.dbt_invocation import PIPELINE_BUILD_FLAGS
    from leadhouse.settings import PROJECT_ROOT, as_of_var

    for path in FILES.values():
        if not path.exists():
            raise SystemExit(f"{path} is missing: the real datasets live in {DATASETS}")
    data = workdir.resolve()
    shutil.rmtree(data, ignore_errors=True)
    for source, path in FILES.items():
        (data / "landing" / source).mkdir(parents=True)
        (data / "landing" / source / path.name).symlink_to(path)  # read in place, never copied
    warehouse = data / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as conn:
        ingestor = Ingestor(conn, data / "landing")
        for config in load_source_configs(PROJECT_ROOT / "config" / "public_datasets"):
            if config.name in FILES:
                report = ingestor.ingest(config)
                print(f"ingested {config.name}: {report.total('rows_loaded'):,} rows", flush=True)
    command, env = dbt_command("build", data, *PIPELINE_BUILD_FLAGS)
    env = env | {"LEADHOUSE_AS_OF": as_of_var(AS_OF.replace(tzinfo=UTC))}
    print(f"dbt build as of {AS_OF:%Y-%m-%d} ...", flush=True)
    seconds, _ = timed(command, env)
    print(f"  built in {seconds:.0f} s", flush=True)
    return warehouse


def days_to_win(conn) -> list[float]:
    """Percentiles (50, 90, 95, 99, max) of the days from first contact to the win."""
    return conn.sql(
        """
        select quantile_cont(days, [0.5, 0.9, 0.95, 0.99, 1.0])
        from (
            select date_diff('second', r.created_at, s.changed_at) / 86400.0 as days
            from raw.status_changes s
            join raw.lead_records r
              on r.source = s.lead_record_source and r.source_record_id = s.lead_record_id
            where s.source = 'olist_closed_deals' and s.status = 'Closed Won'
        )
        """
    ).fetchone()[0]


def model_config(tuning: dict):
    """config/model.yml with OLIST_TRAINING_SET and ``tuning`` on top, validated."""
    from bench.model.x_education import apply_tuning
    from ml.config import load_model_config, parse_model_config

    data = load_model_config().model_dump()
    data["training_set"] |= OLIST_TRAINING_SET
    return parse_model_config(apply_tuning(data, tuning))


def run(workdir: Path, tuning: dict | None = None) -> list[Check]:
    import polars as pl

    from ml.features import training_examples
    from ml.train import train_conversion_model

    tuning = TUNING if tuning is None else tuning
    config = model_config(tuning)
    warehouse = build(workdir / "olist")
    with connect_warehouse(warehouse, read_only=True) as conn:
        quantiles = days_to_win(conn)
        started = time.perf_counter()
        examples = training_examples(conn, AS_OF, config)
        seconds = time.perf_counter() - started
    print(
        "days from first contact to the win: "
        + ", ".join(
            f"{name} {q:.0f}" for name, q in zip(("p50", "p90", "p95", "p99", "max"), quantiles, strict=True)
        )
        + f"; horizon {config.training_set.horizon_days} days",
        flush=True,
    )
    labelled = examples.filter(pl.col("label").is_not_null())
    print(
        f"training set ({seconds:.1f} s): {examples.height:,} rows, {labelled.height:,} labelled, "
        f"{int(labelled['label'].sum()):,} won within the horizon",
        flush=True,
    )
    frame = examples.select(*FRAME_COLUMNS, *MQL_FEATURES, "rule_score", "current_rule_score")
    print("  features: " + ", ".join(MQL_FEATURES))
    print("  bench config on top of config/model.yml: " + repr(OLIST_TRAINING_SET | tuning))
    trained = train_conversion_model(frame, config, as_of=AS_OF, progress=lambda m: print("  " + m))
    metrics = trained.card["metrics"]["holdout"]
    print(f"\nOlist marketing funnel ({DATASETS / 'olist_funnel'}), as of {AS_OF:%Y-%m-%d}")
    figure("rows (labelled)", f"{labelled.height:,}")
    figure("positives (won within the horizon)", f"{int(labelled['label'].sum()):,}")
    holdout_summary(trained.card, trained.holdout)
    checks = [at_least("holdout ROC AUC", metrics["roc_auc"], TARGET_AUC)]
    show(checks)
    return checks
