"""The default sample built once per test session, for the tests that need realistic volumes: the
analytics marts (the A/B test needs its ~150 leads a variant), the metrics layer and the report.

10,000 people, seed 42, as of the sample's date: generated, ingested and built with dbt (seeds and
models; the data tests run on the raw fixture, the 1,500-lead end-to-end sample and the real data)
in a temporary folder. dbt runs in a folder of links to dbt_project/ whose target/ is this build's,
so MetricFlow finds this build's semantic manifest there and the repository's target/ is never
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadhouse.parity import ingest_sample
from sample_data.cli import main as generate
from tests.dbt.dbt_runner import DBT_PROJECT_DIR, TEST_AS_OF, run_dbt, unsuccessful

SAMPLE_LEADS = 10_000
SAMPLE_SEED = 42


@dataclass(frozen=True)
class BuiltSample:
    data: Path  # LEADHOUSE_DATA_DIR: landing/ and warehouse/leadhouse.duckdb
    project: Path  # links to dbt_project/ with this build's target/

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse" / "leadhouse.duckdb"


def build_sample(data: Path, project: Path) -> BuiltSample:
    sample = ["--leads", str(SAMPLE_LEADS), "--seed", str(SAMPLE_SEED), "--as-of", TEST_AS_OF[:10]]
    assert generate([*sample, "--out", str(data), "--quiet"]) in (0, None)
    ingest_sample(data)
    for entry in DBT_PROJECT_DIR.iterdir():
        if entry.name not in ("target", "logs", "dbt_packages"):
            (project / entry.name).symlink_to(entry)
    # Seeds and models; no data tests (see above), no unit tests (tests/dbt runs them).
    process, results = run_dbt("build", data, project, "--exclude-resource-type", "test", "unit_test")
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]
    assert (project / "target" / "semantic_manifest.json").exists()
    return BuiltSample(data, project)
