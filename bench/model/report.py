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


def holdout_summary(card: dict) -> None:
    """The card's holdout figures and data, for context."""
    data, metrics, baseline = card["data"], card["metrics"]["holdout"], card["baseline"]
    figure("rows (train/validation/calibration/holdout)", "")
    print("    " + ", ".join(f"{k} {v:,} ({data['positives'][k]:,} won)" for k, v in data["rows"].items()))
    figure("features used", f"{len(card['features']['used'])}")
    if card["features"]["dropped"]:
        print("    dropped: " + ", ".join(f"{k} ({why})" for k, why in card["features"]["dropped"].items()))
    figure(
        "candidates' validation ROC AUC",
        "",
    )
    print(
        "    "
        + ", ".join(f"{k} {v['validation_roc_auc']:.4f}" for k, v in card["candidates"].items())
        + f"; chosen: {card['estimator']}, calibrated: {card['calibration']}"
    )
    figure("holdout ROC AUC", f"{metrics['roc_auc']:.4f}")
    figure("holdout PR AUC", f"{metrics['pr_auc']:.4f}")
    figure("holdout ECE", f"{metrics['ece']:.4f}")
    figure("holdout Brier", f"{metrics['brier']:.4f}")
    figure("holdout top-decile lift", f"{metrics['top_decile_lift']:.2f}")
    figure("holdout top-decile capture", f"{metrics['top_decile_capture']:.1%}")
    figure(f"baseline ROC AUC ({baseline['name'][:20]})", f"{baseline['holdout']['roc_auc']:.4f}")
    figure("training seconds (train_conversion_model)", f"{card['training_seconds']:.1f}")


def peak_rss_mib() -> float:
    """This process's resident-memory high-water mark (MiB): its whole life, DuckDB included."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))
