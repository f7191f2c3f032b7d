"""Identity across runs: two `dbt build`s of the lead identity models on one warehouse, with new
raw rows (a lead record and reviewer decisions) appended between them, as the ingestion appends.

Run 1: Ada Lovelace arrives twice (same name, email and phone), Grace Hopper, Alan Turing and
Katherine Johnson once each, Katherine from two sources that agree on everything, and Mary
Jackson twice: five leads.
Run 2: a third record of Ada; a reviewer says Grace's and Alan's records are one person (match)
and Katherine's two records are not (no_match); a corrected version of Mary's web-form record
says it was Dorothy Vaughan's. Each person's records differ from everyone else's in every value
the blocking rules key on, so the candidate pairs are exactly the pairs of records of one person.
"""

from __future__ import annotations

from typing import Any

import pytest

from ingest.schemas import ENTITIES
from leadhouse.warehouse import connect as connect_warehouse
from tests.dbt.dbt_runner import lead_id_of, pairs_by_key, rows, run_dbt
from tests.dbt.raw_fixture import append_raw_rows, at, lineage

# The identity marts and what they read, with the data tests of those models only (cautious:
# not the relationship tests reaching into marts left out); the unit tests run in
# test_dbt_build.py. Keeps two builds fast.
SELECT = [
    "--select",
    "+lead_identity_map",
    "+lead_merge_history",
    "--indirect-selection",
    "cautious",
    "--exclude-resource-type",
    "unit_test",
]

LEADS = ENTITIES["lead"].table
DECISIONS = ENTITIES["match_decision"].table


# Each person's values, the same on every record of theirs and shared with nobody else.
PEOPLE = {
    "ada": ("Ada", "Lovelace", "ada.lovelace@example.com", "+15550000001"),
    "grace": ("Grace", "Hopper", "grace.hopper@navy.example", "+15550000002"),
    "alan": ("Alan", "Turing", "alan.turing@bletchley.example", "+15550000003"),
    "katherine": ("Katherine", "Johnson", "katherine.johnson@nasa.example", "+15550000004"),
    "mary": ("Mary", "Jackson", "mary.jackson@langley.example", "+15550000005"),
    "dorothy": ("Dorothy", "Vaughan", "dorothy.vaughan@langley.example", "+15550000006"),
}


def lead_record(record_key: str, person: str, created_at: str, batch: str = "batch-1") -> dict[str, Any]:
    """A lead record of `person`, captured at `created_at` and ingested that evening."""
    (source, record_id), (first_name, last_name, email, phone) = record_key.split(":"), PEOPLE[person]
    day = created_at[:10]
    return {
        "source": source,
        "source_record_id": record_id,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "created_at": at(created_at),
        **lineage(f"{source}_{day}.csv", 1, f"{day} 23:00:00", batch=batch),
    }


RUN_1_LEADS = [
    lead_record("web_forms:WF-10", "ada", "2025-04-01 09:00:00"),
    lead_record("ad_leads:AL-10", "ada", "2025-04-03 09:00:00"),
    # Grace is seen before Alan, whose record key is the smaller (call_center < referrals).
    lead_record("referrals:R-20", "grace", "2025-04-02 09:00:00"),
    lead_record("call_center:CALL-30", "alan", "2025-04-05 09:00:00"),
    lead_record("events:EV-40", "katherine", "2025-04-04 09:00:00"),
    lead_record("chat:CH-40", "katherine", "2025-04-06 09:00:00"),
    lead_record("walk_ins:MJ-50", "mary", "2025-04-07 09:00:00"),
    lead_record("web_forms:WF-50", "mary", "2025-04-08 09:00:00"),
]

# Ada again, under the smallest record key of her lead: her lead keeps its id all the same.
# Mary's web-form record again, corrected: it was Dorothy (a new version of the same record).
RUN_2_LEADS = [
    lead_record("ad_leads:AL-09", "ada", "2025-05-01 09:00:00", batch="batch-2"),
    lead_record("web_forms:WF-50", "dorothy", "2025-05-01 10:00:00", batch="batch-2"),
]


def decision(row: int, left: str, right: str, verdict: str) -> dict[str, Any]:
    (left_source, left_id), (right_source, right_id) = left.split(":"), right.split(":")
    return {
        "source": "match_reviews",
        "source_record_id": f"M-{row}",
        "left_source": left_source,
        "left_record_id": left_id,
        "right_source": right_source,
        "right_record_id": right_id,
        "decision": verdict,
        "reviewer": "rita",
        "decided_at": at("2025-05-02 10:00:00"),
        **lineage("reviews_0502.csv", row, "2025-05-03 01:00:00", batch="batch-2"),
    }


RUN_2_DECISIONS = [
    decision(1, "referrals:R-20", "call_center:CALL-30", "match"),
    decision(2, "events:EV-40", "chat:CH-40", "no_match"),
]

ADA, GRACE, ALAN = (
    lead_id_of("ad_leads:AL-10"),
    lead_id_of("referrals:R-20"),
    lead_id_of("call_center:CALL-30"),
)
KATHERINE, MARY = lead_id_of("chat:CH-40"), lead_id_of("walk_ins:MJ-50")


def snapshot(warehouse) -> dict[str, Any]:
    """What the identity models hold after a run."""
    with connect_warehouse(warehouse, read_only=True) as conn:
        identity = rows(
            conn, "select source_record_id, lead_id, match_rule, matched_by from marts.lead_identity_map"
        )
        scored = rows(conn, pairs_by_key("intermediate.int_er_pairs_scored", "p.decision"))
        compared = rows(conn, pairs_by_key("intermediate.int_er_pairs_compared", "p.compared_at"))
        return {
            "identity": {r["source_record_id"]: r for r in identity},
            "history": rows(
                conn,
                "select event_type, from_lead_id, to_lead_id, records_moved, evidence from marts.lead_merge_history "
                "order by event_type, from_lead_id, to_lead_id",
            ),
            "scored": {(r["record_key_l"], r["record_key_r"]): r["decision"] for r in scored},
            "compared_at": {(r["record_key_l"], r["record_key_r"]): r["compared_at"] for r in compared},
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data_dir, work_dir = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("dbt")
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    built = []
    for leads, decisions in ((RUN_1_LEADS, []), (RUN_2_LEADS, RUN_2_DECISIONS)):
        append_raw_rows(warehouse, {LEADS: leads, DECISIONS: decisions})
        process, results = run_dbt("build", data_dir, work_dir, *SELECT)
        assert process.returncode == 0, process.stdout[-5000:]
        failed = {r["unique_id"]: r["status"] for r in results if r["status"] not in ("success", "pass")}
        assert not failed
        built.append(snapshot(warehouse))
    return built


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """The same raw rows as both runs, built once in a fresh warehouse: a full rebuild."""
    data_dir, work_dir = tmp_path_factory.mktemp("rebuilt"), tmp_path_factory.mktemp("dbt-rebuilt")
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    append_raw_rows(warehouse, {LEADS: RUN_1_LEADS + RUN_2_LEADS, DECISIONS: RUN_2_DECISIONS})
    process, results = run_dbt("build", data_dir, work_dir, *SELECT)
    assert process.returncode == 0, process.stdout[-5000:]
    assert not {r["unique_id"] for r in results if r["status"] not in ("success", "pass")}
    return snapshot(warehouse)


def people(identity: dict[str, dict]) -> set[frozenset[str]]:
    """The records grouped by lead, whatever each lead's id."""
    groups: dict[str, set[str]] = {}
    for record, row in identity.items():
        groups.setdefault(row["lead_id"], set()).add(record)
    return {frozenset(group) for group in groups.values()}


def test_an_incremental_run_resolves_the_same_people_as_a_full_rebuild(runs, rebuilt):
    """Run 2 compared only the new pairs (int_er_pairs_compared is incremental) yet ends where a
    full rebuild on the same rows does: the same records per person, the same pair decisions,
    the same rules. Only the ids differ, where by design: a lead keeps the id it was given (Ada's,
    though AL-09 is now her smallest record key) and a merge keeps the id of the lead seen first
    (Grace's), neither of which a rebuild can know: it names each lead after its smallest key."""
    _, incremental = runs
    assert people(incremental["identity"]) == people(rebuilt["identity"])
    assert incremental["scored"] == rebuilt["scored"]
    strip = {"lead_id"}
    assert {
        r: {k: v for k, v in row.items() if k not in strip} for r, row in incremental["identity"].items()
    } == {r: {k: v for k, v in row.items() if k not in strip} for r, row in rebuilt["identity"].items()}
    before, after = lead_ids(incremental["identity"]), lead_ids(rebuilt["identity"])
    assert {record for record in before if before[record] != after[record]} == {
        "AL-09",
        "AL-10",
        "WF-10",
        "R-20",
        "CALL-30",
    }
    assert after["AL-10"] == lead_id_of("ad_leads:AL-09")
    assert after["R-20"] == lead_id_of("call_center:CALL-30")
    assert rebuilt["history"] == []  # a rebuild has no identity history to record


def lead_ids(identity: dict[str, dict]) -> dict[str, str]:
    return {record: row["lead_id"] for record, row in identity.items()}


def test_first_run_gives_each_person_one_lead_named_after_its_smallest_record_key(runs):
    first, _ = runs
    assert lead_ids(first["identity"]) == {
        "WF-10": ADA,
        "AL-10": ADA,
        "R-20": GRACE,
        "CALL-30": ALAN,
        "EV-40": KATHERINE,
        "CH-40": KATHERINE,
        "MJ-50": MARY,
        "WF-50": MARY,
    }
    assert first["history"] == []


def test_a_new_record_joins_the_existing_lead_and_unchanged_leads_keep_their_ids(runs):
    first, second = runs
    after = lead_ids(second["identity"])
    assert after["AL-09"] == after["AL-10"] == after["WF-10"] == ADA != lead_id_of("ad_leads:AL-09")
    assert second["identity"]["AL-09"]["match_rule"] == "fellegi_sunter"
    assert after["R-20"] == lead_ids(first["identity"])["R-20"]
    # The pair compared in the first run was not compared again (int_er_pairs_compared is incremental).
    pair = ("ad_leads:AL-10", "web_forms:WF-10")
    assert second["compared_at"][pair] == first["compared_at"][pair]
    assert second["compared_at"][("ad_leads:AL-09", "ad_leads:AL-10")] > first["compared_at"][pair]


def test_a_reviewer_match_merges_two_leads_into_the_one_seen_first(runs):
    _, second = runs
    after = lead_ids(second["identity"])
    assert after["R-20"] == after["CALL-30"] == GRACE  # Grace's record came first
    for record in ("R-20", "CALL-30"):
        assert second["identity"][record]["match_rule"] == "reviewer"
        assert second["identity"][record]["matched_by"] == "confirmed by reviewer rita"
    assert ALAN not in after.values()


def test_a_reviewer_no_match_splits_two_otherwise_certain_duplicates(runs):
    _, second = runs
    assert second["scored"][("chat:CH-40", "events:EV-40")] == "match"  # what the model alone would do
    after = lead_ids(second["identity"])
    # Two records of one lead each: the smaller record key keeps the id, the other gets a new one.
    assert (after["CH-40"], after["EV-40"]) == (KATHERINE, lead_id_of("events:EV-40"))
    assert (
        second["identity"]["EV-40"]["match_rule"]
        == second["identity"]["CH-40"]["match_rule"]
        == "single_record"
    )


def test_merge_history_records_each_identity_change_once(runs):
    _, second = runs
    assert second["history"] == sorted(
        [
            {
                "event_type": "merge",
                "from_lead_id": ALAN,
                "to_lead_id": GRACE,
                "records_moved": 1,
                "evidence": "confirmed by reviewer rita",
            },
            {
                "event_type": "split",
                "from_lead_id": KATHERINE,
                "to_lead_id": lead_id_of("events:EV-40"),
                "records_moved": 1,
                "evidence": None,
            },
            {
                "event_type": "split",
                "from_lead_id": MARY,
                "to_lead_id": lead_id_of("web_forms:WF-50"),
                "records_moved": 1,
                "evidence": None,
            },
        ],
        key=lambda event: (event["event_type"], event["from_lead_id"], event["to_lead_id"]),
    )  # the query's order


def test_a_pair_no_rule_proposes_any_more_is_dropped_from_comparisons_and_scores(runs):
    first, second = runs
    pair = ("walk_ins:MJ-50", "web_forms:WF-50")
    assert first["scored"][pair] == "match"
    # Run 2's web-form record is Dorothy's: the pair shares no key, so it is no candidate any
    # more; int_er_pairs_compared's pre-hook deleted it rather than keeping a stale comparison.
    assert pair not in second["compared_at"]
    assert pair not in second["scored"]
    after = lead_ids(second["identity"])
    assert (after["MJ-50"], after["WF-50"]) == (MARY, lead_id_of("web_forms:WF-50"))
