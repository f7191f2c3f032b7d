"""The generator keeps its own copies of the canonical values it writes (it imports nothing of
the project); they stay equal to ingest.schemas."""

import ast
from pathlib import Path

from ingest import schemas
from leadhouse.settings import PROJECT_ROOT
from sample_data import reference


def test_generator_values_equal_the_canonical_ones():
    assert reference.TIMELINES == schemas.TIMELINES
    assert reference.LEAD_STATUSES == schemas.LEAD_STATUSES
    assert reference.ACTIVITY_TYPES == schemas.ACTIVITY_TYPES


def test_generator_imports_nothing_of_the_project():
    project = {"ingest", "leadhouse", "orchestration", "entity_resolution", "ml", "exports", "bench"}
    for path in sorted(Path(PROJECT_ROOT / "sample_data").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            assert not any(n.split(".")[0] in project for n in names), f"{path.name} imports {names}"
