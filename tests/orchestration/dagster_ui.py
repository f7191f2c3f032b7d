"""Helpers for the Dagster UI test: `dagster dev` started as `make dev` starts it, its GraphQL API,
and Debian's headless Chromium driven over the DevTools protocol.

The UI is a React app that fetches everything after the page loads and renders long lists only
where they are on screen, so a page is read by asking the browser, again and again, what it shows
now, until it shows what is expected or time runs out (not by guessing how long it takes)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.orchestration.pipeline_runs import Started, pipeline_env

LOAD_SECONDS = 120  # `dagster dev` up and the code location loaded, on a busy machine
PAGE_SECONDS = 60
RUN_SECONDS = 120
TERMINAL_RUN_STATUSES = ("SUCCESS", "FAILURE", "CANCELED")
RACED_THE_DAEMON = "is already present in storage"


def dev_command(port: int) -> list[str]:
    """What `make dev` runs (the Makefile's recipe), on another port."""
    return [sys.executable, "-m", "orchestration.dev", *f"-h 127.0.0.1 -p {port} -w workspace.yaml".split()]


def dev_env(data_dir: Path, dagster_home: Path) -> dict[str, str]:
    # LEADHOUSE_DEV_PARSE=0: no dbt parse on load (orchestration.lib.dbt). It would rewrite the
    # manifest other tests (another xdist worker) are reading; `make test` has just written it.
    return pipeline_env(data_dir, dagster_home) | {"LEADHOUSE_DEV_PARSE": "0"}


class DagsterGraphQL:
    """The GraphQL API of the `dagster dev` that `server` runs; every failure message ends with the
    tail of the server's output."""

    def __init__(self, port: int, server: Started):
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.server = server
        self.client = httpx.Client(timeout=30)

    def close(self) -> None:
        self.client.close()

    def fail(self, message: str) -> AssertionError:
        return AssertionError(f"{message}\n--- dagster dev's output, last lines:\n{self.server.tail()}")

    def __call__(self, query: str, **variables: Any) -> dict:
        response = self.client.post(self.url, json={"query": query, "variables": variables})
        if response.status_code != 200 or response.json().get("errors"):
            raise self.fail(f"GraphQL {response.status_code}: {response.text[:3000]}")
        return response.json()["data"]

    def wait_until_loaded(self, timeout: float = LOAD_SECONDS) -> str:
        """Waits for the webserver to answer and every code location to be loaded; returns the
        name of the one location (workspace.yaml has one)."""
        deadline = time.monotonic() + timeout
        state = "no answer"
        while time.monotonic() < deadline:
            if self.server.process.poll() is not None:
                raise self.fail(f"dagster dev ended (rc {self.server.process.returncode}) before it was up")
            try:
                entries = self(LOCATIONS)["workspaceOrError"]["locationEntries"]
            except httpx.TransportError as exc:
                state = f"no answer ({type(exc).__name__})"
            else:
                state = ", ".join(f"{e['name']}: {e['loadStatus']}" for e in entries) or "no location"
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    errors = [e["locationOrLoadError"] for e in entries]
                    failed = [e for e in errors if e["__typename"] != "RepositoryLocation"]
                    if failed:
                        raise self.fail(f"the code location failed to load: {failed[0].get('message')}")
                    assert len(entries) == 1, f"workspace.yaml has one code location, the UI shows {state}"
                    return entries[0]["name"]
            time.sleep(0.5)
        raise self.fail(f"the code location is not loaded {timeout:.0f} s after the start ({state})")

    def stop_automation(self, repository: dict) -> None:
        """Stops every running schedule and sensor of `repository` (as LISTED lists it): the
        landing sensor would start a refresh for the file the test lands, the build sensor a build
        after the test's ingestion, a schedule whose time comes during the test a run of its own.
        What a sensor's first tick started as the daemon came up (the freshness checks' run) goes
        on beside the test's run."""
        for kind, mutation, state in (
            ("schedules", STOP_SCHEDULE, "scheduleState"),
            ("sensors", STOP_SENSOR, "sensorState"),
        ):
            for instigator in repository[kind]:
                if instigator[state]["status"] == "RUNNING":
                    self._stop(instigator, mutation)

    def _stop(self, instigator: dict, mutation: str, attempts: int = 10) -> None:
        """One stop mutation, tried again while it races the daemon: an instigator that runs by
        default has no stored state until the daemon's first tick stores one, and a stop that
        writes its own state at that moment fails with "already present in storage" (a second
        try finds the stored state and updates it)."""
        for attempt in range(attempts):
            response = self.client.post(
                self.url, json={"query": mutation, "variables": {"id": instigator["id"]}}
            )
            if RACED_THE_DAEMON in response.text and attempt < attempts - 1:
                time.sleep(0.5)
                continue
            if response.status_code != 200 or response.json().get("errors"):
                status, text = response.status_code, response.text[:3000]
                raise self.fail(f"stopping {instigator['name']}: GraphQL {status}: {text}")
            result = next(iter(response.json()["data"].values()))
            if "message" in result:
                raise self.fail(f"stopping {instigator['name']}: {result['message']}")
            return

    def launch_run(self, location: str, repository: str, asset_path: list[str], checks: list[str]) -> str:
        """Materializes one asset and its checks, as the UI's Materialize button does; returns the run id."""
        selector = {
            "repositoryLocationName": location,
            "repositoryName": repository,
            "jobName": ASSET_JOB,
            "assetSelection": [{"path": asset_path}],
            "assetCheckSelection": [{"assetKey": {"path": asset_path}, "name": name} for name in checks],
        }
        result = self(LAUNCH_RUN, executionParams={"selector": selector, "runConfigData": {}})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise self.fail(f"launchRun: {result['__typename']}: {json.dumps(result)[:3000]}")
        return result["run"]["runId"]

    def wait_for_run(self, run_id: str, timeout: float = RUN_SECONDS) -> str:
        """Waits until the run ends; returns its status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self(RUN_STATUS, runId=run_id)["runOrError"]["status"]
            if status in TERMINAL_RUN_STATUSES:
                return status
            time.sleep(0.5)
        raise self.fail(
            f"run {run_id} still {status} {timeout:.0f} s after its launch:\n{self.run_errors(run_id)}"
        )

    def run_events(self, run_id: str) -> list[dict]:
        return self(RUN_EVENTS, runId=run_id)["logsForRun"]["events"]

    def run_errors(self, run_id: str) -> str:
        """The run's errors, for a failure message."""
        lines = []
        for event in self.run_events(run_id):
            if event.get("level") in ("ERROR", "CRITICAL") or event.get("error"):
                lines.append(f"{event.get('stepKey') or '-'}: {event['message']}")
                if event.get("error"):
                    lines.append(event["error"]["message"] + "".join(event["error"]["stack"][-5:]))
        return "\n".join(lines) or "no error event"


ASSET_JOB = "__ASSET_JOB"  # the implicit job the UI materializes a selection of assets with

LOCATIONS = """
query Locations {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}"""

LISTED = """
query Listed {
  assetNodes { assetKey { path } groupName }
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        schedules { id name scheduleState { status } }
        sensors { id name sensorState { status } }
      }
    }
  }
}"""

STOP_SCHEDULE = """
mutation StopSchedule($id: String!) {
  stopRunningSchedule(id: $id) { __typename ... on Error { message } }
}"""

STOP_SENSOR = """
mutation StopSensor($id: String!) {
  stopSensor(id: $id) { __typename ... on Error { message } }
}"""

LAUNCH_RUN = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
    ... on PythonError { stack }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""

RUN_STATUS = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status } }
}"""

RUN_EVENTS = """
query RunEvents($runId: ID!) {
  logsForRun(runId: $runId, limit: 1000) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message level stepKey }
        ... on ExecutionStepFailureEvent { error { message stack } }
        ... on RunFailureEvent { pipelineFailureError: error { message stack } }
        ... on MaterializationEvent {
          assetKey { path }
          metadataEntries { label ... on IntMetadataEntry { intValue } }
        }
        ... on AssetCheckEvaluationEvent {
          evaluation { checkName success assetKey { path } }
        }
      }
    }
  }
}"""


class Chromium:
    """Headless Chromium with one page, driven over the DevTools protocol. It runs in a session of
    its own, killed whole on exit: no renderer or helper process outlives the test."""

    def __init__(self, profile: Path, width: int = 1600, height: int = 1200):
        from websockets.sync.client import connect  # dagster-webserver's uvicorn[standard] brings it

        self.process = subprocess.Popen(
            [
                shutil.which("chromium"),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",  # the port it chose is written to the profile
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            port = self._devtools_port(profile / "DevToolsActivePort")
            pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            page = next(target for target in pages if target["type"] == "page")
            self.socket = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        except BaseException:
            self.close()
            raise
        self.ids = itertools.count(1)

    def _devtools_port(self, active_port: Path, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"chromium ended at once (rc {self.process.returncode})")
            lines = active_port.read_text().splitlines() if active_port.exists() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.05)
        raise AssertionError(f"chromium wrote no {active_port} in {timeout:.0f} s")

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def call(self, method: str, **params: Any) -> dict:
        """One DevTools command; returns its result (the events it reads past are of no use here)."""
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=PAGE_SECONDS))
            if message.get("id") == message_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def open(self, url: str, width: int, height: int) -> None:
        """Opens `url` in a viewport of that size (a virtualized list renders what fits in it)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:200]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, done, timeout: float = PAGE_SECONDS) -> Any:
        """Evaluates `expression` until `done(value)` or time runs out; returns the last value (the
        caller's assertion says what is missing)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if done(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.25)


# What the pages show, read from the rendered DOM: the text a person sees (innerText) and where a
# link points. The UI's CSS class names are hashed per build: they are matched by their prefix.
# The catalog's rows: each links to its asset and shows its key, `raw / web_forms`.
CATALOG_ROWS = """[...document.querySelectorAll('a[href^="/assets/"]')]
  .filter((a) => a.closest('[class*="VirtualizedTable_row"]'))
  .map((a) => a.innerText.trim().split('\\n')[0])"""
# The lineage graph's collapsed groups: each shows its name and one tag per status, with the
# number of its assets in that status; group -> their sum.
LINEAGE_GROUPS = """Object.fromEntries([...document.querySelectorAll('foreignObject.group')].map((node) => [
  node.querySelector('[data-tooltip]')?.innerText.trim(),
  [...node.querySelectorAll('.BaseTag')]
    .reduce((sum, tag) => sum + (parseInt(tag.innerText.replace(/[^0-9]/g, ''), 10) || 0), 0),
]))"""
# The lineage graph's size as laid out, [width, height] (it is then scaled to fit the page).
LINEAGE_SIZE = """(() => {
  const svg = document.querySelector('svg[class*="AssetGraphExplorer_svgContainer"]');
  return svg && [parseFloat(svg.getAttribute('width')), parseFloat(svg.getAttribute('height'))];
})()"""
# The automation overview's rows: [schedule or sensor, the name it shows].
AUTOMATION_ROWS = """[...document.querySelectorAll('a[href*="/schedules/"], a[href*="/sensors/"]')]
  .map((a) => [a.getAttribute('href').includes('/schedules/') ? 'schedule' : 'sensor',
               a.innerText.trim().split('\\n')[0]])"""
# Viewport height per row of a virtualized list, so that every row is rendered: a row is 64 px in
# the catalog (Dagster 1.13), less in the automation overview; the rest is margin.
ROW_PIXELS = 100
