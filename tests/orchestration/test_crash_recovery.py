"""Nothing lost, nothing stuck: a pipeline killed with SIGKILL while it ingests, its rerun killed
while dbt builds, and one killed while it publishes. The next run (after the first two, what `make
materialize` runs: recovery, then materialization; after the publish, the recovery and the publish
again) finishes in bounded time and ends exactly where an uninterrupted run on the same files ends:
the same raw tables and marts, row for row, in the warehouse, and the same marts in the published
copy.
The uninterrupted run has a reader of the published marts beside it (tests/integration/
published_readers.py): every read sees the old or the new version, complete."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import dagster as dg
import duckdb
import pytest

from leadhouse.publish import parquet_dir, publish, unfinished_copy
from leadhouse.settings import PROJECT_ROOT, Settings
from leadhouse.warehouse import marts_path
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL
from tests.integration.published_readers import (
    assert_every_read_saw_one_complete_version,
    build_version,
    published_version,
    reading,
)
from tests.orchestration.pipeline_runs import (
    MATERIALIZE,
    RECOVER,
    RERUN_TIMEOUT_SECONDS,
    Started,
    expected_relations,
    new_dagster_home,
    pipeline_env,
    run_pipeline,
    run_states,
    session_processes,
    wait_until_gone,
    warehouse_state,
)

pytestmark = pytest.mark.slow
STARTED = dg.DagsterRunStatus.STARTED


@pytest.fixture(scope="module")
def baseline(sample_landing, tmp_path_factory):
    """One uninterrupted run on the sample files: the state every rerun must reach. A reader process
    reads the published marts throughout: first a small stand-in published before the run, then
    what the run publishes."""
    data = tmp_path_factory.mktemp("baseline")
    shutil.copytree(sample_landing, data / "landing")
    published = Settings.from_env({"LEADHOUSE_DATA_DIR": str(data)}).published_dir
    build_version(data / "stand-in.duckdb", 1)
    publish(marts_path(data / "stand-in.duckdb"), published / "leadhouse.duckdb")
    versions = published_version(published)
    # A read every quarter second: the run is long, and a reader that reads without pause takes
    # most of a core the pipeline (and the suite's other worker) would use.
    with reading(published, data / "reads.jsonl", pause_seconds=0.25) as reader:
        seconds, _ = run_pipeline(data, new_dagster_home(data / "dagster_home"))
        versions |= published_version(published)
        reader.wait_until_it_saw(list(versions)[-1])
    print(f"\nuninterrupted run: {seconds:.1f} s")
    state = warehouse_state(Settings.from_env({"LEADHOUSE_DATA_DIR": str(data)}).warehouse_path)
    return data, state, (reader.reads(), versions)


def paths(data):
    settings = Settings.from_env({"LEADHOUSE_DATA_DIR": str(data)})
    return settings.warehouse_path, settings.published_path


def kill(pipeline: Started) -> None:
    """SIGKILL to the pipeline's own process; what it started must end with it (dbt, log tailers)."""
    os.kill(pipeline.pid, signal.SIGKILL)
    pipeline.process.wait()
    left = wait_until_gone(pipeline.pid, timeout=5)
    assert not left, left


def assert_rerun_converges(data, dagster_home, baseline_state, name: str, killed: int = 1) -> None:
    """The rerun is not blocked and ends where the uninterrupted run ended, in the warehouse and in
    the published copy."""
    seconds, output = run_pipeline(data, dagster_home)
    print(f"\nkilled {name}: rerun {seconds:.1f} s")
    assert seconds < RERUN_TIMEOUT_SECONDS
    assert ": failed (process" in output  # the recovery's report of the killed run
    statuses = [status for status, _ in run_states(dagster_home)]
    assert statuses == [dg.DagsterRunStatus.FAILURE] * killed + [dg.DagsterRunStatus.SUCCESS]
    warehouse, published = paths(data)
    assert warehouse_state(warehouse) == baseline_state
    assert warehouse_state(published) == baseline_state.published()


def test_uninterrupted_run_holds_exactly_models_seeds_and_raw_tables(baseline):
    data, state, _ = baseline
    assert state.relations == expected_relations()
    assert warehouse_state(paths(data)[1]) == state.published()
    assert 0 < state.counts["marts.dim_leads"] < state.counts["marts.lead_identity_map"]  # people, records


def test_readers_see_the_old_or_the_new_marts_while_the_pipeline_rebuilds_everything(baseline):
    """The full materialization, as `make materialize` runs it, with a reader of the published copy
    and Parquet files beside it: every read succeeds and sees the stand-in or the run's marts."""
    reads, versions = baseline[2]
    assert len(versions) == 2
    report = assert_every_read_saw_one_complete_version(reads, versions)
    print(f"\nreader during the uninterrupted run: {report}")
    assert report["versions they saw"] == 2 and report["manifests they saw"] == 2
    assert report["database reads"] >= 20 and report["parquet reads"] >= 20


def test_killed_while_ingesting_then_its_rerun_killed_while_dbt_builds(sample_landing, baseline, tmp_path):
    """Two kills in a row (one rerun saved: each full rerun is a minute of the suite): the first
    while files are half ingested; its rerun, once recovered, while dbt builds. Only the pipeline's
    own process is killed: dbt, its child, must not go on building (and holding the warehouse's
    write lock) without it. The next rerun ends where the uninterrupted run ended."""
    shutil.copytree(sample_landing, tmp_path / "landing")
    home = new_dagster_home(tmp_path / "dagster_home")
    env = pipeline_env(tmp_path, home)
    pipeline = Started(MATERIALIZE, env)
    try:
        pipeline.wait_for('Started execution of step "raw__crm_export"')
        kill(pipeline)
        warehouse, _ = paths(tmp_path)
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            files = conn.execute("select count(*) from raw.ingest_ledger").fetchone()[0]
        assert 0 < files < baseline[1].counts["raw.ingest_ledger"]  # some files in, some not
        assert run_states(home) == [(STARTED, {WAREHOUSE_WRITER_POOL})]  # what blocked every later run
    finally:
        pipeline.kill_session()

    recovered = subprocess.run(RECOVER, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True)
    assert ": failed (process" in recovered.stdout + recovered.stderr
    assert run_states(home) == [(dg.DagsterRunStatus.FAILURE, set())]  # its slot is free again
    rerun = Started(MATERIALIZE, env)
    try:
        rerun.wait_for("Materialized value intermediate int_er_pairs_scored")
        assert any("/dbt build " in command for _, command in session_processes(rerun.pid))
        assert run_states(home)[-1] == (STARTED, {WAREHOUSE_WRITER_POOL})
        kill(rerun)
        assert_rerun_converges(
            tmp_path, home, baseline[1], "while ingesting, then while dbt builds", killed=2
        )
    finally:
        rerun.kill_session()


def test_killed_while_publishing_readers_keep_the_old_copy(baseline, tmp_path):
    """Starts from the baseline's built warehouse and published copy, and materializes the copy
    alone (the state a full run killed there leaves, without building everything first): while the
    new copy is written, and after the kill, readers open the old one, complete. The rerun is the
    recovery and the same publish (the test above reruns the whole pipeline after a kill; here the
    half-written copy is what the next publish must get past): it replaces the copy with the
    baseline's marts and leaves no temporary file."""
    shutil.copytree(baseline[0] / "landing", tmp_path / "landing")
    shutil.copytree(baseline[0] / "warehouse", tmp_path / "warehouse")
    shutil.copytree(baseline[0] / "published", tmp_path / "published")
    warehouse, published = paths(tmp_path)
    home = new_dagster_home(tmp_path / "dagster_home")
    publishing = [
        MATERIALIZE[0],
        "asset",
        "materialize",
        "--select",
        "published/warehouse",
        "-m",
        "orchestration.definitions",
    ]
    pipeline = Started(publishing, pipeline_env(tmp_path, home))
    try:
        pipeline.wait_for('Started execution of step "published__warehouse"')
        staging = unfinished_copy(published)[0]
        deadline = time.monotonic() + 10
        while not staging.exists() and time.monotonic() < deadline:
            time.sleep(0.001)
        kill(pipeline)
        assert staging.exists(), "killed before or after the copy was written"
        assert warehouse_state(published) == baseline[1].published()  # the old copy, complete
        env = pipeline_env(tmp_path, home)
        recovered = subprocess.run(RECOVER, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        assert ": failed (process" in recovered.stdout + recovered.stderr
        rerun = subprocess.run(
            publishing,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=RERUN_TIMEOUT_SECONDS,
        )
        assert rerun.returncode == 0, rerun.stdout[-4000:] + rerun.stderr[-4000:]
        assert [status for status, _ in run_states(home)] == [
            dg.DagsterRunStatus.FAILURE,
            dg.DagsterRunStatus.SUCCESS,
        ]
        assert warehouse_state(published) == baseline[1].published()  # the new copy, the same marts
        assert warehouse_state(warehouse) == baseline[1]  # the publish changed nothing in the warehouse
        assert not staging.exists() and not list(parquet_dir(published).glob(".*"))  # no temporaries
    finally:
        pipeline.kill_session()
