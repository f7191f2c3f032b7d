"""Every lead record with the lead (person) it belongs to.

A dbt Python model because this is where SQL is the wrong tool: growing clusters edge by edge
with a guard against chaining, and carrying lead ids over from the previous run. The logic is
plain Python in the `entity_resolution` package (unit-tested there); this model only feeds it.
Incremental: the previous run's ids are read from this table before it is replaced.
"""

from datetime import UTC, datetime

import polars as pl

from entity_resolution.clustering import cluster_pairs, key_clusters_by_record_key, strongest_links
from entity_resolution.fast_write import fast_write_begin_sql
from entity_resolution.identity import assign_lead_ids


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="record_key", incremental_strategy="delete+insert")

    # The statement of er_fast_write_begin, the SQL working tables' pre-hook: a pre-hook here lost
    # dbt-duckdb's temporary table on incremental runs. The post-hook in
    # _entity_resolution__models.yml resets it.
    session.execute(fast_write_begin_sql())
    records = dbt.ref("int_er_records_prepared").project("record_id, record_key, first_seen_at").pl()
    reviews = (
        dbt.ref("int_er_review_decisions")
        .project("record_id_l as record_key_l, record_id_r as record_key_r, decision, reviewer")
        .pl()
    )
    # Only cannot-links between records that have a link or a reviewer's confirmation can ever
    # stop a merge; the filter runs in the database, not in Python. Pairs are integer record ids.
    session.register("er_confirmed", reviews.filter(pl.col("decision") == "match").to_arrow())
    scored = (
        dbt.ref("int_er_pairs_scored")
        .query(
            "scored",
            """
        with linked as (
            select record_id_l as record_id from scored where decision = 'match'
            union select record_id_r from scored where decision = 'match'
            union select record_key_l from er_confirmed
            union select record_key_r from er_confirmed
        )
        select record_id_l as record_key_l, record_id_r as record_key_r, match_probability, evidence, decision
        from scored
        where decision = 'match'
            or (decision = 'cannot_link'
                and record_id_l in (select record_id from linked)
                and record_id_r in (select record_id from linked))
        """,
        )
        .pl()
    )
    session.unregister("er_confirmed")
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
    by_id = key_clusters_by_record_key(clusters, records)
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
            pl.lit(datetime.now(UTC).replace(tzinfo=None), pl.Datetime("us")).alias("resolved_at"),
        )
    )
