"""The report in a real browser: Debian's headless Chromium lays the page out, every chart's marks
take up room on it (a chart with data, not an empty frame), and a screenshot of it is no blank page.

Without ``chromium`` on the PATH the test is skipped, except under CI=true (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
from pathlib import Path

import pytest

from report import render_report
from report.charts import CHARTS
from tests.conftest import need
from tests.report.report_html import read_report
from tests.report.tiny_marts import build_tiny_marts

WINDOW = (1400, 5000)  # the whole report, two charts a row
CHROMIUM_SECONDS = 90
# Appended to a copy of the page: each chart section gets data-rendered, the number of its marks
# the browser laid out with a non-empty box.
PROBE = """<script>
for (const section of document.querySelectorAll("section.chart")) {
  section.dataset.rendered = [...section.querySelectorAll(".mark")].filter((mark) => {
    const box = mark.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  }).length;
}
</script>"""


def chromium(profile: Path, *arguments: str) -> str:
    """Run headless Chromium to its end and return its standard output. It runs in a session of its
    own, which is killed whole afterwards: no renderer or helper process outlives the test."""
    executable = shutil.which("chromium")
    process = subprocess.Popen(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            *arguments,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=CHROMIUM_SECONDS)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
    assert process.returncode == 0, err[-3000:]
    return out


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture
def report(tmp_path) -> Path:
    need(shutil.which("chromium") is not None, "no chromium on the PATH (Debian: apt-get install chromium)")
    source = build_tiny_marts(tmp_path / "published" / "leadhouse.duckdb")
    out = tmp_path / "published" / "report.html"
    render_report(source, out)
    return out


def test_every_chart_is_laid_out_with_its_marks(report, tmp_path):
    probe = report.with_name("probe.html")
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = read_report(chromium(tmp_path / "profile", "--dump-dom", probe.as_uri()))
    assert sorted(dom.sections) == sorted(chart.id for chart in CHARTS)
    for chart, section in dom.sections.items():
        drawn = int(section.attributes["data-points"])
        assert drawn >= 1, f"{chart}: no marks"
        assert section.marks == drawn, f"{chart}: {section.marks} marks in the DOM, {drawn} drawn"
        assert int(section.attributes["data-rendered"]) == drawn, f"{chart}: marks without a box on the page"


def test_the_screenshot_shows_the_report(report, tmp_path):
    shot, blank = tmp_path / "report.png", tmp_path / "blank.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", report.as_uri())
    empty = tmp_path / "empty.html"
    empty.write_text("<!doctype html><html><body></body></html>")
    chromium(tmp_path / "profile", f"--screenshot={blank}", empty.as_uri())
    assert png_size(shot) == WINDOW
    # A blank page of the same size compresses to almost nothing; charts, text and colour do not.
    assert shot.stat().st_size > 5 * blank.stat().st_size, (shot.stat().st_size, blank.stat().st_size)
