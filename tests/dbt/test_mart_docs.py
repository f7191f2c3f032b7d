"""Every mart is described and contracted: the project's rule "every mart has a contract and
column descriptions" (the marts are what people and tools read, so each column says what it is).

Reads the manifest `make manifest` (dbt parse) writes before `make test`; nothing is parsed or
built here, so the check takes milliseconds. A mart missing a description or its contract fails
with the model (and model.column) names to fix.
"""

from __future__ import annotations

import json

import pytest

from tests.dbt.dbt_runner import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="module")
def marts() -> list[dict]:
    if not MANIFEST.exists():
        pytest.skip(f"{MANIFEST} is missing: run `make manifest` (dbt parse) first")
    manifest = json.loads(MANIFEST.read_text())
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    assert models, "the manifest has no model in the marts schema"
    return sorted(models, key=lambda node: node["name"])


def test_every_mart_has_a_description(marts):
    undescribed = [node["name"] for node in marts if not (node.get("description") or "").strip()]
    assert not undescribed, f"marts without a description: {', '.join(undescribed)}"


def test_every_mart_has_an_enforced_contract(marts):
    uncontracted = [node["name"] for node in marts if not node["config"].get("contract", {}).get("enforced")]
    assert not uncontracted, f"marts without an enforced contract: {', '.join(uncontracted)}"


def test_every_mart_column_has_a_description(marts):
    undescribed = [
        f"{node['name']}.{column}"
        for node in marts
        for column, spec in node["columns"].items()
        if not (spec.get("description") or "").strip()
    ]
    assert not undescribed, f"{len(undescribed)} mart columns without a description: {', '.join(undescribed)}"
