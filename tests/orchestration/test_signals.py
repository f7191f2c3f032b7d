"""SIGTERM and Ctrl-C stop `make materialize` and `make dev` within 10 s, runs included, and leave no
process behind and nothing held in the Dagster instance."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import dagster as dg
import pytest

from leadhouse.settings import PROJECT_ROOT
from tests.orchestration.pipeline_runs import (
    MATERIALIZE,
    RECOVER,
    Started,
    free_port,
    new_dagster_home,
    pipeline_env,
    run_states,
    session_processes,
    stop,
)

pytestmark = pytest.mark.slow


def assert_nothing_held(dagster_home) -> None:
    """The stopped run failed; no run is left in progress or holding a slot of a pool (a run
    still queued, such as one the freshness sensor asked for, waits for the next start)."""
    states = run_states(dagster_home)
    assert any(status == dg.DagsterRunStatus.FAILURE for status, _ in states), states
    assert all(status not in IN_PROGRESS and not pools for status, pools in states), states


IN_PROGRESS = {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING}


def test_sigterm_stops_make_materialize_while_dbt_builds(sample_landing, tmp_path):
    """make forwards SIGTERM to its child (the recipe execs dagster); dagster turns it into an
    interrupt; dbt is stopped even when the interrupt lands between two of its events."""
    shutil.copytree(sample_landing, tmp_path / "landing")
    home = new_dagster_home(tmp_path / "dagster_home")
    # -o manifest: make test parsed the project already; a dbt parse here would rewrite the manifest
    # other tests (another xdist worker) are reading.
    make = Started(
        ["make", "-o", "manifest", "materialize", f"DAGSTER_HOME={home}"], pipeline_env(tmp_path, home)
    )
    make.wait_for("Materialized value staging ")
    assert any("/dbt build " in command for _, command in session_processes(make.pid))
    seconds = stop(make, lambda: os.kill(make.pid, signal.SIGTERM))
    print(f"\nmake materialize, SIGTERM while dbt builds: stopped in {seconds:.1f} s")
    assert make.process.returncode != 0
    assert_nothing_held(home)


def test_ctrl_c_stops_materialize_while_ingesting(sample_landing, tmp_path):
    """Ctrl-C: SIGINT to every process of the terminal's foreground group."""
    shutil.copytree(sample_landing, tmp_path / "landing")
    home = new_dagster_home(tmp_path / "dagster_home")
    materialize = Started(MATERIALIZE, pipeline_env(tmp_path, home))
    materialize.wait_for('Started execution of step "raw__crm_export"')
    seconds = stop(materialize, lambda: os.killpg(materialize.pid, signal.SIGINT))
    print(f"\nmaterialize, Ctrl-C while ingesting: stopped in {seconds:.1f} s")
    assert_nothing_held(home)


def test_sigterm_stops_make_dev_and_the_run_in_progress(sample_landing, tmp_path):
    """The landing sensor starts a run as soon as the daemon is up; SIGTERM to make's pid stops the
    UI, the daemon, the code server, the run worker and dbt. A run the stop had to kill is
    repaired by the next start's recovery."""
    shutil.copytree(sample_landing, tmp_path / "landing")
    home = new_dagster_home(tmp_path / "dagster_home")
    # No dbt parse when the code location loads (make test parsed the project; another worker reads
    # the manifest such a parse would rewrite).
    env = pipeline_env(tmp_path, home) | {"LEADHOUSE_DEV_PARSE": "0"}
    dev = Started(["make", "-o", "manifest", "dev", f"DAGSTER_HOME={home}", f"DEV_PORT={free_port()}"], env)
    try:
        dev.wait_for("Serving dagster-webserver on http://127.0.0.1:")
        deadline = time.monotonic() + 90
        while not any(status == dg.DagsterRunStatus.STARTED for status, _ in run_states(home)):
            assert time.monotonic() < deadline, dev.tail()
            time.sleep(0.5)
        dev.wait_for('Started execution of step "raw__')
    except BaseException:
        dev.kill_session()
        raise
    seconds = stop(dev, lambda: os.kill(dev.pid, signal.SIGTERM))
    print(f"\nmake dev with a run in progress, SIGTERM: stopped in {seconds:.1f} s")
    subprocess.run(RECOVER, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    assert_nothing_held(home)
