"""Drift: the population stability index (PSI) of each feature and of the score, between the
training rows and the newest leads, both as they looked at the first cutoff (ml.workflow.score_open_leads).

PSI = sum over bins of (now - then) x ln(now / then), with each share floored at 0.0001 so an empty
bin counts without dividing by zero. Bins: a number's deciles in the training data (plus one bin
for missing), a category's 20 most common training values (plus "other" and missing). Common
reading: below 0.1 stable, 0.1-0.25 a shift worth a look, above 0.25 a population the model was
not trained on (config ``drift``).

``lead_age_days`` is not compared: on both sides it is that cutoff.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

NOT_COMPARED = frozenset({"lead_age_days"})
TOP_CATEGORIES = 20
MIN_SHARE = 1e-4
MISSING = "(missing)"
OTHER = "(other)"
SCORE = "score"


def _numeric_edges(values: np.ndarray) -> list[float]:
    if values.size == 0:
        return []
    return sorted(set(np.quantile(values, np.linspace(0.1, 0.9, 9)).tolist()))


def _numeric_shares(column: pl.Series, edges: list[float]) -> list[float]:
    """Shares of: missing, then each bin (-inf, e0], (e0, e1], ..., (e_last, inf)."""
    total = max(column.len(), 1)
    values = column.drop_nulls().cast(pl.Float64).to_numpy()
    counts = np.bincount(np.searchsorted(np.asarray(edges), values, side="left"), minlength=len(edges) + 1)
    return [column.null_count() / total, *(counts / total).tolist()]


def _category_shares(column: pl.Series, categories: list[str]) -> list[float]:
    """Shares of: missing, each category, other."""
    total = max(column.len(), 1)
    counts = dict(column.drop_nulls().cast(pl.Utf8).value_counts().iter_rows())
    known = [counts.get(c, 0) / total for c in categories]
    return [column.null_count() / total, *known, max(0.0, 1 - column.null_count() / total - sum(known))]


def psi(expected: list[float], actual: list[float]) -> float:
    return float(
        sum(
            (max(a, MIN_SHARE) - max(e, MIN_SHARE)) * math.log(max(a, MIN_SHARE) / max(e, MIN_SHARE))
            for e, a in zip(expected, actual, strict=True)
        )
    )


def reference_bins(train: pl.DataFrame, kinds: dict[str, str], probabilities: np.ndarray) -> dict[str, Any]:
    """Each compared feature's bins and training shares, and the score's."""
    bins: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name in NOT_COMPARED:
            continue
        column = train[name]
        if kind == "categorical":
            counts = column.drop_nulls().cast(pl.Utf8).value_counts(sort=True)
            categories = counts.head(TOP_CATEGORIES).get_column(column.name).to_list()
            bins[name] = {"categories": categories, "shares": _category_shares(column, categories)}
        else:
            edges = _numeric_edges(column.drop_nulls().cast(pl.Float64).to_numpy())
            bins[name] = {"edges": edges, "shares": _numeric_shares(column, edges)}
    score = pl.Series(SCORE, probabilities, dtype=pl.Float64)
    edges = _numeric_edges(probabilities)
    bins[SCORE] = {"edges": edges, "shares": _numeric_shares(score, edges)}
    return bins


def drift_report(reference: dict[str, Any], now: pl.DataFrame, probabilities: np.ndarray) -> dict[str, float]:
    """PSI per compared feature (and ``score``) of ``now`` against the training reference."""
    report = {}
    for name, ref in reference.items():
        if name == SCORE:
            column = pl.Series(SCORE, probabilities, dtype=pl.Float64)
        elif name in now.columns:
            column = now[name]
        else:
            continue
        if "categories" in ref:
            shares = _category_shares(column, ref["categories"])
        else:
            shares = _numeric_shares(column, ref["edges"])
        report[name] = round(psi(ref["shares"], shares), 6)
    return report


def drift_verdict(report: dict[str, float], warn: float, fail: float) -> tuple[str, list[str]]:
    """("ok" | "warn" | "fail", the features above ``warn``, largest first)."""
    shifted = sorted((n for n, v in report.items() if v > warn), key=lambda n: -report[n])
    if any(report[n] > fail for n in shifted):
        return "fail", shifted
    return ("warn" if shifted else "ok"), shifted
