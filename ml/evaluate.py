"""How good a probability is: discrimination (ROC AUC, PR AUC, lift and capture in the top
decile), accuracy (Brier, log loss) and calibration (expected calibration error), and the model
card's plots (calibration curve, ROC curve) as PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score, roc_curve

ECE_BINS = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |observed rate - mean probability| over ``bins`` equal-count bins of the probability,
    weighted by the bin's rows. Equal-count, not equal-width: conversion probabilities crowd near
    zero, and equal-width bins would judge the upper range on a handful of leads."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if len(y) == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    error = 0.0
    for chunk in np.array_split(order, min(bins, len(order))):
        error += len(chunk) * abs(y[chunk].mean() - p[chunk].mean())
    return float(error / len(y))


def top_decile(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """(lift, capture) of the 10 % highest scores: their conversion rate over the overall rate,
    and the share of all conversions they hold. Ties at the boundary are broken by row order."""
    y, score = np.asarray(y, dtype=float), np.asarray(score, dtype=float)
    n = max(1, int(round(len(y) * 0.1)))
    top = np.argsort(-score, kind="stable")[:n]
    positives = y.sum()
    if positives == 0:
        return float("nan"), float("nan")
    return float(y[top].mean() / y.mean()), float(y[top].sum() / positives)


def ranking_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """What a score's order alone says (any scale: a rule score works as well as a probability)."""
    lift, capture = top_decile(y, score)
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
        "top_decile_lift": lift,
        "top_decile_capture": capture,
    }


def probability_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Ranking plus accuracy and calibration of a probability."""
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return ranking_metrics(y, p) | {
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "ece": expected_calibration_error(y, p),
        "mean_probability": float(p.mean()),
        "observed_rate": float(np.mean(y)),
    }


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Per equal-count bin: rows, mean probability, observed rate (the calibration plot's points)."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    return [
        {"rows": int(len(c)), "mean_probability": float(p[c].mean()), "observed_rate": float(y[c].mean())}
        for c in np.array_split(order, min(bins, len(order)))
        if len(c)
    ]


def save_plots(
    folder: Path, y: np.ndarray, p: np.ndarray, rule: tuple[np.ndarray, np.ndarray] | None, title: str
) -> list[str]:
    """``calibration.png`` (observed rate against predicted probability per bin) and ``roc.png``
    (the model's ROC curve beside the rule score's) in ``folder``; returns the file names."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    table = calibration_table(y, p)
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    top = max(max(r["mean_probability"] for r in table), max(r["observed_rate"] for r in table), 0.05) * 1.05
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot(
        [r["mean_probability"] for r in table],
        [r["observed_rate"] for r in table],
        marker="o",
        label=f"model (ECE {expected_calibration_error(y, p):.3f})",
    )
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="predicted probability", ylabel="observed conversion rate")
    ax.set_title(f"Calibration on the holdout\n{title}", fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "calibration.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    fpr, tpr, _ = roc_curve(y, p)
    ax.plot(fpr, tpr, label=f"model (AUC {roc_auc_score(y, p):.3f})")
    if rule is not None:  # (outcomes, scores) of the rows that have a rule score
        fpr, tpr, _ = roc_curve(*rule)
        ax.plot(fpr, tpr, label=f"rule score (AUC {roc_auc_score(*rule):.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate")
    ax.set_title(f"ROC on the holdout\n{title}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "roc.png")
    plt.close(fig)
    return ["calibration.png", "roc.png"]
