"""What every part of make bench-model prints: a figure beside the target it is held to.

A ``Check`` is one target (``passed`` or missed); ``show`` prints it as

    holdout ROC AUC                 0.9132   target: >= 0.90                      pass

and the part's process exits 1 when any of its checks missed (bench/model/run.py).
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Check:
    label: str
    value: str  # the figure, formatted
    target: str  # what it is held to, in words
    passed: bool


def show(checks: list[Check]) -> None:
    for c in checks:
        print(f"  {c.label:<44}{c.value:>12}   target: {c.target:<34}{'pass' if c.passed else 'MISSED'}")


def figure(label: str, value: str) -> None:
    """A figure with no target of its own (context for the ones that have one)."""
    print(f"  {label:<44}{value:>12}")


def at_least(label: str, value: float, floor: float, digits: int = 4) -> Check:
    return Check(label, f"{value:.{digits}f}", f">= {floor:g}", bool(value >= floor))


def at_most(label: str, value: float, ceiling: float, digits: int = 4) -> Check:
    return Check(label, f"{value:.{digits}f}", f"<= {ceiling:g}", bool(value <= ceiling))


def auc_interval(y: np.ndarray, score: np.ndarray, resamples: int = 300) -> tuple[float, float]:
    """A 95 % bootstrap interval of the ROC AUC (rows resampled with replacement): how far a
    holdout of this size lets the AUC wander."""
    rng = np.random.default_rng(0)
    y, score = np.asarray(y), np.asarray(score)
    values = []
    for _ in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        if 0 < y[pick].sum() < len(pick):
            values.append(auc(y[pick], score[pick]))
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def holdout_summary(card: dict, holdout=None) -> None:
    """The card's holdout figures and data, for context (with ``holdout``, the trained model's
    holdout rows, also the AUC's bootstrap interval)."""
    data, metrics, baseline = card["data"], card["metrics"]["holdout"], card["baseline"]
    figure("rows (train/validation/calibration/holdout)", "")
    print("    " + ", ".join(f"{k} {v:,} ({data['positives'][k]:,} won)" for k, v in data["rows"].items()))
    figure("features used", f"{len(card['features']['used'])}")
    if card["features"]["dropped"]:
        print("    dropped: " + ", ".join(f"{k} ({why})" for k, why in card["features"]["dropped"].items()))
    figure("candidates' validation ROC AUC", "")
    print(
        "    "
        + ", ".join(f"{k} {v['validation_roc_auc']:.4f}" for k, v in card["candidates"].items())
        + f"; chosen: {card['estimator']}, calibrated: {card['calibration']}"
    )
    figure("holdout ROC AUC", f"{metrics['roc_auc']:.4f}")
    if holdout is not None:
        low, high = auc_interval(holdout["label"].to_numpy(), holdout["probability"].to_numpy())
        figure("  95 % bootstrap interval", f"{low:.3f}-{high:.3f}")
    figure("holdout PR AUC", f"{metrics['pr_auc']:.4f}")
    figure("holdout ECE", f"{metrics['ece']:.4f}")
    figure("holdout Brier", f"{metrics['brier']:.4f}")
    figure("holdout top-decile lift", f"{metrics['top_decile_lift']:.2f}")
    figure("holdout top-decile capture", f"{metrics['top_decile_capture']:.1%}")
    if baseline:
        figure("rule-score baseline ROC AUC", f"{baseline['holdout']['roc_auc']:.4f}")
        print(f"    ({baseline['name']}; the model on the same rows: {baseline['model_roc_auc']:.4f})")
    else:
        figure("rule-score baseline", "none in the data")
    figure("training seconds (train_conversion_model)", f"{card['training_seconds']:.1f}")


def peak_rss_mib() -> float:
    """This process's resident-memory high-water mark (MiB): its whole life, DuckDB included."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))
