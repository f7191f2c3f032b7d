"""The benchmark driver: measuring a process, running a system on a dataset, the results table."""

import json
import resource
import sys
from pathlib import Path

import polars as pl
import pytest

from bench.er.datasets import benchmark
from bench.er.run import Row, Setup, markdown, measure, run_dataset, write_results

FAKE_CLI = [sys.executable, str(Path(__file__).with_name("fake_er_cli.py"))]


def test_measure_reports_the_child_peak_memory_and_exit_code(tmp_path):
    grab = (
        "import sys; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]); sys.exit(3)"
    )
    result = measure([sys.executable, "-c", grab], tmp_path / "grab.log")
    assert result.returncode == 3
    # Before exec, a forked child maps its parent's pages, so its peak can include the parent's
    # (pytest with every test module imported); the driver itself is a small process.
    parent_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert 300 <= result.peak_mib < 450 + parent_mib
    assert result.seconds > 0 and result.cpu_seconds > 0


def test_measure_kills_at_the_timeout(tmp_path):
    result = measure(
        [sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "sleep.log", timeout=0.5
    )
    assert result.returncode is None
    assert result.seconds < 10


def setup_for(workdir: Path, *extra: str) -> Setup:
    return Setup(
        workdir=workdir,
        main_python=sys.executable,
        bench_python=str(workdir / "no-bench-env"),
        leadhouse_cmd=[*FAKE_CLI, *extra],
        timeout=60,
        fresh=False,
    )


@pytest.fixture
def febrl3_workdir(tmp_path: Path) -> Path:
    """A prepared six-record 'febrl3': entity 1 = r1, r2, r3 (r3 lost its soc_sec_id), entity 2 = r4, r5."""
    bench = benchmark("febrl3")
    pl.DataFrame(
        {
            "record_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "soc_sec_id": ["11", "11", None, "22", "22", "33"],
        }
    ).write_parquet(bench.input_path(tmp_path))
    pl.DataFrame(
        {
            "record_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "true_id": ["1", "1", "1", "2", "2", "3"],
        }
    ).write_parquet(bench.truth_path(tmp_path))
    return tmp_path


def test_a_system_is_run_measured_and_scored(febrl3_workdir):
    rows = run_dataset(
        benchmark("febrl3"), setup_for(febrl3_workdir), ["splink", "leadhouse", "leadhouse-baseline"]
    )
    splink, leadhouse = rows  # no baseline on FEBRL
    assert (splink.system, splink.status) == ("splink", "unavailable")
    assert "no benchmark environment" in splink.note
    assert (leadhouse.system, leadhouse.status, leadhouse.records) == ("leadhouse", "ok", 6)
    # Predicted pairs r1-r2, r4-r5, both right; true pairs 3 + 1.
    assert leadhouse.metrics["pairwise_precision"] == 1.0
    assert leadhouse.metrics["pairwise_recall"] == 0.5
    assert leadhouse.seconds > 0 and leadhouse.peak_mib > 0
    assert (febrl3_workdir / "logs" / "febrl3.leadhouse.log").exists()


def test_a_failing_system_is_reported_with_its_log(febrl3_workdir):
    (row,) = run_dataset(benchmark("febrl3"), setup_for(febrl3_workdir, "--fail"), ["leadhouse"])
    assert row.status == "failed"
    assert "exit 1" in row.note and "failing on purpose" in row.note
    assert row.metrics == {}


def test_a_missing_leadhouse_module_is_reported_not_raised(febrl3_workdir):
    setup = Setup(
        workdir=febrl3_workdir,
        main_python=sys.executable,
        bench_python="none",
        leadhouse_cmd=[sys.executable, "-m", "no_such_package"],
        timeout=None,
        fresh=False,
    )
    rows = run_dataset(benchmark("febrl3"), setup, ["leadhouse"])
    assert [(r.status, "not importable" in r.note) for r in rows] == [("unavailable", True)]


def test_table_gives_leadhouse_time_and_memory_as_multiples_of_splink(tmp_path):
    scores = {"pairwise_precision": 1.0, "pairwise_recall": 0.5, "pairwise_f1": 2 / 3, "bcubed_f1": 0.8}
    rows = [
        Row("gen10k", 13000, "splink", "ok", seconds=40.0, cpu_seconds=70.0, peak_mib=800.0, metrics=scores),
        Row(
            "gen10k",
            13000,
            "leadhouse",
            "ok",
            seconds=10.0,
            cpu_seconds=9.0,
            peak_mib=200.0,
            metrics=scores | {"blocking_recall": 0.995},
        ),
        Row("gen10k", 13000, "leadhouse-baseline", "failed", seconds=1.0, peak_mib=90.0, note="exit 2"),
    ]
    table = markdown(rows)
    lines = table.splitlines()
    assert lines[0].count("|") == lines[1].count("|") == lines[2].count("|") == 14
    assert (
        lines[2]
        == "| gen10k | 13000 | splink | 1.0000 | 0.5000 | 0.6667 | 0.8000 | — | 40.0 | 70.0 | 800 | — | — |"
    )
    assert lines[3] == (
        "| gen10k | 13000 | leadhouse | 1.0000 | 0.5000 | 0.6667 | 0.8000 | 0.9950 | 10.0 | 9.0 | 200 | 0.25 | 0.25 |"
    )
    assert lines[4].startswith("| gen10k | 13000 | leadhouse-baseline (failed) | — |")
    assert "- gen10k / leadhouse-baseline: exit 2" in table

    write_results(rows, {"cpus": 2}, tmp_path)
    assert (tmp_path / "results.md").read_text() == table
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["machine"] == {"cpus": 2}
    assert [r["system"] for r in saved["runs"]] == ["splink", "leadhouse", "leadhouse-baseline"]


@pytest.mark.parametrize(
    ("name", "profile", "leads"),
    [
        ("gen10k", "leads", 10_000),
        ("gen1m", "leads", 1_000_000),
        ("gen250", "leads", 250),
        ("febrl4", "febrl4", None),
    ],
)
def test_dataset_names(name, profile, leads):
    bench = benchmark(name)
    assert (bench.profile, bench.leads) == (profile, leads)


def test_unknown_dataset_names_are_refused():
    with pytest.raises(ValueError, match="gen<N>"):
        benchmark("febrl5")
