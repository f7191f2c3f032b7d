"""Shared test setup: no telemetry, and helpers to build source configs and landing files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_VERSION_CHECK", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"


def need(condition: bool, reason: str) -> None:
    """Skip with a reason, but fail under CI=true: CI must never silently skip real checks."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def shared_datasets() -> Path:
    """../shared/datasets (read in place, never copied into the repository)."""
    need(SHARED_DATASETS.is_dir(), f"the public datasets are not at {SHARED_DATASETS}")
    return SHARED_DATASETS
