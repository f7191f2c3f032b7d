"""Part ``scale``: training and scoring the conversion model at 1,000,000 leads, 10,000,000
activities, on 2 cores.

On a fresh copy of bench/marts_sample.py's cached warehouse (shared with make bench-scoring and
bench-funnel; built once, in a process of its own, when missing; the cache itself is never
written), as the orchestration runs the model (ml.workflow), with config/model.yml as it is:

- ``train``: ml.workflow.train_candidate into a fresh registry in the work folder: the
  point-in-time training set (every lead at each cutoff age), both candidates, calibration, the
  card, its plots and the saved version. Floor: under 300 s.
- ``score``: that version promoted to champion, then ml.workflow.score_open_leads (every open
  lead, with its top factors, and the drift check) and write_scores. Floor: under 30 s.
- ``score 1M``: 1,000,000 rows (the open leads' scoring rows, repeated to that count) through
  ml.scoring.score_with_model (probabilities, deciles, grades, explanations). Floor: under 30 s.
- ``peak``: the process's resident-memory high-water mark over all of that (DuckDB's included).
  Floor: under 6 GiB.

Each timed step also prints where its time went (the ml functions it calls, timed in place), so
that a missed floor points at the code to fix.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import ModuleType

from bench.model.report import Check, figure, peak_rss_mib, show
from leadhouse.warehouse import connect as connect_warehouse

LEADS = 1_000_000
ACTIVITIES = 10_000_000
SEED = 42
AS_OF = datetime(2026, 11, 1)  # naive UTC: the sample's as-of date
SCORE_ROWS = 1_000_000
TARGET_TRAIN_SECONDS = 300.0
TARGET_SCORE_SECONDS = 30.0
TARGET_PEAK_MIB = 6 * 1024


def prepared(marts_workdir: Path) -> Path:
    """The data folder holding a fresh copy of the cached warehouse. Building the cache (minutes,
    once) runs in a child process, so that its memory is not this process's peak."""
    from bench.marts_sample import generator_digest, prepare

    cached = marts_workdir / f"sample-{LEADS}-{generator_digest()}" / f"built-{ACTIVITIES}.duckdb"
    if not cached.exists():
        print(f"building the cached {LEADS:,}-lead warehouse (once; several minutes) ...", flush=True)
        code = (
            "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
            "from bench.marts_sample import prepare; "
            "prepare(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))"
        )
        root = str(Path(__file__).resolve().parents[2])
        subprocess.run(
            [sys.executable, "-c", code, root, str(marts_workdir), str(LEADS), str(ACTIVITIES), str(SEED)],
            check=True,
        )
    return prepare(marts_workdir, LEADS, ACTIVITIES, SEED)  # cached: a copy of the file


@contextmanager
def stopwatch(functions: list[tuple[ModuleType, str]]) -> Iterator[dict[str, float]]:
    """Seconds spent in each ``module.function`` while inside (the name is replaced in its module
    by a timing wrapper, so callers that look it up there are timed; restored on exit)."""
    spent: dict[str, float] = defaultdict(float)
    originals = []
    for module, name in functions:
        original = getattr(module, name)
        key = f"{module.__name__.removeprefix('ml.')}.{name}"

        def timed(*args, _original=original, _key=key, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_key] += time.perf_counter() - started

        setattr(module, name, timed)
        originals.append((module, name, original))
    try:
        yield spent
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def breakdown(spent: dict[str, float], total: float) -> None:
    print(
        "    where the time went: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items())
        + f" (of {total:.1f} s; calls nest)"
    )


def million_rows(rows, count: int):
    """``rows`` repeated (lead ids made unique) to ``count`` rows."""
    import polars as pl

    copies = -(-count // max(rows.height, 1))
    return pl.concat(
        [
            rows.with_columns((pl.col("lead_id") + f"~{copy}") if copy else pl.col("lead_id"))
            for copy in range(copies)
        ]
    ).head(count)


def run(workdir: Path, marts_workdir: Path) -> list[Check]:
    import shutil

    import ml.explain
    import ml.scoring
    import ml.train
    import ml.workflow
    from bench.marts_sample import counts
    from ml.config import load_model_config
    from ml.features import scoring_rows
    from ml.registry import LocalModelRegistry
    from ml.scoring import score_with_model
    from ml.workflow import score_open_leads, train_candidate

    data = prepared(marts_workdir)
    leads, activities = counts(data)
    folder = workdir / "scale"
    shutil.rmtree(folder, ignore_errors=True)
    registry = LocalModelRegistry(folder / "registry")
    config = load_model_config()
    baseline_mib = peak_rss_mib()
    print(f"{leads:,} leads, {activities:,} activities, as of {AS_OF:%Y-%m-%d}; config/model.yml", flush=True)

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb") as conn:
        print("train_candidate ...", flush=True)
        with stopwatch(
            [
                (ml.workflow, "training_examples"),
                (ml.workflow, "train_conversion_model"),
                (ml.workflow, "save_plots"),
                (ml.train, "effect_tables"),
                (ml.train, "importance_order"),
                (ml.train, "reference_bins"),
                (ml.train, "data_fingerprint"),
                (ml.train, "time_ordered_split"),
                (ml.train, "model_frame"),
            ]
        ) as spent:
            started = time.perf_counter()
            version = train_candidate(conn, registry, config, AS_OF, progress=progress)
            train_seconds = time.perf_counter() - started
        breakdown(spent, train_seconds)
        card = registry.card(version)
        registry.promote(version, "make bench-model")

        print("score_open_leads + write_scores ...", flush=True)
        with stopwatch(
            [
                (ml.workflow, "scoring_rows"),
                (ml.workflow, "training_examples"),
                (ml.workflow, "score_with_model"),
                (ml.workflow, "drift_of"),
                (ml.scoring, "explain"),
                (ml.scoring, "_finish"),
                (ml.workflow, "write_scores"),
            ]
        ) as spent:
            started = time.perf_counter()
            scored = score_open_leads(conn, registry, config, AS_OF)
            ml.workflow.write_scores(conn, scored.scores)
            score_seconds = time.perf_counter() - started
        breakdown(spent, score_seconds)
        written = conn.sql("select count(*) from ml.lead_scores").fetchone()[0]

        rows = scoring_rows(conn, AS_OF, config)
    million = million_rows(rows, SCORE_ROWS)
    del rows
    model, reference = registry.load(version), registry.reference(version)
    print(f"score_with_model on {million.height:,} rows ...", flush=True)
    with stopwatch([(ml.scoring, "model_frame"), (ml.scoring, "explain"), (ml.scoring, "_finish")]) as spent:
        with stopwatch([(ml.explain, "effects")]) as inner:
            started = time.perf_counter()
            million_scored = score_with_model(
                million, model, card | {"version": version}, reference, config, AS_OF
            )
            million_seconds = time.perf_counter() - started
    breakdown(spent | inner, million_seconds)
    peak = peak_rss_mib()

    metrics, baseline = card["metrics"]["holdout"], card["baseline"]["holdout"]
    print(f"\n{leads:,} leads, {activities:,} activities, as of {AS_OF:%Y-%m-%d}, 2 cores")
    figure("training rows (train/val/cal/holdout)", f"{sum(card['data']['rows'].values()):,}")
    print("    " + ", ".join(f"{k} {v:,}" for k, v in card["data"]["rows"].items()))
    figure("estimator", card["estimator"])
    figure("holdout ROC AUC (rule score's)", f"{metrics['roc_auc']:.4f} ({baseline['roc_auc']:.4f})")
    figure("holdout ECE", f"{metrics['ece']:.4f}")
    figure("open leads scored and written", f"{written:,}")
    figure("1M-row scoring: rows scored", f"{million_scored.scores.height:,}")
    figure("peak memory before the timed steps (MiB)", f"{baseline_mib:,.0f}")
    checks = [
        Check(
            "training set + training (s)",
            f"{train_seconds:.1f}",
            f"< {TARGET_TRAIN_SECONDS:.0f}",
            train_seconds < TARGET_TRAIN_SECONDS,
        ),
        Check(
            f"score {written:,} open leads + write (s)",
            f"{score_seconds:.1f}",
            f"< {TARGET_SCORE_SECONDS:.0f}",
            score_seconds < TARGET_SCORE_SECONDS,
        ),
        Check(
            f"score_with_model, {million_scored.scores.height:,} rows (s)",
            f"{million_seconds:.1f}",
            f"< {TARGET_SCORE_SECONDS:.0f}",
            million_seconds < TARGET_SCORE_SECONDS,
        ),
        Check("peak memory (MiB)", f"{peak:,.0f}", f"< {TARGET_PEAK_MIB:,}", peak < TARGET_PEAK_MIB),
    ]
    show(checks)
    return checks
