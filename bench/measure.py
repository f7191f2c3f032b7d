"""Wall time and peak memory of a command's whole process tree, for the benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import threading
import time
from pathlib import Path


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (MiB)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total / 2**20


def timed(
    command: list[str],
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    log: Path | None = None,
    samples: list[tuple[float, float]] | None = None,
) -> tuple[float, float]:
    """Run ``command``: its wall seconds and the peak resident memory of its process tree (MiB),
    sampled every 0.2 s (each sample appended to ``samples`` as (epoch seconds, MiB) when given).
    Its output goes to ``log`` (named in the error when it fails), or nowhere."""
    started = time.perf_counter()
    peak = 0.0
    with open(log, "w") if log else contextlib.nullcontext(subprocess.DEVNULL) as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                rss = tree_rss_mib(process.pid)
                peak = max(peak, rss)
                if samples is not None:
                    samples.append((time.time(), rss))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        done.set()
        sampler.join()
    if code:
        raise SystemExit(f"{' '.join(command[:2])} failed (exit {code})" + (f"; see {log}" if log else ""))
    return time.perf_counter() - started, peak


def peak_mib() -> float:
    """This process's peak resident memory (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def json_child(command: list[str], cwd: Path) -> dict:
    """Run a benchmark's measuring step in a process of its own (so it has its own peak memory):
    echo what it prints and return the JSON object of its last line."""
    result = subprocess.run(
        command,
        cwd=cwd,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"POLARS_VERBOSE": "0"},
    )
    lines = result.stdout.splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    return json.loads(lines[-1])
