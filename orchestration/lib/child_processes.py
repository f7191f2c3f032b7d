"""A child process that ends with the step that started it, however that step ends.

dagster-dbt runs dbt as a child process and forwards an interrupt to it, but only while it is
reading dbt's output: an interrupt (SIGTERM, Ctrl-C) that lands between two of the events it yields
left dbt running, and so does a SIGKILL of the step's process, which nothing in that process can
handle. dbt then held the warehouse's write lock for the rest of its build, and the next run's
writers failed on it. `ends_with_this_process` stops the child when the block ends early, and when
this process dies, through a small watcher process (run as this file, standard library only).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

# After SIGINT dbt cancels its queries and exits, in about a second; a stop must end within 10 s.
STOP_GRACE_SECONDS = 5.0
WATCH_INTERVAL_SECONDS = 0.2


@contextmanager
def ends_with_this_process(
    process: subprocess.Popen, grace_seconds: float = STOP_GRACE_SECONDS
) -> Iterator[None]:
    watcher = _start_watcher(process)
    try:
        yield
    finally:
        stop(process, grace_seconds)
        watcher.kill()
        watcher.wait()


def stop(process: subprocess.Popen, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """SIGINT, as Ctrl-C would send it, then SIGKILL if the process has not ended after the grace
    period (or if this process is interrupted again while it waits)."""
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)
        process.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _start_watcher(process: subprocess.Popen) -> subprocess.Popen:
    """Starts a process that kills `process` once this one has died. It names `process` by a pidfd
    where the platform has them (Linux), so a pid reused after `process` ended is never killed."""
    pidfd = os.pidfd_open(process.pid) if hasattr(os, "pidfd_open") else None
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-I",
                __file__,
                str(os.getpid()),
                str(process.pid),
                str(pidfd) if pidfd is not None else "",
            ],
            pass_fds=(pidfd,) if pidfd is not None else (),
            stdin=subprocess.DEVNULL,
        )
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _watch(parent_pid: int, child_pid: int, pidfd: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent handles it
    while os.getppid() == parent_pid:  # reparented once the parent has died
        time.sleep(WATCH_INTERVAL_SECONDS)
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(child_pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    parent, child, fd = sys.argv[1:4]
    _watch(int(parent), int(child), int(fd) if fd else None)
