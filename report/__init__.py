"""The report people look at: ``published/report.html``, one self-contained page (inline SVG, no
script, no network) drawn from the published marts, in plain Python (never Dagster; orchestration/
wires it into an asset). ``render_report`` in ``build.py``; docs/report.md says what is in it."""

from report.build import ReportSummary, render_report

__all__ = ["ReportSummary", "render_report"]
