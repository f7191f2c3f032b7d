"""Every lead record with the lead (person) it belongs to.

A dbt Python model because this is where SQL is the wrong tool: growing clusters edge by edge
with a guard against chaining, and carrying lead ids over from the previous run. The logic is
plain Python in the `entity_resolution` package (unit-tested there); this model only feeds it.
Incremental: the previous run's ids are read from this table before it is replaced.
"""

from datetime import datetime, timezone

import polars as pl

from entity_resolution.clustering import cluster_pairs
from entity_resolution.identity import assign_lead_ids


def strongest_links(clusters: pl.DataFrame, links: pl.DataFrame, confirmed: pl.DataFrame) -> pl.DataFrame:
    """For each record, the most probable link that holds it in its cluster, and its evidence.
    Keys as cluster_pairs takes them (record_key_l, record_key_r; here integer record ids)."""
    cluster_of = clusters.select("record_key", "cluster_key")
    evidence = pl.concat(
        [
            links.select("record_key_l", "record_key_r", "match_probability", "evidence"),
            confirmed.select(
                "record_key_l",
                "record_key_r",
                pl.lit(1.0).alias("match_probability"),
                pl.format("confirmed by reviewer {}", pl.col("reviewer").fill_null("unknown")).alias("evidence"),
            ),
        ]
    )
    inside = (
        evidence.join(cluster_of.rename({"record_key": "record_key_l", "cluster_key": "cluster_l"}), on="record_key_l")
        .join(cluster_of.rename({"record_key": "record_key_r", "cluster_key": "cluster_r"}), on="record_key_r")
        .filter(pl.col("cluster_l") == pl.col("cluster_r"))
    )
    both_ends = pl.concat(
        [
            inside.select(pl.col("record_key_l").alias("record_key"), "match_probability", "evidence"),
            inside.select(pl.col("record_key_r").alias("record_key"), "match_probability", "evidence"),
        ]
    )
    return (
        both_ends.sort(["record_key", "match_probability", "evidence"], descending=[False, True, False])
        .unique("record_key", keep="first")
        .rename({"evidence": "matched_by"})
    )


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="record_key", incremental_strategy="delete+insert")

    # As er_fast_write_begin does for the SQL working tables (a pre-hook here lost dbt-duckdb's
    # temporary table on incremental runs); the post-hook in _entity_resolution__models.yml resets it.
    session.execute("set disabled_compression_methods = 'fsst,dictionary'")
    records = dbt.ref("int_er_records_prepared").project("record_id, record_key, first_seen_at").pl()
    # Only cannot-links between records that have a link (or a reviewer's confirmation) can ever
    # stop a merge; the filter runs in the database, not in Python. Pairs are integer record ids.
    scored = dbt.ref("int_er_pairs_scored").query(
        "scored",
        """
        with linked as (
            select record_id_l as record_id from scored where decision = 'match'
            union select record_id_r from scored where decision = 'match'
        )
        select record_id_l as record_key_l, record_id_r as record_key_r, match_probability, evidence, decision
        from scored
        where decision = 'match'
            or (decision = 'cannot_link'
                and record_id_l in (select record_id from linked)
                and record_id_r in (select record_id from linked))
        """,
    ).pl()
    reviews = dbt.ref("int_er_review_decisions").project(
        "record_id_l as record_key_l, record_id_r as record_key_r, decision, reviewer"
    ).pl()
    previous = session.sql(f"select record_key, lead_id from {dbt.this}").pl() if dbt.is_incremental else None

    links = scored.filter(pl.col("decision") == "match")
    confirmed = reviews.filter(pl.col("decision") == "match")
    clusters = cluster_pairs(
        records["record_id"],
        links,
        cannot_links=scored.filter(pl.col("decision") == "cannot_link"),
        confirmed=confirmed,
        rejected=reviews.filter(pl.col("decision") == "no_match"),
    )
    # Clusters are found on ids; a cluster's key (from which a new lead id derives) is its
    # smallest record key, as people read it.
    # (Most clusters are one record, its own key: only the others need a minimum.)
    by_id = clusters.rename({"record_key": "record_id", "cluster_key": "cluster_id"}).join(records, on="record_id")
    grouped = by_id.filter(pl.col("cluster_size") > 1)
    smallest = grouped.group_by("cluster_id").agg(cluster_key=pl.col("record_key").min())
    by_id = pl.concat(
        [
            by_id.filter(pl.col("cluster_size") == 1).with_columns(cluster_key=pl.col("record_key")),
            grouped.join(smallest, on="cluster_id"),
        ]
    )
    assigned = assign_lead_ids(by_id.select("record_key", "cluster_key", "first_seen_at"), previous)
    links_held = strongest_links(clusters, links, confirmed).rename({"record_key": "record_id"})

    return (
        by_id.join(assigned.select("record_key", "lead_id", "previous_lead_id"), on="record_key")
        .join(links_held, on="record_id", how="left")
        .select(
            "record_key",
            "lead_id",
            "previous_lead_id",
            # Not cluster_key: lead_id names the cluster (derived from cluster_key on its first
            # run), and a second unique string per record cost a second of writing at 1,000,000.
            "cluster_size",
            "match_probability",
            "matched_by",
            "first_seen_at",
            pl.lit(datetime.now(timezone.utc).replace(tzinfo=None), pl.Datetime("us")).alias("resolved_at"),
        )
    )
