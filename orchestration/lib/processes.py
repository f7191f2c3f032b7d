"""Which processes are running, from /proc where there is one (Linux), else from `kill(pid, 0)`."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

# /proc gives process start times in clock ticks since boot, and the boot time in whole seconds.
CLOCK_SLACK_SECONDS = 2.0
_PROC = Path("/proc")


def process_is_running(pid: int, since: float) -> bool:
    """Whether process `pid` is alive and is the process that was alive at `since` (a later one
    with the same pid is another process: pids are reused). Without /proc, existence is all we know."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    if not _has_proc():
        return True
    fields = _stat(pid)
    if fields is None or _is_dead(fields):
        return False
    started = _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return started <= since + CLOCK_SLACK_SECONDS


def group_is_running(pgid: int) -> bool:
    """Whether a process of process group `pgid` is alive. Zombies do not count: an orphan's is
    reaped by whatever reaps orphans here, which may take seconds."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if not _has_proc():
        return True
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[2]) == pgid and not _is_dead(fields):
                return True
    return False


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from its third field (the state) on; None once the process is gone."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces


def _is_dead(fields: list[str]) -> bool:
    return fields[0] in ("Z", "X")  # a zombie: dead, not yet reaped by its parent


def _has_proc() -> bool:
    return (_PROC / "self" / "stat").exists()


@cache
def _boot_time() -> float:
    for line in (_PROC / "stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise RuntimeError("/proc/stat has no btime line")
