"""Part ``generator``: how much of the generator's hidden truth the conversion model recovers.

A 100,000-lead sample (seed 42, as of 2026-11-01) is generated, ingested and built with dbt once,
cached in the work folder under the generator's source digest (as bench/marts_sample.py caches its
million). The model is trained with config/model.yml as it is (ml.features.training_examples, then
ml.train.train_conversion_model). On its holdout rows (the newest leads), the ROC AUC of the
calibrated probability is set against the ROC AUC of the true propensity on the same labels: each
person's ``propensity`` in ground_truth/people.parquet, reached through
ground_truth/source_records.parquet and marts.lead_identity_map; a lead's propensity is the mean of
its persons' (usually one). The propensity is what the generator draws every outcome from, so its
AUC is the most any model can be expected to reach.

Targets: model AUC >= 0.97 x propensity AUC, and above the rule score's AUC on the same holdout
(the card's baseline).
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

from bench.model.report import Check, at_least, auc, figure, holdout_summary, show
from leadhouse.warehouse import connect as connect_warehouse
from leadhouse.warehouse import copy_warehouse

LEADS = 100_000
SEED = 42
AS_OF = datetime(2026, 11, 1)  # naive UTC, the sample's as-of date
TARGET_RATIO = 0.97


def prepare(workdir: Path, leads: int = LEADS, seed: int = SEED) -> Path:
    """The data folder of the built sample (generated, ingested and built once; cached).
    Its ``built.duckdb`` is the warehouse; it is only ever opened read-only."""
    from bench.marts_sample import dbt_command, generator_digest
    from bench.measure import timed
    from leadhouse.dbt_invocation import PIPELINE_BUILD_FLAGS
    from leadhouse.parity import ingest_sample
    from sample_data.cli import main as generate

    data = (workdir / f"sample-{leads}-{seed}-{generator_digest()}").resolve()
    built = data / "built.duckdb"
    if built.exists():
        print(f"sample: {leads:,} leads (seed {seed}) cached in {data}", flush=True)
        return data
    generated = data / ".generated"
    if not generated.exists():
        print(f"sample: generating {leads:,} leads (seed {seed}) ...", flush=True)
        shutil.rmtree(data, ignore_errors=True)
        generate(
            ["--leads", str(leads), "--seed", str(seed), "--as-of", f"{AS_OF:%Y-%m-%d}"]
            + ["--out", str(data), "--quiet"]
        )
        generated.touch()
    shutil.rmtree(data / "warehouse", ignore_errors=True)
    print("sample: ingesting ...", flush=True)
    ingest_sample(data)
    print("sample: dbt build (once) ...", flush=True)
    seconds, _ = timed(*dbt_command("build", data, *PIPELINE_BUILD_FLAGS))
    print(f"sample: built in {seconds:.0f} s", flush=True)
    copy_warehouse(data / "warehouse" / "leadhouse.duckdb", built)
    return data


def lead_propensity(conn, data: Path):
    """lead_id -> the mean true propensity of the persons of its records (a polars frame)."""
    truth = data / "ground_truth"
    return conn.sql(
        f"""
        with persons as (
            select distinct m.lead_id, r.person_id
            from marts.lead_identity_map m
            join read_parquet('{truth / "source_records.parquet"}') r
              on r.source = m.source and r.source_record_id = m.source_record_id
        )
        select lead_id, avg(p.propensity) as propensity, count(*) as persons
        from persons
        join read_parquet('{truth / "people.parquet"}') p using (person_id)
        group by lead_id
        """
    ).pl()


def run(workdir: Path) -> list[Check]:
    import polars as pl

    from ml.config import load_model_config
    from ml.features import training_examples
    from ml.train import train_conversion_model

    data = prepare(workdir / "generator")
    config = load_model_config()
    with connect_warehouse(data / "built.duckdb", read_only=True) as conn:
        started = time.perf_counter()
        examples = training_examples(conn, AS_OF, config)
        print(
            f"training set: {examples.height:,} rows of {examples['lead_id'].n_unique():,} leads "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        truth = lead_propensity(conn, data)
    trained = train_conversion_model(examples, config, as_of=AS_OF, progress=lambda m: print("  " + m))
    card = trained.holdout.join(truth, on="lead_id", how="left")
    missing = card["propensity"].null_count()
    if missing:
        raise SystemExit(f"{missing:,} holdout rows have no ground-truth propensity: the mapping is broken")
    y = card["label"].to_numpy()
    model_auc = auc(y, card["probability"].to_numpy())
    truth_auc = auc(y, card["propensity"].to_numpy())
    metrics, baseline = trained.card["metrics"]["holdout"], trained.card["baseline"]["holdout"]
    ratio = model_auc / truth_auc

    print(f"\ngenerator sample: {LEADS:,} leads, seed {SEED}, as of {AS_OF:%Y-%m-%d}; config/model.yml")
    holdout_summary(trained.card, trained.holdout)
    figure("holdout: leads with 2+ persons", f"{card.filter(pl.col('persons') > 1).height:,}")
    figure("true propensity ROC AUC (same holdout)", f"{truth_auc:.4f}")
    checks = [
        at_least("model / propensity ROC AUC", ratio, TARGET_RATIO),
        Check(
            "model ROC AUC vs rule score's",
            f"{model_auc:.4f}",
            f"> {baseline['roc_auc']:.4f} (rule score)",
            bool(model_auc > baseline["roc_auc"]),
        ),
    ]
    figure("model holdout ECE", f"{metrics['ece']:.4f}")
    figure("model holdout top-decile lift", f"{metrics['top_decile_lift']:.2f}")
    show(checks)
    return checks
