"""What int_er_records_clustered adds to the clusters: each cluster keyed by its smallest record key,
each record's strongest link holding it there, and the fast-write statement it runs."""

from __future__ import annotations

import polars as pl
import pytest

from entity_resolution.clustering import cluster_pairs, key_clusters_by_record_key, strongest_links
from entity_resolution.fast_write import MACRO_FILE, fast_write_begin_sql

# Integer ids as the model clusters them, and the keys people read: id order is not key order.
KEYS = {30: "chat:C-1", 10: "web_forms:W-1", 20: "ad_leads:A-1", 40: "walk_ins:K-1", 50: "events:E-1"}
RECORDS = pl.DataFrame(
    {"record_id": list(KEYS), "record_key": list(KEYS.values()), "first_seen_at": [1, 2, 3, 4, 5]}
)


def links(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "record_key_l": pl.Int64,
            "record_key_r": pl.Int64,
            "match_probability": pl.Float64,
            "evidence": pl.String,
        },
        orient="row",
    )


def reviews(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"record_key_l": pl.Int64, "record_key_r": pl.Int64, "reviewer": pl.String}, orient="row"
    )


def test_a_cluster_is_keyed_by_its_smallest_record_key_not_its_smallest_id():
    # 10, 20, 30 are one person; 40 and 50 are alone.
    clusters = cluster_pairs(RECORDS["record_id"], links((10, 20, 0.99, "e"), (20, 30, 0.98, "e")))
    keyed = key_clusters_by_record_key(clusters, RECORDS).sort("record_id")
    assert keyed.columns == [
        "record_id",
        "cluster_id",
        "cluster_size",
        "record_key",
        "first_seen_at",
        "cluster_key",
    ]
    assert dict(keyed.select("record_id", "cluster_key").iter_rows()) == {
        10: "ad_leads:A-1",
        20: "ad_leads:A-1",
        30: "ad_leads:A-1",  # the cluster of id 10 is keyed ad_leads:A-1
        40: "walk_ins:K-1",
        50: "events:E-1",  # alone: its own key
    }
    assert keyed.filter(pl.col("record_id") == 30)["cluster_id"].item() == 10
    assert keyed["first_seen_at"].to_list() == [2, 3, 1, 4, 5]  # the records' columns come along


def test_each_record_is_explained_by_its_most_probable_link_inside_its_cluster():
    scored = links((10, 20, 0.99, "email:exact"), (20, 30, 0.96, "phone:exact"), (10, 30, 0.97, "name:exact"))
    held = strongest_links(cluster_pairs(RECORDS["record_id"], scored), scored, reviews()).sort("record_key")
    assert held.rows() == [(10, 0.99, "email:exact"), (20, 0.99, "email:exact"), (30, 0.97, "name:exact")]


def test_a_link_the_guard_refused_explains_nothing():
    # 30 links to both 10 and 40, which are two different people: it joins 10 (the stronger), and
    # its link to 40 holds nothing: 40 stays alone, without a link.
    scored = links((10, 30, 0.99, "strong"), (30, 40, 0.98, "weak"))
    against = pl.DataFrame({"record_key_l": [10], "record_key_r": [40]})
    clusters = cluster_pairs(RECORDS["record_id"], scored, cannot_links=against)
    held = strongest_links(clusters, scored, reviews()).sort("record_key")
    assert held.rows() == [(10, 0.99, "strong"), (30, 0.99, "strong")]


def test_a_reviewers_confirmation_holds_with_probability_one():
    scored = links((10, 20, 0.99, "email:exact"))
    confirmed = reviews((20, 40, "ana"), (40, 50, None))
    clusters = cluster_pairs(RECORDS["record_id"], scored, confirmed=confirmed)
    held = dict((k, (p, why)) for k, p, why in strongest_links(clusters, scored, confirmed).rows())
    assert held == {
        10: (0.99, "email:exact"),
        20: (1.0, "confirmed by reviewer ana"),
        40: (1.0, "confirmed by reviewer ana"),  # ties at 1.0: the first evidence in alphabetical order
        50: (1.0, "confirmed by reviewer unknown"),
    }


def test_ties_go_to_the_evidence_first_in_alphabetical_order_whatever_the_input_order():
    scored = links((10, 20, 0.97, "b"), (10, 30, 0.97, "a"))
    clusters = cluster_pairs(RECORDS["record_id"], scored)
    first = strongest_links(clusters, scored, reviews()).sort("record_key")
    again = strongest_links(clusters, scored.reverse(), reviews()).sort("record_key")
    assert first.equals(again)
    assert first.filter(pl.col("record_key") == 10)["matched_by"].item() == "a"


def test_the_fast_write_statement_is_the_macros():
    assert fast_write_begin_sql() == "set disabled_compression_methods = 'fsst,dictionary'"
    assert "{% macro duckdb__er_fast_write_begin() -%}" + fast_write_begin_sql() in MACRO_FILE.read_text()


def test_a_macro_file_without_the_statement_fails_loudly(tmp_path):
    macros = tmp_path / "er_similarity.sql"
    macros.write_text("{% macro duckdb__er_fast_write_begin() -%}{%- endmacro %}\n")
    with pytest.raises(RuntimeError, match="no macro duckdb__er_fast_write_begin"):
        fast_write_begin_sql(macros)
