"""Cluster scored record pairs into people, guarded against chaining.

Plain connected components merge two different people as soon as one ambiguous record (say, a
name with no email or phone) links weakly to both. Here clusters grow greedily from the most
probable link down, and two clusters are never joined when any record of one has *evidence
against* any record of the other: a reviewer rejected the pair, or the pair was compared and
its evidence alone says two different people (the ``cannot_link`` decision of
int_er_pairs_scored). Reviewer-confirmed pairs are joined first, unconditionally.

Fast at scale: the greedy pass only matters where evidence against falls inside a connected
component of the links; everywhere else every link is accepted and the greedy result *is* the
connected component. So components come from scipy's sparse-graph routine, and the greedy
union-find runs only over the few components that hold a pair with evidence against (at
1,000,000 leads: 6 s of Python over every link became well under a second).

Deterministic: ties are broken by record keys, so the same input always gives the same clusters.
Keys may be strings or integers: the dbt model clusters integer record ids, then keys each
cluster by its smallest record key (``key_clusters_by_record_key``) and explains each record's
place by its strongest link (``strongest_links``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

PAIR_COLUMNS = ["record_key_l", "record_key_r"]


class _Clusters:
    """Union-find over dense integer indices, with each cluster's members (for the guard)."""

    def __init__(self, indices: list[int]):
        self.parent = {i: i for i in indices}
        self.members = {i: [i] for i in indices}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))


def _indexed(pairs: pl.DataFrame, index: pl.DataFrame, extra: list[str] = ()) -> pl.DataFrame:
    """Pairs as dense indices (il, ir); pairs naming an unknown record are dropped."""
    return (
        pairs.select(*PAIR_COLUMNS, *extra)
        .join(index.rename({"record_key": "record_key_l", "i": "il"}), on="record_key_l")
        .join(index.rename({"record_key": "record_key_r", "i": "ir"}), on="record_key_r")
    )


def _guarded_greedy(
    confirmed: list[tuple[int, int]], ordered_links: list[tuple[int, int]], against: list[tuple[int, int]]
) -> dict[int, int]:
    """The greedy, guarded clustering of some records: index -> root index."""
    cannot: dict[int, set[int]] = defaultdict(set)
    for left, right in against:
        cannot[left].add(right)
        cannot[right].add(left)
    nodes = {i for pair in (*confirmed, *ordered_links) for i in pair}
    clusters = _Clusters(sorted(nodes))

    def conflict(a: int, b: int) -> bool:
        small, other = (a, b) if len(clusters.members[a]) <= len(clusters.members[b]) else (b, a)
        return any(
            clusters.find(y) == other
            for x in clusters.members[small]
            for y in cannot.get(x, ())
            if y in nodes
        )

    for left, right in confirmed:
        a, b = clusters.find(left), clusters.find(right)
        if a != b:
            clusters.union(a, b)
    for left, right in ordered_links:
        a, b = clusters.find(left), clusters.find(right)
        if a != b and not conflict(a, b):
            clusters.union(a, b)
    return {i: clusters.find(i) for i in nodes}


def cluster_pairs(
    records: pl.Series,
    links: pl.DataFrame,
    cannot_links: pl.DataFrame | None = None,
    confirmed: pl.DataFrame | None = None,
    rejected: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Assign every record a cluster.

    records: every record key (records without links become singletons).
    links: ``record_key_l``, ``record_key_r``, ``match_probability`` of the pairs to join.
    cannot_links, rejected: pairs that must never end up in one cluster (scored / reviewed).
    confirmed: pairs a reviewer confirmed, joined first.
    Returns ``record_key``, ``cluster_key`` (the smallest record key of the cluster) and
    ``cluster_size``, one row per record, sorted by record key.
    """
    records = records.unique().sort()
    n = records.len()
    index = pl.DataFrame({"record_key": records, "i": np.arange(n, dtype=np.int64)})
    empty = pl.DataFrame(schema={c: records.dtype for c in PAIR_COLUMNS})

    def pairs_of(frame: pl.DataFrame | None) -> pl.DataFrame:
        return _indexed(empty if frame is None else frame.select(PAIR_COLUMNS), index)

    # A reviewer's decision may name a record that does not exist (a typo, a record since
    # corrected): it cannot link anything, so it is ignored rather than failing the build.
    confirmed_i = pairs_of(confirmed)
    against_i = pl.concat([pairs_of(cannot_links), pairs_of(rejected)])
    links_i = _indexed(links, index, ["match_probability"])

    joined = pl.concat([links_i.select("il", "ir"), confirmed_i.select("il", "ir")])
    il, ir = joined["il"].to_numpy(), joined["ir"].to_numpy()
    graph = coo_matrix((np.ones(len(il), dtype=np.int8), (il, ir)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    label = label.astype(np.int64)

    # Components holding a pair with evidence against: there, and only there, links may be refused.
    al, ar = against_i["il"].to_numpy(), against_i["ir"].to_numpy()
    conflicted = np.unique(label[al][label[al] == label[ar]])
    if conflicted.size:

        def in_conflicted(pairs: pl.DataFrame) -> pl.DataFrame:
            return pairs.filter(pl.Series(np.isin(label[pairs["il"].to_numpy()], conflicted)))

        ordered = in_conflicted(links_i).sort(
            ["match_probability", "record_key_l", "record_key_r"], descending=[True, False, False]
        )
        roots = _guarded_greedy(
            in_conflicted(confirmed_i).sort("il", "ir").select("il", "ir").rows(),
            ordered.select("il", "ir").rows(),
            in_conflicted(against_i).select("il", "ir").rows(),
        )
        # A refused link splits its component: its parts get labels past every component's.
        nodes = np.fromiter(roots.keys(), dtype=np.int64, count=len(roots))
        label[nodes] = n + np.fromiter(roots.values(), dtype=np.int64, count=len(roots))

    # Records are sorted, so the first index of each label is its cluster's smallest key.
    result = index.with_columns(label=label).with_columns(
        first=pl.col("i").min().over("label"), cluster_size=pl.len().over("label").cast(pl.Int64)
    )
    return result.select(
        "record_key",
        pl.col("record_key").gather(pl.col("first")).alias("cluster_key"),
        "cluster_size",
    )


def key_clusters_by_record_key(clusters: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Clusters found on integer record ids, keyed as people read them.

    clusters: ``cluster_pairs`` of record ids (``record_key`` holds the id, ``cluster_key`` the
    cluster's smallest id). records: ``record_id``, ``record_key`` and any other columns, kept.
    Returns per record ``record_id``, ``cluster_id`` (the smallest id), ``cluster_size``, the
    records' columns, and ``cluster_key``: the cluster's smallest record key, from which a new
    lead id derives (entity_resolution.identity).
    """
    by_id = clusters.rename({"record_key": "record_id", "cluster_key": "cluster_id"}).join(
        records, on="record_id"
    )
    # Most clusters are one record, its own key: only the others need a minimum.
    grouped = by_id.filter(pl.col("cluster_size") > 1)
    smallest = grouped.group_by("cluster_id").agg(cluster_key=pl.col("record_key").min())
    return pl.concat(
        [
            by_id.filter(pl.col("cluster_size") == 1).with_columns(cluster_key=pl.col("record_key")),
            grouped.join(smallest, on="cluster_id"),
        ]
    )


def strongest_links(clusters: pl.DataFrame, links: pl.DataFrame, confirmed: pl.DataFrame) -> pl.DataFrame:
    """For each record in a cluster of several, the most probable link that holds it there, and
    its evidence (``matched_by``; a reviewer's confirmation counts as probability 1).

    clusters: ``cluster_pairs``' result. links: ``record_key_l``, ``record_key_r``,
    ``match_probability``, ``evidence``. confirmed: ``record_key_l``, ``record_key_r``,
    ``reviewer``. Links between two clusters (refused by the guard) hold nothing. Returns
    ``record_key``, ``match_probability``, ``matched_by``; ties go to the evidence first in
    alphabetical order.
    """
    cluster_of = clusters.select("record_key", "cluster_key")
    evidence = pl.concat(
        [
            links.select("record_key_l", "record_key_r", "match_probability", "evidence"),
            confirmed.select(
                "record_key_l",
                "record_key_r",
                pl.lit(1.0).alias("match_probability"),
                pl.format("confirmed by reviewer {}", pl.col("reviewer").fill_null("unknown")).alias(
                    "evidence"
                ),
            ),
        ]
    )
    inside = (
        evidence.join(
            cluster_of.rename({"record_key": "record_key_l", "cluster_key": "cluster_l"}), on="record_key_l"
        )
        .join(
            cluster_of.rename({"record_key": "record_key_r", "cluster_key": "cluster_r"}), on="record_key_r"
        )
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
