"""The dbt side of the vocabulary is generated from ingest.schemas and stays equal to it."""

import pytest

from ingest.config import SourceConfig
from ingest.vocabulary import GENERATED, render


def test_generated_dbt_vocabulary_is_current():
    assert GENERATED.read_text() == render(), (
        "dbt_project/macros/generated/leadhouse_vocabulary.sql is stale: "
        "run `python -m ingest.vocabulary > dbt_project/macros/generated/leadhouse_vocabulary.sql`"
    )


def test_source_configs_accept_exactly_the_entities_of_the_vocabulary():
    from ingest.schemas import ENTITIES

    for entity in ENTITIES:
        assert SourceConfig(name="s", entity=entity, format="csv").entity == entity
    with pytest.raises(ValueError, match="'consent' is not an entity; use one of: lead, activity"):
        SourceConfig(name="s", entity="consent", format="csv")
