"""The generator keeps its own copies of the canonical values it writes (it imports nothing of
the project: tests/architecture/test_layout.py); they stay equal to ingest.schemas."""

from ingest import schemas
from sample_data import reference


def test_generator_values_equal_the_canonical_ones():
    assert reference.TIMELINES == schemas.TIMELINES
    assert reference.LEAD_STATUSES == schemas.LEAD_STATUSES
    assert reference.ACTIVITY_TYPES == schemas.ACTIVITY_TYPES
