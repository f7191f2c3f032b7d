"""The report: ``published/report.html`` drawn from the published marts after each publish
(``assets.py``; the drawing is the Dagster-free ``report`` package)."""
