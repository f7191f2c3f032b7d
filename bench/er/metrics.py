"""How good a clustering is, against the truth: pairwise and B-cubed precision, recall and F1.

Everything is computed from record counts per (predicted cluster, true entity) group, never by
listing pairs, so a million records cost a couple of group-bys. Only polars and numpy are
imported: the tests run in the main environment.

Pairwise: a pair of records is *predicted* when both are in one cluster and *true* when both
belong to one entity. A group of n records holds n(n-1)/2 pairs. In a link-only task (FEBRL4:
every record of file A has its match in file B) pairs of records from the same file are not
part of the task; ``across_column`` names the truth column whose equal values make a pair
ignored, and a group then holds (n^2 - sum of n_s^2)/2 pairs, n_s counting each value s.

B-cubed: per record, precision = |its cluster ∩ its entity| / |its cluster| and recall =
|its cluster ∩ its entity| / |its entity|, averaged over records; F1 is their harmonic mean.
It rewards getting most of each record's neighbourhood right instead of counting pairs, so one
giant wrong cluster costs less than in pairwise precision.

Empty denominators: with no predicted pairs precision is 1.0 (no claim was wrong), with no true
pairs recall is 1.0 (nothing was missed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

RECORD_ID = "record_id"
TRUE_ID = "true_id"
CLUSTER_ID = "cluster_id"


@dataclass(frozen=True)
class ClusterMetrics:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    # Records in the truth the prediction left out; they are scored as singletons.
    unpredicted_records: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def _check_unique(frame: pl.DataFrame, what: str) -> None:
    duplicated = frame.height - frame[RECORD_ID].n_unique()
    if duplicated:
        raise ValueError(f"{what}: {duplicated} record_id values appear more than once")


def _pairs_within(groups: pl.DataFrame, keys: list[str], across_column: str | None) -> int:
    """Pairs of records sharing ``keys`` (each row of ``groups`` is one record)."""
    sizes = groups.group_by(keys).agg(pl.len().cast(pl.Int64).alias("n"))
    if across_column is None:
        return int(sizes.select((pl.col("n") * (pl.col("n") - 1) // 2).sum()).item())
    same_source = (
        groups.group_by([*keys, across_column])
        .agg(pl.len().cast(pl.Int64).alias("n_s"))
        .group_by(keys)
        .agg((pl.col("n_s") ** 2).sum().alias("sum_n_s_squared"))
    )
    return int(
        sizes.join(same_source, on=keys)
        .select(((pl.col("n") ** 2 - pl.col("sum_n_s_squared")) // 2).sum())
        .item()
    )


def _labelled(
    truth: pl.DataFrame, prediction: pl.DataFrame, across_column: str | None
) -> tuple[pl.DataFrame, int]:
    """One row per truth record with its true_id, cluster_id (and across_column)."""
    truth_columns = [RECORD_ID, TRUE_ID] + ([across_column] if across_column else [])
    missing = [c for c in truth_columns if c not in truth.columns]
    if missing:
        raise ValueError(f"truth: missing column(s) {missing}; it has {truth.columns}")
    if missing := [c for c in (RECORD_ID, CLUSTER_ID) if c not in prediction.columns]:
        raise ValueError(f"prediction: missing column(s) {missing}; it has {prediction.columns}")
    truth = truth.select(
        pl.col(RECORD_ID).cast(pl.String), pl.col(TRUE_ID).cast(pl.String), *truth_columns[2:]
    )
    prediction = prediction.select(pl.col(RECORD_ID).cast(pl.String), pl.col(CLUSTER_ID).cast(pl.String))
    _check_unique(truth, "truth")
    _check_unique(prediction, "prediction")
    unknown = prediction.join(truth, on=RECORD_ID, how="anti").height
    if unknown:
        raise ValueError(f"prediction: {unknown} record_id values are not in the truth")
    labelled = truth.join(prediction, on=RECORD_ID, how="left")
    unpredicted = labelled[CLUSTER_ID].null_count()
    # A record the prediction left out is a cluster of its own ("\0" cannot clash with real ids).
    labelled = labelled.with_columns(pl.col(CLUSTER_ID).fill_null(pl.lit("\0") + pl.col(RECORD_ID)))
    return labelled, unpredicted


def cluster_metrics(
    truth: pl.DataFrame, prediction: pl.DataFrame, *, across_column: str | None = None
) -> ClusterMetrics:
    """Score ``prediction`` (record_id, cluster_id) against ``truth`` (record_id, true_id).

    ``across_column``: a truth column (e.g. ``source_dataset``); pairs of records with equal
    values in it count neither as predicted nor as true pairs (link-only tasks). It does not
    change B-cubed, which scores clusters as they are.
    """
    labelled, unpredicted = _labelled(truth, prediction, across_column)

    true_pairs = _pairs_within(labelled, [TRUE_ID], across_column)
    predicted_pairs = _pairs_within(labelled, [CLUSTER_ID], across_column)
    correct_pairs = _pairs_within(labelled, [CLUSTER_ID, TRUE_ID], across_column)
    pairwise_precision = _ratio(correct_pairs, predicted_pairs)
    pairwise_recall = _ratio(correct_pairs, true_pairs)

    # Sum over (cluster, entity) groups of n_ct * (n_ct / n_c) is the sum of per-record precision.
    bcubed = (
        labelled.group_by([CLUSTER_ID, TRUE_ID])
        .agg(pl.len().cast(pl.Float64).alias("n_ct"))
        .with_columns(
            pl.col("n_ct").sum().over(CLUSTER_ID).alias("n_c"),
            pl.col("n_ct").sum().over(TRUE_ID).alias("n_t"),
        )
        .select(
            (pl.col("n_ct") ** 2 / pl.col("n_c")).sum().alias("precision"),
            (pl.col("n_ct") ** 2 / pl.col("n_t")).sum().alias("recall"),
        )
    )
    records = labelled.height
    bcubed_precision = _ratio(bcubed["precision"].item() or 0.0, records)
    bcubed_recall = _ratio(bcubed["recall"].item() or 0.0, records)

    return ClusterMetrics(
        records=records,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct_pairs,
        pairwise_precision=pairwise_precision,
        pairwise_recall=pairwise_recall,
        pairwise_f1=_f1(pairwise_precision, pairwise_recall),
        bcubed_precision=bcubed_precision,
        bcubed_recall=bcubed_recall,
        bcubed_f1=_f1(bcubed_precision, bcubed_recall),
        unpredicted_records=unpredicted,
    )


def blocking_recall(
    candidate_pairs: pl.DataFrame, truth: pl.DataFrame, *, across_column: str | None = None
) -> float:
    """Share of the true pairs that appear among ``candidate_pairs`` (record_id_l, record_id_r).

    Pairs may come in either orientation and more than once (several blocking rules); each
    unordered pair counts once. ``across_column`` as in :func:`cluster_metrics`.
    """
    if missing := [c for c in ("record_id_l", "record_id_r") if c not in candidate_pairs.columns]:
        raise ValueError(f"candidate_pairs: missing column(s) {missing}; it has {candidate_pairs.columns}")
    truth_columns = [RECORD_ID, TRUE_ID] + ([across_column] if across_column else [])
    truth = truth.select(
        pl.col(RECORD_ID).cast(pl.String), pl.col(TRUE_ID).cast(pl.String), *truth_columns[2:]
    )
    _check_unique(truth, "truth")
    true_pairs = _pairs_within(truth, [TRUE_ID], across_column)
    if not true_pairs:
        return 1.0

    left = pl.col("record_id_l").cast(pl.String)
    right = pl.col("record_id_r").cast(pl.String)
    pairs = (
        candidate_pairs.select(
            pl.min_horizontal(left, right).alias("a"), pl.max_horizontal(left, right).alias("b")
        )
        .filter(pl.col("a") != pl.col("b"))
        .unique()
    )
    side_a = truth.rename({c: f"{c}_a" for c in truth.columns})
    side_b = truth.rename({c: f"{c}_b" for c in truth.columns})
    found = (
        pairs.join(side_a, left_on="a", right_on=f"{RECORD_ID}_a")
        .join(side_b, left_on="b", right_on=f"{RECORD_ID}_b")
        .filter(pl.col(f"{TRUE_ID}_a") == pl.col(f"{TRUE_ID}_b"))
    )
    if across_column:
        found = found.filter(pl.col(f"{across_column}_a") != pl.col(f"{across_column}_b"))
    return found.height / true_pairs
