"""The benchmark's scores, on examples small enough to count by hand."""

import polars as pl
import pytest

from bench.er.metrics import blocking_recall, cluster_metrics

# Entities: 1 = {a, b, c}, 2 = {d, e}, 3 = {f}. True pairs: ab, ac, bc, de.
TRUTH = pl.DataFrame({"record_id": list("abcdef"), "true_id": ["1", "1", "1", "2", "2", "3"]})


def clusters(*groups: str) -> pl.DataFrame:
    """clusters("ab", "cde") -> a, b in cluster 0; c, d, e in cluster 1."""
    return pl.DataFrame(
        [(record, index) for index, group in enumerate(groups) for record in group],
        schema=["record_id", "cluster_id"],
        orient="row",
    )


def test_split_and_merge():
    # Predicted pairs: ab | cd, ce, de -> 4; correct: ab, de -> 2.
    m = cluster_metrics(TRUTH, clusters("ab", "cde", "f"))
    assert (m.true_pairs, m.predicted_pairs, m.correct_pairs) == (4, 4, 2)
    assert (m.pairwise_precision, m.pairwise_recall, m.pairwise_f1) == (0.5, 0.5, 0.5)
    # Per record precision: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3, f 1 -> 14/3 over 6 records.
    # Per record recall:    a 2/3, b 2/3, c 1/3, d 2/2, e 2/2, f 1 -> 14/3 over 6 records.
    assert m.bcubed_precision == pytest.approx(7 / 9)
    assert m.bcubed_recall == pytest.approx(7 / 9)
    assert m.bcubed_f1 == pytest.approx(7 / 9)
    assert m.records == 6 and m.unpredicted_records == 0


def test_everything_in_one_cluster():
    m = cluster_metrics(TRUTH, clusters("abcdef"))
    assert (m.predicted_pairs, m.correct_pairs) == (15, 4)
    assert m.pairwise_precision == pytest.approx(4 / 15)
    assert m.pairwise_recall == 1.0
    assert m.pairwise_f1 == pytest.approx(2 * (4 / 15) / (1 + 4 / 15))
    # Precision: a, b, c 3/6 each, d, e 2/6 each, f 1/6 -> 7/3 over 6 records.
    assert m.bcubed_precision == pytest.approx(7 / 18)
    assert m.bcubed_recall == 1.0


def test_all_singletons_claim_nothing_and_find_nothing():
    m = cluster_metrics(TRUTH, clusters(*"abcdef"))
    assert (m.predicted_pairs, m.pairwise_precision, m.pairwise_recall, m.pairwise_f1) == (0, 1.0, 0.0, 0.0)
    # Recall: a, b, c 1/3 each, d, e 1/2 each, f 1 -> 3 over 6 records.
    assert (m.bcubed_precision, m.bcubed_recall) == pytest.approx((1.0, 0.5))  # float sums in any order


def test_perfect_prediction_with_other_cluster_labels_and_types():
    prediction = pl.DataFrame({"record_id": list("fedcba"), "cluster_id": [7, 9, 9, 3, 3, 3]})
    m = cluster_metrics(TRUTH, prediction)
    assert (m.pairwise_f1, m.bcubed_f1) == (1.0, 1.0)


def test_records_left_out_of_the_prediction_are_singletons():
    m = cluster_metrics(TRUTH, clusters("ab", "de"))  # c and f missing
    assert m.unpredicted_records == 2
    assert (m.predicted_pairs, m.correct_pairs, m.pairwise_precision, m.pairwise_recall) == (2, 2, 1.0, 0.5)


def test_missing_records_do_not_merge_with_each_other():
    truth = pl.DataFrame({"record_id": ["x", "y"], "true_id": ["1", "1"]})
    m = cluster_metrics(truth, clusters())
    assert (m.unpredicted_records, m.predicted_pairs, m.pairwise_recall) == (2, 0, 0.0)


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        (clusters("abz"), "not in the truth"),
        (clusters("ab", "b"), "more than once"),
        (pl.DataFrame({"record_id": ["a"], "cluster": [1]}), "cluster_id"),
    ],
)
def test_bad_predictions_are_refused(prediction, message):
    with pytest.raises(ValueError, match=message):
        cluster_metrics(TRUTH, prediction)


# FEBRL4-like link-only task. Files a and b; entity 4 has two records in file a.
LINK_TRUTH = pl.DataFrame(
    {
        "record_id": ["a1", "b1", "a2", "b2", "a4", "a4x", "b4"],
        "true_id": ["1", "1", "2", "2", "4", "4", "4"],
        "source_dataset": ["a", "b", "a", "b", "a", "a", "b"],
    }
)
LINK_PREDICTION = clusters(["a1", "b1", "a2"], ["b2"], ["a4", "a4x", "b4"])


def test_link_only_ignores_pairs_within_one_file():
    m = cluster_metrics(LINK_TRUTH, LINK_PREDICTION, across_column="source_dataset")
    # True cross-file pairs: a1-b1, a2-b2, a4-b4, a4x-b4 (a4-a4x is within file a).
    # Predicted cross-file pairs: a1-b1, a2-b1 | a4-b4, a4x-b4 (a1-a2 and a4-a4x ignored).
    assert (m.true_pairs, m.predicted_pairs, m.correct_pairs) == (4, 4, 3)
    assert (m.pairwise_precision, m.pairwise_recall) == (0.75, 0.75)


def test_without_the_link_only_rule_every_pair_counts():
    m = cluster_metrics(LINK_TRUTH, LINK_PREDICTION)
    # True: a1-b1, a2-b2, a4-a4x, a4-b4, a4x-b4. Predicted: 3 + 3; correct: a1-b1 and entity 4's 3.
    assert (m.true_pairs, m.predicted_pairs, m.correct_pairs) == (5, 6, 4)


def test_link_only_rule_needs_the_column_in_the_truth():
    with pytest.raises(ValueError, match="source_dataset"):
        cluster_metrics(TRUTH, clusters("abcdef"), across_column="source_dataset")


def test_scores_a_million_records_without_listing_pairs():
    n = 1_000_000
    truth = pl.DataFrame({"record_id": pl.int_range(n, eager=True).cast(pl.String), "true_id": ["p"] * n})
    # One cluster of everyone: 499,999,500,000 pairs, all correct.
    m = cluster_metrics(truth, truth.select("record_id", pl.lit(0).alias("cluster_id")))
    assert m.predicted_pairs == m.true_pairs == m.correct_pairs == n * (n - 1) // 2
    assert (m.pairwise_f1, m.bcubed_f1) == (1.0, 1.0)


def pairs(*items: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(list(items), schema=["record_id_l", "record_id_r"], orient="row")


def test_blocking_recall_counts_each_unordered_true_pair_once():
    # True pairs ab, ac, bc, de; candidates cover ab (twice, both ways), ac and de.
    candidates = pairs(("b", "a"), ("a", "b"), ("c", "a"), ("d", "e"), ("a", "d"), ("a", "a"))
    assert blocking_recall(candidates, TRUTH) == 0.75


def test_blocking_recall_link_only():
    # Cross-file true pairs: a1-b1, a2-b2, a4-b4, a4x-b4; the a4-a4x candidate does not count.
    candidates = pairs(("a1", "b1"), ("a4", "a4x"), ("b4", "a4"), ("a2", "b1"))
    assert blocking_recall(candidates, LINK_TRUTH, across_column="source_dataset") == 0.5
    assert blocking_recall(candidates, LINK_TRUTH) == 0.6


def test_blocking_recall_without_true_pairs_is_complete():
    truth = pl.DataFrame({"record_id": ["a", "b"], "true_id": ["1", "2"]})
    assert blocking_recall(pairs(("a", "b")), truth) == 1.0
