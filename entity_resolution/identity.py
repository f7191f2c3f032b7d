"""Stable lead ids across runs.

Clusters are recomputed every run; lead ids are not. Each new cluster inherits the id its records
had before:
- no record had an id: a new id, derived from the cluster's smallest record key (so the same
  records always get the same id, even after a full refresh);
- all had the same id: it keeps that id; when a previous lead split into several clusters, the
  cluster holding most of its records keeps it (ties: the smallest record key) and the others get
  new ids;
- records had several ids: the leads merged; the survivor is the id whose lead was seen first
  (ties: the smallest id), and the others point to it in the merge history.
"""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

ID_PREFIX = "ld_"


def new_lead_id(record_key: str) -> str:
    return ID_PREFIX + hashlib.md5(record_key.encode("utf-8")).hexdigest()[:16]


def _derived_ids(record_keys: pl.Series) -> pl.Series:
    """new_lead_id of many keys at once (DuckDB's md5 is the same md5, vectorized)."""
    with duckdb.connect() as conn:
        conn.register("record_keys", pl.DataFrame({"k": record_keys}).to_arrow())
        return conn.sql(f"select '{ID_PREFIX}' || substr(md5(k), 1, 16) as lead_id from record_keys").pl()[
            "lead_id"
        ]


def assign_lead_ids(clusters: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """clusters: ``record_key``, ``cluster_key``, ``first_seen_at`` (of the record).
    previous: ``record_key``, ``lead_id`` from the last run (None on the first run).
    Returns ``record_key``, ``cluster_key``, ``lead_id``, ``previous_lead_id``."""
    if previous is None or previous.height == 0:
        # The first run: every cluster is new (no join of every record against nothing).
        derived = _derived_ids(clusters["cluster_key"])
        return clusters.select(
            "record_key",
            "cluster_key",
            derived.alias("lead_id"),
            pl.lit(None, pl.String).alias("previous_lead_id"),
        )
    joined = clusters.join(
        previous.select("record_key", pl.col("lead_id").alias("previous_lead_id")),
        on="record_key",
        how="left",
    )
    # Most clusters are a previous lead unchanged, or with records added: the one cluster to
    # claim its id, claiming no other. They keep it; only the rest (splits and merges) are
    # ranked for heirs and survivors below. At 1,000,000 leads, with every claim ranked and an id
    # derived for every cluster, this function took 4.0-5.1 s of an incremental run; 1.8-1.9 s
    # since (docs/performance.md).
    claims = (
        joined.filter(pl.col("previous_lead_id").is_not_null())
        .group_by("cluster_key", "previous_lead_id")
        .agg(pl.len().alias("records"), pl.col("first_seen_at").min().alias("seen"))
        .with_columns(
            pl.len().over("previous_lead_id").alias("claimers"),
            pl.len().over("cluster_key").alias("claimed"),
        )
    )
    alone = (pl.col("claimers") == 1) & (pl.col("claimed") == 1)
    # Every claim of a contested id is contested, and so is every claim of a cluster that claims
    # a contested one: the heirs and survivors below are those a sort of every claim would find.
    contested = claims.filter(~alone).with_columns(
        # When each previous lead was first seen, to pick merge survivors.
        pl.col("seen").min().over("previous_lead_id").alias("lead_first_seen_at")
    )
    # Each previous id goes to one heir: the cluster holding most of its records.
    heirs = contested.sort(["records", "cluster_key"], descending=[True, False]).unique(
        "previous_lead_id", keep="first", maintain_order=True
    )
    # A cluster that is heir to several ids keeps the one seen first; the others merged into it.
    survivors = heirs.sort(["lead_first_seen_at", "previous_lead_id"], nulls_last=True).unique(
        "cluster_key", keep="first", maintain_order=True
    )
    kept = pl.concat([claims.filter(alone), survivors], how="diagonal").select(
        "cluster_key", pl.col("previous_lead_id").alias("lead_id")
    )
    # Every id given before (the survivors' ids are among them): a new or split-off cluster must
    # not take one. A hashed is_in, not a Python set of every id (docs/performance.md).
    used = previous["lead_id"]

    # The clusters that keep no id (new, or split off) get one derived from their key,
    # vectorized; the few whose derived id is already taken are settled one by one, in the order
    # of their keys.
    fresh = clusters.select(pl.col("cluster_key").unique()).join(kept, on="cluster_key", how="anti")
    fresh = fresh.with_columns(_derived_ids(fresh["cluster_key"]).alias("lead_id"))
    clashes = fresh.filter(pl.col("lead_id").is_in(used)).sort("cluster_key")
    if clashes.height:
        taken = set(used.to_list())

        def settle(cluster_key: str) -> str:
            candidate, n = new_lead_id(cluster_key), 1
            while candidate in taken:  # a split-off part must not reuse its old lead's id
                n += 1
                candidate = new_lead_id(f"{cluster_key}#{n}")
            taken.add(candidate)
            return candidate

        settled = {k: settle(k) for k in clashes["cluster_key"].to_list()}
        fresh = fresh.with_columns(
            pl.col("cluster_key")
            .replace_strict(
                list(settled), list(settled.values()), default=pl.col("lead_id"), return_dtype=pl.String
            )
            .alias("lead_id")
        )
    ids = pl.concat([kept, fresh])
    return joined.join(ids, on="cluster_key").select(
        "record_key", "cluster_key", "lead_id", "previous_lead_id"
    )
