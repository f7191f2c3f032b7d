"""Cluster scored record pairs into people, guarded against chaining.

Plain connected components merge two different people as soon as one ambiguous record (say, a
name with no email or phone) links weakly to both. Here clusters grow greedily from the most
probable link down, and two clusters are never joined when any record of one has *evidence
against* any record of the other: a reviewer rejected the pair, or the pair was compared and
whose evidence alone says two different people (the ``cannot_link`` decision of
int_er_pairs_scored).
Reviewer-confirmed pairs are joined first, unconditionally.

Deterministic: ties are broken by record keys, so the same input always gives the same clusters.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl


class _Clusters:
    def __init__(self, keys: list[str]):
        self.parent = {k: k for k in keys}
        self.members = {k: [k] for k in keys}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))


PAIR_SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String}


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
    ``cluster_size``.
    """
    empty = pl.DataFrame(schema=PAIR_SCHEMA)
    cannot_links = empty if cannot_links is None else cannot_links.select(list(PAIR_SCHEMA))
    confirmed = empty if confirmed is None else confirmed.select(list(PAIR_SCHEMA))
    rejected = empty if rejected is None else rejected.select(list(PAIR_SCHEMA))
    records = records.unique()
    # A reviewer's decision may name a record that does not exist (a typo, a record since
    # corrected): it cannot link anything, so it is ignored rather than failing the build.
    confirmed = confirmed.filter(pl.col("record_key_l").is_in(records) & pl.col("record_key_r").is_in(records))

    # Only records with a link or a confirmation can join a cluster; the rest (most records) are
    # singletons and never enter the union-find.
    in_play = pl.concat(
        [links["record_key_l"], links["record_key_r"], confirmed["record_key_l"], confirmed["record_key_r"]]
    ).unique().sort()
    clusters = _Clusters(in_play.to_list())
    against = pl.concat([cannot_links, rejected]).filter(
        pl.col("record_key_l").is_in(in_play) & pl.col("record_key_r").is_in(in_play)
    )
    cannot: dict[str, set[str]] = defaultdict(set)
    for left, right in against.iter_rows():
        cannot[left].add(right)
        cannot[right].add(left)

    def conflict(a: str, b: str) -> bool:
        small, other = (a, b) if len(clusters.members[a]) <= len(clusters.members[b]) else (b, a)
        return any(clusters.find(y) == other for x in clusters.members[small] for y in cannot.get(x, ()))

    for left, right in confirmed.sort(pl.all()).iter_rows():
        a, b = clusters.find(left), clusters.find(right)
        if a != b:
            clusters.union(a, b)

    ordered = links.sort(
        ["match_probability", "record_key_l", "record_key_r"], descending=[True, False, False]
    ).select("record_key_l", "record_key_r")
    for left, right in ordered.iter_rows():
        a, b = clusters.find(left), clusters.find(right)
        if a != b and not conflict(a, b):
            clusters.union(a, b)

    schema = {"record_key": pl.String, "cluster_key": pl.String, "cluster_size": pl.Int64}
    rows = [
        (member, key, size)
        for members in clusters.members.values()
        for key, size in [(min(members), len(members))]
        for member in members
    ]
    grouped = pl.DataFrame(rows, schema=schema, orient="row")
    singletons = pl.DataFrame({"record_key": records}).filter(~pl.col("record_key").is_in(grouped["record_key"]))
    singletons = singletons.select("record_key", pl.col("record_key").alias("cluster_key"), pl.lit(1, pl.Int64).alias("cluster_size"))
    return pl.concat([grouped, singletons]).sort("record_key")
