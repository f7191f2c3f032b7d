import polars as pl

from entity_resolution.clustering import cluster_pairs
from entity_resolution.identity import assign_lead_ids, new_lead_id

MATCH, CANNOT_LINK = 0.9, 0.05


def pairs(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64},
        orient="row",
    )


def cluster(
    records, scored: pl.DataFrame, cannot_link_below: float = CANNOT_LINK, **decisions
) -> pl.DataFrame:
    """Apply the thresholds the way int_er_pairs_scored's `decision` does, then cluster."""
    links = scored.filter(pl.col("match_probability") >= MATCH)
    cannot = scored.filter(pl.col("match_probability") < cannot_link_below)
    return cluster_pairs(pl.Series(records), links, cannot, **decisions)


def clusters_of(result: pl.DataFrame) -> set[frozenset[str]]:
    return {frozenset(g["record_key"]) for _, g in result.group_by("cluster_key")}


def test_connected_components_above_threshold():
    result = cluster(list("abcde"), pairs(("a", "b", 0.99), ("b", "c", 0.95), ("d", "e", 0.5)))
    assert clusters_of(result) == {frozenset("abc"), frozenset("d"), frozenset("e")}
    assert result.filter(pl.col("record_key") == "c")["cluster_key"].item() == "a"
    assert result.filter(pl.col("record_key") == "a")["cluster_size"].item() == 3


def test_chaining_trap_one_ambiguous_record_does_not_merge_two_people():
    # a and c are two different Jane Smiths (compared: strong evidence against); b is a bare
    # "Jane Smith" that links to both. b joins its strongest link, a and c stay apart.
    result = cluster(list("abc"), pairs(("a", "b", 0.97), ("b", "c", 0.93), ("a", "c", 0.001)))
    assert clusters_of(result) == {frozenset("ab"), frozenset("c")}


def test_plain_components_would_have_chained():
    result = cluster(
        list("abc"), pairs(("a", "b", 0.97), ("b", "c", 0.93), ("a", "c", 0.001)), cannot_link_below=0.0
    )
    assert clusters_of(result) == {frozenset("abc")}


def test_reviewer_decisions_override_scores():
    decided = pl.DataFrame({"record_key_l": ["a"], "record_key_r": ["b"]})
    rejected = cluster(list("ab"), pairs(("a", "b", 0.99)), rejected=decided)
    assert clusters_of(rejected) == {frozenset("a"), frozenset("b")}
    confirmed = cluster(list("ab"), pairs(("a", "b", 0.3)), confirmed=decided)
    assert clusters_of(confirmed) == {frozenset("ab")}


def test_deterministic_regardless_of_input_order():
    p = pairs(("a", "b", 0.95), ("c", "d", 0.95), ("b", "c", 0.95), ("a", "d", 0.01))
    first = cluster(list("abcd"), p)
    second = cluster(list("dcba"), p.reverse())
    assert first.equals(second)


def clustered(assignments: dict[str, str], seen: dict[str, int] | None = None) -> pl.DataFrame:
    keys = sorted(assignments)
    return pl.DataFrame(
        {
            "record_key": keys,
            "cluster_key": [assignments[k] for k in keys],
            "first_seen_at": [(seen or {}).get(k, 0) for k in keys],
        }
    )


def test_new_records_get_ids_derived_from_content():
    result = assign_lead_ids(clustered({"a": "a", "b": "a", "c": "c"}), None)
    assert dict(result.select("record_key", "lead_id").iter_rows()) == {
        "a": new_lead_id("a"),
        "b": new_lead_id("a"),
        "c": new_lead_id("c"),
    }


def test_ids_are_stable_when_records_arrive():
    first = assign_lead_ids(clustered({"b": "b", "c": "c"}), None)
    # A new record "a" joins b's cluster and becomes its smallest key: the id must not change.
    second = assign_lead_ids(clustered({"a": "a", "b": "a", "c": "c"}), first.select("record_key", "lead_id"))
    ids = dict(second.select("record_key", "lead_id").iter_rows())
    assert ids["a"] == ids["b"] == new_lead_id("b")
    assert ids["c"] == new_lead_id("c")


def test_merge_keeps_the_lead_seen_first_and_records_the_other():
    first = assign_lead_ids(clustered({"a": "a", "b": "b"}, {"a": 5, "b": 1}), None)
    second = assign_lead_ids(
        clustered({"a": "a", "b": "a"}, {"a": 5, "b": 1}), first.select("record_key", "lead_id")
    )
    rows = {
        r: (lead, prev)
        for r, lead, prev in second.select("record_key", "lead_id", "previous_lead_id").iter_rows()
    }
    assert rows["a"] == (new_lead_id("b"), new_lead_id("a"))  # a's lead merged into b's (seen first)
    assert rows["b"] == (new_lead_id("b"), new_lead_id("b"))


def test_split_keeps_id_with_the_larger_part_and_never_reuses_it():
    first = assign_lead_ids(clustered({"a": "a", "b": "a", "c": "a"}), None)
    second = assign_lead_ids(clustered({"a": "a", "b": "b", "c": "b"}), first.select("record_key", "lead_id"))
    ids = dict(second.select("record_key", "lead_id").iter_rows())
    assert ids["b"] == ids["c"] == new_lead_id("a")
    assert ids["a"] == new_lead_id("a#2")  # its derived id is taken: the next free one


def test_a_split_off_part_skips_every_id_given_before():
    """The part that leaves takes the first of new_lead_id(key), (key#2), (key#3), ... that no
    lead had before: here "a#2" was another lead's id, so "a#3"."""
    previous = pl.DataFrame(
        {"record_key": list("abcd"), "lead_id": [new_lead_id("a")] * 3 + [new_lead_id("a#2")]}
    )
    second = assign_lead_ids(clustered({"a": "a", "b": "b", "c": "b", "d": "d"}), previous)
    ids = dict(second.select("record_key", "lead_id").iter_rows())
    assert ids == {
        "a": new_lead_id("a#3"),
        "b": new_lead_id("a"),
        "c": new_lead_id("a"),
        "d": new_lead_id("a#2"),
    }
    assert dict(second.select("record_key", "previous_lead_id").iter_rows()) == dict(previous.iter_rows())


def test_unchanged_leads_splits_and_merges_in_one_run_each_get_the_right_id():
    """Most clusters are one previous lead, unchanged or with records added, and keep its id
    without being ranked; beside them, in the same run, a split whose smaller part joins another
    lead, and two leads merging (the one seen first survives)."""
    previous = pl.DataFrame(
        {
            "record_key": ["a1", "a2", "a3", "b1", "c1", "c2", "d1", "e1", "f1"],
            "lead_id": ["LA", "LA", "LA", "LB", "LC", "LC", "LD", "LE", "LF"],
        }
    )
    now = clustered(
        {
            **{"a1": "a1", "a2": "a1"},  # the larger part of LA
            **{"a3": "a3", "b1": "a3"},  # LA's smaller part, joined to LB
            **{"c1": "c1", "c2": "c1", "n1": "c1"},  # LC with a new record
            "d1": "d1",  # LD unchanged
            **{"e1": "e1", "f1": "e1"},  # LE and LF merged: LF was seen first
            "n2": "n2",  # a new lead
        },
        {"b1": 0, "f1": 2, "e1": 3, "a1": 5, "a2": 5, "a3": 5},
    )
    result = assign_lead_ids(now, previous)
    assert dict(result.select("record_key", "lead_id").iter_rows()) == {
        "a1": "LA",
        "a2": "LA",
        "a3": "LB",
        "b1": "LB",
        "c1": "LC",
        "c2": "LC",
        "n1": "LC",
        "d1": "LD",
        "e1": "LF",
        "f1": "LF",
        "n2": new_lead_id("n2"),
    }
    previous_ids = dict(result.select("record_key", "previous_lead_id").iter_rows())
    assert previous_ids == dict(previous.iter_rows()) | {"n1": None, "n2": None}


def test_decisions_about_unknown_records_are_ignored():
    decided = pl.DataFrame({"record_key_l": ["a", "ghost"], "record_key_r": ["typo", "b"]})
    result = cluster(list("ab"), pairs(("a", "b", 0.99)), confirmed=decided, rejected=decided)
    assert clusters_of(result) == {frozenset("ab")}
