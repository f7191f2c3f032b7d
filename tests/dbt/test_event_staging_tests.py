"""The event staging models (activities, status changes) are tested in the fact that unions them.

Their fact carries every record of them (`covers_every_raw_record`) with the staged columns
unchanged, so a test on the fact fails on every row a test on the staging view would: a null key,
lead record, type or time, a duplicate key (the id is a hash of source and source_record_id), a
type or status outside the allowed list. Tests on the view itself would each rerun its search for
records with several versions over every raw event (20 s at 1,000,000 leads, docs/performance.md).

Reads the manifest `make manifest` writes; nothing is built here.
"""

from __future__ import annotations

import json

import pytest

from tests.dbt.dbt_runner import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"

# fact -> (its id, its time column, its enumerated column and the var listing the values)
EVENT_FACTS = {
    "fct_lead_activities": ("activity_id", "occurred_at", "activity_type", "leadhouse_activity_types"),
    "fct_lead_status_changes": ("status_change_id", "changed_at", "status", "leadhouse_lead_statuses"),
}
RAW_TABLES = {"fct_lead_activities": "activities", "fct_lead_status_changes": "status_changes"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not MANIFEST.exists():
        pytest.skip(f"{MANIFEST} is missing: run `make manifest` (dbt parse) first")
    return json.loads(MANIFEST.read_text())


def data_tests_of(manifest: dict, model_id: str) -> set[tuple[str, str | None]]:
    """(test name, column) of the data tests attached to a model."""
    return {
        (node["test_metadata"]["name"], node.get("column_name"))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == model_id
        and "test_metadata" in node
    }


@pytest.mark.parametrize("fact", sorted(EVENT_FACTS))
def test_the_fact_tests_every_column_its_staging_models_carry_unchanged(manifest, fact):
    identifier, time_column, enumerated, _ = EVENT_FACTS[fact]
    fact_id = f"model.leadhouse.{fact}"
    tests = data_tests_of(manifest, fact_id)
    expected = {("unique", identifier), ("not_null", identifier), ("covers_every_raw_record", None)}
    keys = ("source", "source_record_id", "lead_record_source", "lead_record_id")
    for column in (*keys, time_column, enumerated):
        expected.add(("not_null", column))
    expected.add(("accepted_values", enumerated))
    assert expected <= tests, f"{fact} lacks {sorted(expected - tests, key=str)}"
    covers = next(
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == fact_id
        and node.get("test_metadata", {}).get("name") == "covers_every_raw_record"
    )
    assert f"source.leadhouse.raw.{RAW_TABLES[fact]}" in covers["depends_on"]["nodes"]


@pytest.mark.parametrize("fact", sorted(EVENT_FACTS))
def test_the_staging_models_a_fact_unions_have_no_tests_of_their_own(manifest, fact):
    staged = [
        parent
        for parent in manifest["nodes"][f"model.leadhouse.{fact}"]["depends_on"]["nodes"]
        if manifest["nodes"].get(parent, {}).get("schema") == "staging"
    ]
    assert len(staged) == 3, staged  # the CRM export's, the CRM database's and the catch-all
    tested = {parent: sorted(data_tests_of(manifest, parent), key=str) for parent in staged}
    assert tested == {parent: [] for parent in staged}
