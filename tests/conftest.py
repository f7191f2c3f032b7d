"""Shared test setup: no telemetry, and helpers to build source configs and landing files."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_VERSION_CHECK", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# A developer's own CRM never reaches the tests: the pipeline runs would extract from it and write
# scores back into it. The tests that use a CRM set these to the one they create.
for _variable in ("LEADHOUSE_CRM_DSN", "LEADHOUSE_CRM_API_URL", "LEADHOUSE_CRM_API_TOKEN"):
    os.environ.pop(_variable, None)

# A suite started in the background by a non-interactive shell (`make test &`, nohup) inherits
# SIGINT ignored. Dagster's in-process runs then set SIGTERM to SIGINT's handler when they end
# (dagster._utils.interrupts), so SIGTERM is ignored in this process from the first such test on,
# and every command a later test starts inherits that: `make materialize` ignored the SIGTERM of
# tests/orchestration/test_signals.py. The suite runs with the dispositions of a foreground shell.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"


def need(condition: bool, reason: str) -> None:
    """Skip with a reason, but fail under CI=true: CI must never silently skip real checks."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """../shared/datasets (read in place, never copied into the repository). Session-wide, so a
    module's warehouse built once from them can use it."""
    need(SHARED_DATASETS.is_dir(), f"the public datasets are not at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """The default 10,000-person sample, ingested and built with dbt once per session
    (tests/sample_build.py)."""
    from tests.sample_build import build_sample

    return build_sample(tmp_path_factory.mktemp("sample-data"), tmp_path_factory.mktemp("sample-project"))


# The PostgreSQL server the CRM tests use (the demo's by default); each test gets a schema of its own.
TEST_POSTGRES_DSN = (
    os.environ.get("LEADHOUSE_TEST_POSTGRES_DSN") or "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def crm_postgres() -> Iterator[tuple[str, str]]:
    """``(dsn, schema)``: a new, empty PostgreSQL schema with a unique name on the server of
    LEADHOUSE_TEST_POSTGRES_DSN (default: the demo's, postgresql://postgres@127.0.0.1:5432/test),
    dropped with everything in it afterwards. Create the CRM's tables in it with
    ``sample_data.crm_database.create_crm_tables(conn, schema)``. Skips when the server cannot be
    reached, and fails instead under CI=true."""
    import psycopg

    schema = f"leadhouse_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(TEST_POSTGRES_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        need(False, f"no PostgreSQL server for the CRM tests (LEADHOUSE_TEST_POSTGRES_DSN): {first_line}")
    with conn:
        conn.execute(f'create schema "{schema}"')
        try:
            yield TEST_POSTGRES_DSN, schema
        finally:
            conn.execute(f'drop schema if exists "{schema}" cascade')


def pytest_collection_modifyitems(config, items):
    """The slow files first (the ones that run the whole pipeline; in reverse path order, which
    starts the two longest, tests/orchestration's, together): make test runs two workers that take
    a file at a time, and a long file started last would keep one busy after the other ran out."""
    slow = sorted({item.path for item in items if item.get_closest_marker("slow")}, reverse=True)
    rank = {path: i for i, path in enumerate(slow)}
    items.sort(key=lambda item: rank.get(item.path, len(slow)))  # stable: the rest keep their order
