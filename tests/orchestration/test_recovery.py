"""The recovery that runs before `make materialize` and `make dev`, on a real Dagster instance in a
temporary folder: fake runs, real storage, real processes."""

from __future__ import annotations

import os
import subprocess
import time

import dagster as dg
import pytest
from dagster._core.events import EngineEventData

from leadhouse.publish import unfinished_copy
from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.lib.processes import process_is_running
from orchestration.lib.recovery import recover_abandoned_runs
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL
from orchestration.recover import recover
from tests.orchestration.pipeline_runs import MATERIALIZE, RECOVER, new_dagster_home

STARTED = dg.DagsterRunStatus.STARTED


@dg.op
def write_warehouse():
    pass


@dg.job
def fake_job():
    write_warehouse()


@pytest.fixture
def instance(tmp_path):
    with dg.DagsterInstance.from_config(str(new_dagster_home(tmp_path / "dagster_home"))) as instance:
        yield instance


def started_run(instance, pid: int | None, pool_step: str | None = "write_warehouse") -> dg.DagsterRun:
    run = instance.create_run_for_job(fake_job)
    instance.report_dagster_event(
        dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name), run_id=run.run_id
    )
    if pid is not None:
        instance.report_engine_event(
            f"Executing steps in process (pid: {pid})", run, EngineEventData.in_process(pid)
        )
    if pool_step:
        assert claim_slot(instance, run.run_id, pool_step)
    return instance.get_run_by_id(run.run_id)


def claim_slot(instance, run_id: str, step_key: str) -> bool:
    """As a step of the pool claims its slot (the instance sets the pool's limit on first use)."""
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_WRITER_POOL)
    return storage.claim_concurrency_slot(WAREHOUSE_WRITER_POOL, run_id, step_key).is_claimed


def ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def held_by(instance) -> set[str]:
    return instance.event_log_storage.get_concurrency_info(WAREHOUSE_WRITER_POOL).active_run_ids


def test_a_run_whose_process_is_gone_is_failed_and_its_slot_freed(instance):
    dead = started_run(instance, ended_pid())
    assert held_by(instance) == {dead.run_id}

    recovery = recover_abandoned_runs(instance)

    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert held_by(instance) == set()
    assert [(r.run_id, r.action) for r in recovery.repairs] == [
        (dead.run_id, "failed"),
        (dead.run_id, "freed slots"),
    ]
    assert recover_abandoned_runs(instance).repairs == []  # nothing left to repair
    # The next run gets the slot.
    assert claim_slot(instance, "next-run", "step")


def test_a_run_whose_process_is_alive_is_left_alone(instance):
    alive = started_run(instance, os.getpid())
    recovery = recover_abandoned_runs(instance)
    assert recovery.repairs == [] and recovery.running == [alive.run_id]
    assert instance.get_run_by_id(alive.run_id).status == STARTED
    assert held_by(instance) == {alive.run_id}
    assert recovery.report() == [f"recovery: run {alive.run_id} is still running, left alone"]


def test_a_run_that_recorded_no_process_gets_the_start_timeout(instance):
    starting = started_run(instance, pid=None, pool_step=None)
    assert recover_abandoned_runs(instance).running == [starting.run_id]
    later = time.time() + instance.run_monitoring_start_timeout_seconds + 1
    recovery = recover_abandoned_runs(instance, now=later)
    assert [r.action for r in recovery.repairs] == ["failed"]
    assert instance.get_run_by_id(starting.run_id).status == dg.DagsterRunStatus.FAILURE


def test_a_run_being_canceled_whose_process_is_gone_is_canceled(instance):
    run = started_run(instance, ended_pid())
    instance.report_run_canceling(run)
    recover_abandoned_runs(instance)
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.CANCELED
    assert held_by(instance) == set()


def test_a_finished_run_still_holding_a_slot_gives_it_back(instance):
    run = started_run(instance, os.getpid())
    instance.report_run_failed(run)  # ended, as a run worker killed under the daemon is reported
    assert held_by(instance) == {run.run_id}
    assert [r.action for r in recover_abandoned_runs(instance).repairs] == ["freed slots"]
    assert held_by(instance) == set()


def test_a_reused_pid_does_not_keep_a_dead_run_alive():
    now = time.time()
    assert process_is_running(os.getpid(), since=now)
    assert not process_is_running(os.getpid(), since=now - 10 * 24 * 3600)  # started after the event
    assert not process_is_running(ended_pid(), since=now)
    zombie = subprocess.Popen(["true"])
    while not (status := open(f"/proc/{zombie.pid}/stat").read().split(") ")[1][0]) == "Z":
        time.sleep(0.01)
    assert status == "Z" and not process_is_running(zombie.pid, since=now)
    zombie.wait()


def test_recover_removes_a_half_written_published_copy_only_when_no_run_is_running(instance, tmp_path):
    settings = Settings.from_env({"LEADHOUSE_DATA_DIR": str(tmp_path / "data")})
    leftovers = unfinished_copy(settings.published_path)
    settings.published_dir.mkdir(parents=True)
    alive = started_run(instance, os.getpid())
    for path in leftovers:
        path.write_text("half written")
    assert recover(instance, settings) == [f"recovery: run {alive.run_id} is still running, left alone"]
    assert all(path.exists() for path in leftovers)  # a running publish writes them
    instance.report_run_failed(alive)
    lines = recover(instance, settings)
    assert not any(path.exists() for path in leftovers)
    assert lines[-2:] == [
        f"recovery: removed {path}, left by a publish that was killed" for path in leftovers
    ]


def test_makefile_recovers_before_materializing():
    recipe = subprocess.run(
        ["make", "-n", "materialize"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    recover_at = recipe.index("-m orchestration.recover")
    assert recover_at < recipe.index(
        "exec .venv/bin/dagster job execute -j materialize_everything -m orchestration.definitions"
    )
    assert RECOVER[1:] == ["-m", "orchestration.recover"] and MATERIALIZE[1:5] == [
        "job",
        "execute",
        "-j",
        "materialize_everything",
    ]
