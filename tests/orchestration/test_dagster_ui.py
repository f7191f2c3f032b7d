"""`make dev` in a real browser: `dagster dev` on a free 127.0.0.1 port with a temporary instance and
data folder; every asset, group, schedule and sensor of the definitions listed by its GraphQL API
and shown by the UI's pages in headless Chromium; one asset materialized through the API, as the
UI's Materialize button does; then the server stopped by its pid, leaving no process behind.

The expectations come from the definitions built in this process with the server's settings:
whatever the definitions hold when the test runs, the UI must show.

Without ``chromium`` on the PATH the test is skipped, except under CI=true (.ci/run installs it)."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from leadhouse.settings import Settings
from orchestration.definitions import build_definitions
from tests.conftest import need
from tests.orchestration.dagster_ui import (
    AUTOMATION_ROWS,
    CATALOG_ROWS,
    LINEAGE_GROUPS,
    LINEAGE_SIZE,
    LISTED,
    ROW_PIXELS,
    Chromium,
    DagsterGraphQL,
    dev_command,
    dev_env,
)
from tests.orchestration.pipeline_runs import Started, free_port, new_dagster_home, stop

pytestmark = pytest.mark.slow

# Cheap and self-contained: one CSV into an empty warehouse, no dbt. Its blocking check runs too.
MATERIALIZED = dg.AssetKey(["raw", "web_forms"])


@dataclass(frozen=True)
class Expected:
    """What the code location holds: the definitions built in this process."""

    repository: str
    groups: dict[tuple[str, ...], str]  # asset key path -> its group
    schedules: frozenset[str]
    sensors: frozenset[str]
    checks: dict[dg.AssetKey, frozenset[str]]

    @classmethod
    def of(cls, defs: dg.Definitions) -> Expected:
        graph = defs.resolve_asset_graph()
        # The repository as the code location serves it: Dagster may add sensors of its own.
        repository = defs.get_repository_def()
        checks: dict[dg.AssetKey, set[str]] = {}
        for check in graph.asset_check_keys:
            checks.setdefault(check.asset_key, set()).add(check.name)
        return cls(
            repository=repository.name,
            groups={tuple(key.path): graph.get(key).group_name for key in graph.get_all_asset_keys()},
            schedules=frozenset(schedule.name for schedule in repository.schedule_defs),
            sensors=frozenset(sensor.name for sensor in repository.sensor_defs),
            checks={key: frozenset(names) for key, names in checks.items()},
        )


def test_dagster_dev_shows_every_definition_and_materializes_an_asset(sample_landing, tmp_path):
    need(shutil.which("chromium") is not None, "no chromium on the PATH (Debian: apt-get install chromium)")
    lap = Laps()
    data_dir = tmp_path / "data"
    env = dev_env(data_dir, new_dagster_home(tmp_path / "dagster_home"))
    port = free_port()
    server = Started(dev_command(port), env)
    api = DagsterGraphQL(port, server)
    try:
        # Built while the server starts, from the same environment.
        expected = Expected.of(build_definitions(Settings.from_env(env)))
        assert MATERIALIZED in expected.checks, f"the definitions have no {MATERIALIZED} with checks any more"
        location = api.wait_until_loaded()
        lap("loaded")
        repository = assert_the_api_lists_every_definition(api, expected, location)
        api.stop_automation(repository)
        assert_the_pages_show_every_definition(
            f"http://127.0.0.1:{port}", expected, tmp_path / "profile", lap
        )
        files, records = land_files(sample_landing / MATERIALIZED.path[-1], data_dir / "landing")
        assert_one_materialization(api, location, expected, files, records)
        lap("materialized")
    except BaseException:
        server.kill_session()
        raise
    finally:
        api.close()
    seconds = stop(server, lambda: os.kill(server.pid, signal.SIGTERM))
    lap(f"stopped (in {seconds:.1f} s)")
    print(f"\ndagster dev in the browser: {lap}")


def assert_the_api_lists_every_definition(api: DagsterGraphQL, expected: Expected, location: str) -> dict:
    listed = api(LISTED)
    groups = {tuple(node["assetKey"]["path"]): node["groupName"] for node in listed["assetNodes"]}
    assert_same("assets listed by the API", set(groups), set(expected.groups))
    wrong = {
        key: (group, expected.groups[key]) for key, group in groups.items() if group != expected.groups[key]
    }
    assert not wrong, f"assets in another group than the definitions' (shown, defined): {wrong}"
    # Dagster's group for an asset that names none: every asset is meant to name one.
    assert "default" not in groups.values(), sorted(
        key for key, group in groups.items() if group == "default"
    )

    repositories = listed["repositoriesOrError"]["nodes"]
    assert [(r["location"]["name"], r["name"]) for r in repositories] == [(location, expected.repository)]
    repository = repositories[0]
    assert_same(
        "schedules listed by the API", {s["name"] for s in repository["schedules"]}, expected.schedules
    )
    assert_same("sensors listed by the API", {s["name"] for s in repository["sensors"]}, expected.sensors)
    return repository


def assert_the_pages_show_every_definition(base: str, expected: Expected, profile: Path, lap: Laps) -> None:
    """The asset catalog (flat: one row per asset), the global lineage graph (one node per group,
    collapsed, with how many assets it holds) and the automation overview (every schedule and
    sensor), as a person sees them."""
    keys = [" / ".join(path) for path in expected.groups]
    group_sizes = dict(Counter(expected.groups.values()))
    instigators = sorted(
        [("schedule", name) for name in expected.schedules] + [("sensor", name) for name in expected.sensors]
    )
    with Chromium(profile) as browser:
        # Wide, so that no key is shortened with an ellipsis; tall enough to hold every row.
        browser.open(f"{base}/assets?view=flat", width=3000, height=ROW_PIXELS * len(keys) + 1500)
        shown = browser.wait_for(CATALOG_ROWS, lambda rows: sorted(rows or []) == sorted(keys))
        assert_same("assets in the catalog (/assets?view=flat)", set(shown), set(keys))
        assert len(shown) == len(keys), Counter(shown).most_common(3)
        lap("catalog")

        # A group node shows its count only when drawn at about full size: the page is opened
        # again, as large as the graph (the sidebar and margins take the rest).
        browser.open(f"{base}/asset-groups", width=1600, height=1200)
        size = browser.wait_for(LINEAGE_SIZE, lambda size: size is not None)
        assert size, "no lineage graph on /asset-groups"
        width, height = size
        browser.open(f"{base}/asset-groups", width=int(width) + 1000, height=int(height) + 1000)
        shown = browser.wait_for(LINEAGE_GROUPS, lambda groups: groups == group_sizes)
        assert shown == group_sizes, (
            f"the lineage graph's groups (/asset-groups): {shown}, expected {group_sizes}"
        )
        lap("lineage")

        browser.open(f"{base}/overview/automation", width=1600, height=ROW_PIXELS * len(instigators) + 1200)
        shown = browser.wait_for(AUTOMATION_ROWS, lambda rows: sorted(map(tuple, rows or [])) == instigators)
        assert sorted(map(tuple, shown)) == instigators, (
            f"the automation overview (/overview/automation): {sorted(shown)}, expected {instigators}"
        )
        lap("automation")


def land_files(source: Path, landing: Path) -> tuple[int, int]:
    """Copies a source's sample files into landing/<source>/; returns how many files and records."""
    shutil.copytree(source, landing / source.name)
    files = sorted((landing / source.name).iterdir())
    records = 0
    for path in files:
        with path.open(newline="", encoding="utf-8") as file:
            records += sum(1 for _ in csv.DictReader(file))
    assert records > 0, f"no records in {source}"
    return len(files), records


def assert_one_materialization(
    api: DagsterGraphQL, location: str, expected: Expected, files: int, records: int
) -> None:
    """Launches it, waits for it, and checks what it did: every record read, loaded or quarantined,
    and the blocking check passed (it counts the rows in the warehouse's tables)."""
    checks = expected.checks[MATERIALIZED]
    run_id = api.launch_run(location, expected.repository, list(MATERIALIZED.path), sorted(checks))
    status = api.wait_for_run(run_id)
    if status != "SUCCESS":
        raise api.fail(f"run {run_id} ended {status}:\n{api.run_errors(run_id)}")
    events = api.run_events(run_id)
    materialized = [event for event in events if event["__typename"] == "MaterializationEvent"]
    assert [event["assetKey"]["path"] for event in materialized] == [list(MATERIALIZED.path)]
    metadata = {entry["label"]: entry.get("intValue") for entry in materialized[0]["metadataEntries"]}
    assert metadata["new_files"] == files, metadata
    assert metadata["rows_read"] == records, metadata
    assert (
        metadata["rows_loaded"] > 0 and metadata["rows_loaded"] + metadata["rows_quarantined"] == records
    ), metadata
    evaluated = {
        event["evaluation"]["checkName"]: event["evaluation"]["success"]
        for event in events
        if event["__typename"] == "AssetCheckEvaluationEvent"
    }
    assert evaluated == dict.fromkeys(checks, True), evaluated


class Laps:
    """Seconds since the start, at each step: printed, so that a slow step shows."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.laps: list[str] = []

    def __call__(self, what: str) -> None:
        self.laps.append(f"{what} {time.monotonic() - self.started:.1f} s")

    def __str__(self) -> str:
        return ", ".join(self.laps)


def assert_same(what: str, shown: set, expected: set) -> None:
    missing, extra = sorted(expected - shown), sorted(shown - expected)
    assert not missing and not extra, f"{what}: missing {missing}, not in the definitions {extra}"
