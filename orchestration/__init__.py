"""The Dagster code location: thin wiring of tested functions into assets, checks and schedules."""
