"""One small generated sample, shared by the tests that run the real pipeline."""

from __future__ import annotations

import pytest

from sample_data.cli import main as generate

SAMPLE_LEADS = 300


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory):
    """landing/<source>/ files of a 300-lead sample (seed 7)."""
    out = tmp_path_factory.mktemp("sample")
    assert generate(["--leads", str(SAMPLE_LEADS), "--seed", "7", "--out", str(out)]) in (0, None)
    return out / "landing"
