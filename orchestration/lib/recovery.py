"""After a crash: fail the runs whose process is gone and give back the pool slots they held.

A run killed with SIGKILL (or dying with its machine) cannot report its own end: it stays STARTED
in the Dagster instance and keeps its slot of the `duckdb_writer` pool, whose limit is 1, so every
later run waits for that slot forever. The daemon's run monitoring cannot see this with the default
run launcher (it has no run-worker health check), and `dagster asset materialize` has no daemon at
all, so `make materialize` and `make dev` call `recover_abandoned_runs` before they start.

A run is abandoned when none of the processes that executed it is alive. Dagster records each of
them in the run's event log ("Executing steps in process (pid: ...)", "Started process for run
(pid: ...)"); a pid is only trusted if that process already existed when the event was written, since
pids are reused (after a reboot or a container restart, almost surely). A run that never recorded a
process is given the instance's run-monitoring start timeout before it counts as abandoned. So a
running run, even one of another `make materialize` or of `make dev` on the same instance, is never
touched; the instance is local (SQLite under DAGSTER_HOME), so its pids are this machine's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.events import DagsterEventType

from orchestration.lib.processes import process_is_running

# Statuses of a run that has, or should have, a process executing it.
UNFINISHED_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class Repair:
    run_id: str
    action: str  # "failed", "canceled" or "freed slots"
    reason: str

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.action} ({self.reason})"


@dataclass(frozen=True)
class Recovery:
    repairs: list[Repair] = field(default_factory=list)
    running: list[str] = field(default_factory=list)  # runs left alone: their process is alive

    def report(self) -> list[str]:
        lines = [f"recovery: {repair}" for repair in self.repairs]
        lines += [f"recovery: run {run_id} is still running, left alone" for run_id in self.running]
        return lines or ["recovery: no abandoned run, no held slot"]


def recover_abandoned_runs(instance: dg.DagsterInstance, now: float | None = None) -> Recovery:
    """Mark every abandoned run failed (canceled, if it was being canceled) and free the pool slots
    of every finished run that still holds one. Returns what was repaired and what was left alone."""
    now = time.time() if now is None else now
    repairs, running = [], []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=UNFINISHED_STATUSES)):
        run = record.dagster_run
        processes = run_processes(instance, run.run_id)
        if any(process_is_running(pid, since) for pid, since in processes):
            running.append(run.run_id)
            continue
        if processes:
            pids = sorted({pid for pid, _ in processes})
            reason = (
                f"process {pids[0]} is gone"
                if len(pids) == 1
                else f"processes {', '.join(map(str, pids))} are gone"
            )
        else:
            began = record.start_time or record.create_timestamp.timestamp()
            if now - began < instance.run_monitoring_start_timeout_seconds:
                running.append(run.run_id)  # may still be starting
                continue
            reason = f"no process started it in {now - began:.0f} s"
        message = f"Abandoned: {reason}; the run was killed or crashed. Marked by leadhouse recovery."
        if run.status == dg.DagsterRunStatus.CANCELING:
            instance.report_run_canceled(run, message)
            repairs.append(Repair(run.run_id, "canceled", reason))
        else:
            instance.report_run_failed(run, message)
            repairs.append(Repair(run.run_id, "failed", reason))

    for run_id in sorted(slot_holders(instance) - set(running)):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            state = "deleted" if run is None else run.status.value.lower()
            repairs.append(Repair(run_id, "freed slots", f"the run is {state}"))
    return Recovery(repairs, running)


def run_processes(instance: dg.DagsterInstance, run_id: str) -> list[tuple[int, float]]:
    """(pid, when it was recorded) of every process the run's events say executed it."""
    processes = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        data = entry.dagster_event.engine_event_data if entry.dagster_event else None
        pid = data.metadata.get("pid") if data else None
        if pid is not None:
            processes.append((int(pid.value), entry.timestamp))
    return processes


def slot_holders(instance: dg.DagsterInstance) -> set[str]:
    """Runs that hold a concurrency slot or wait in a pool's queue."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return set()
    holders = set(storage.get_concurrency_run_ids())
    for key in storage.get_concurrency_keys():
        holders |= storage.get_concurrency_info(key).active_run_ids
    return holders
