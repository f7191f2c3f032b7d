"""``python -m orchestration.dev [dagster dev options]``: `dagster dev` (what `make dev` starts)
after recovering what killed runs left, and stopped, runs included, within seconds of a stop signal.

`dagster dev` stops its webserver, daemon and code server on SIGTERM or SIGINT, but a run in
progress goes on in its run worker (a child of the code server), and dbt with it, until the run
ends: minutes on a big warehouse. Ctrl-C in a terminal stops them, since it reaches every process
of the foreground process group and each stops its part (the run worker fails the run, dbt cancels
its queries); a signal sent to one pid (`kill <pid>`, a service manager, `make` forwarding SIGTERM
to its child) does not. So `dagster dev` runs here in a process group of its own, any stop signal
becomes a Ctrl-C of that whole group, and whatever still runs STOP_SECONDS later is killed (the
next start recovers its runs). A second signal kills at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration import recover
from orchestration.lib.processes import group_is_running

STOP_SECONDS = 7.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
DAGSTER = str(Path(sys.executable).with_name("dagster"))


def main(argv: list[str]) -> int:
    recover.main()
    dev = subprocess.Popen([DAGSTER, "dev", *argv], process_group=0)
    stop_requested_at: float | None = None

    def stop(signum: int | None = None, _frame: object = None) -> None:
        nonlocal stop_requested_at
        if stop_requested_at is None:
            stop_requested_at = time.monotonic()
            _signal_group(dev.pid, signal.SIGINT)
        elif signum is not None:
            _signal_group(dev.pid, signal.SIGKILL)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    while group_is_running(dev.pid):
        if dev.poll() is not None:
            stop()  # dagster dev has ended: nothing of its group outlives it
        waited = time.monotonic() - stop_requested_at if stop_requested_at is not None else 0.0
        if waited > STOP_SECONDS:
            _signal_group(dev.pid, signal.SIGKILL)
        if waited > STOP_SECONDS + 1:
            break  # zombies, where there is no /proc to tell them apart
        time.sleep(0.1)
    dev.wait()
    return dev.returncode if dev.returncode >= 0 else 128 - dev.returncode


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
