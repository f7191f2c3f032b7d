from ingest.docs import render
from leadhouse.settings import PROJECT_ROOT


def test_schema_docs_are_generated_from_the_code():
    committed = (PROJECT_ROOT / "docs" / "schemas.md").read_text()
    assert committed == render(), "docs/schemas.md is stale: run `python -m ingest.docs > docs/schemas.md`"
